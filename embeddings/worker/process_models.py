"""The one ModelHolder of this worker process, and loading configs into it."""

from __future__ import annotations

from functools import cache, partial

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.runtime.holder import ModelHolder
from embeddings.runtime.loader import load_encoder
from embeddings.runtime.spec import ModelSpec
from embeddings.worker.model_specs import spec_for_config


@cache
def process_holder() -> ModelHolder:
    load = partial(
        load_encoder,
        threads=embedding_setting("TORCH_THREADS"),
        hub_timeout=embedding_setting("HUB_CONNECT_TIMEOUT_SECONDS"),
    )
    return ModelHolder(
        load=load,
        max_models=embedding_setting("WORKER_MAX_MODELS"),
        batch_max_texts=embedding_setting("BATCH_MAX_TEXTS"),
        batch_max_wait=embedding_setting("BATCH_MAX_WAIT_MS") / 1000,
    )


def ensure_config_loaded(config_id: int) -> ModelSpec:
    holder = process_holder()
    if holder.is_loaded(config_id):
        return holder.spec(config_id)
    spec = spec_for_config(EmbeddingConfig.objects.get(pk=config_id))
    holder.ensure_loaded(spec)
    return spec
