"""The one ModelHolder of this worker process, and loading configs into it.

Every model it loads gets a runner that takes this worker's share of the embed requests of the configs
the model serves, straight from Redis (embeddings.worker.serving)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.runtime.holder import ModelHolder
from embeddings.runtime.loader import load_encoder
from embeddings.runtime.spec import ModelSpec
from embeddings.worker.identity import worker_name
from embeddings.worker.model_specs import spec_for_config
from embeddings.worker.serving import RedisRequestSource
from embeddings.worker.vector_cache import VectorCache
from embedplatform.redis_connection import get_redis


@cache
def vector_cache() -> VectorCache:
    return VectorCache(embedding_setting("CACHE_SIZE"))


def _request_source(config_ids: Callable[[], Sequence[int]]) -> RedisRequestSource:
    return RedisRequestSource(get_redis(), worker_name(), config_ids, vector_cache())


@cache
def process_holder() -> ModelHolder:
    load = partial(
        load_encoder,
        threads=embedding_setting("TORCH_THREADS"),
        hub_timeout=embedding_setting("HUB_CONNECT_TIMEOUT_SECONDS"),
        torch_trace=embedding_setting("TORCH_TRACE"),
        torch_parallel_runs=embedding_setting("TORCH_PARALLEL_RUNS"),
        onnx_spinning=embedding_setting("ONNX_SPINNING"),
        onnx_parallel_runs=embedding_setting("ONNX_PARALLEL_RUNS"),
        onnx_fuse_skip_layer_norm=embedding_setting("ONNX_FUSE_SKIP_LAYER_NORM"),
        onnx_fuse_gelu=embedding_setting("ONNX_FUSE_GELU"),
    )
    return ModelHolder(
        load=load,
        max_models=embedding_setting("WORKER_MAX_MODELS"),
        batch_max_texts=embedding_setting("BATCH_MAX_TEXTS"),
        source_factory=_request_source,
    )


def ensure_config_loaded(config_id: int, keep: Sequence[int] = ()) -> ModelSpec:
    """Load a config's model (the loader thread's job; nothing else loads models). Past the holder's bound,
    the least recently used model goes, never one serving a config in `keep`."""
    holder = process_holder()
    if holder.is_loaded(config_id):
        return holder.spec(config_id)
    spec = spec_for_config(EmbeddingConfig.objects.get(pk=config_id))
    holder.ensure_loaded(spec, keep=keep)
    return spec
