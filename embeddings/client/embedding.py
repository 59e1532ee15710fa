"""Embedding on the web side: send texts to a worker that has the model, wait a bounded time.

The web process never loads a model; this is the only way it gets vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import celery.exceptions
import kombu.exceptions
import numpy as np
import redis

from embeddings.client.dispatch import send_embed_request
from embeddings.client.fleet import workers_serving
from embeddings.conf import embedding_setting
from embeddings.errors import ModelNotFound, ModelNotReady, WorkerFailed
from embeddings.models import EmbeddingConfig
from embeddings.wire.codec import vectors_from_base64
from embeddings.wire.replies import ReplyErrorCode
from embedplatform.api.errors import ApiError, InvalidInput

_ERRORS_BY_CODE: dict[str, type[ApiError]] = {
    ReplyErrorCode.CONFIG_NOT_FOUND: ModelNotFound,
    ReplyErrorCode.MODEL_NOT_LOADED: ModelNotReady,
    ReplyErrorCode.INVALID_INPUT: InvalidInput,
}


@dataclass(frozen=True)
class EmbeddingBatch:
    vectors: np.ndarray
    config_id: int
    token_counts: list[int] | None = None


def embed_texts(
    config: EmbeddingConfig, texts: Sequence[str], *, count_tokens: bool = False
) -> EmbeddingBatch:
    """Vectors for texts; with count_tokens, each text's token count before truncation."""
    return _embed(config, list(texts), count_tokens=count_tokens, inputs_are_token_ids=False)


def embed_token_ids(
    config: EmbeddingConfig, token_id_lists: Sequence[Sequence[int]], *, count_tokens: bool = False
) -> EmbeddingBatch:
    """Vectors for inputs given as token ids of the model's own tokenizer (the worker decodes them)."""
    return _embed(
        config, [list(ids) for ids in token_id_lists], count_tokens=count_tokens, inputs_are_token_ids=True
    )


def _embed(
    config: EmbeddingConfig, inputs: list, *, count_tokens: bool, inputs_are_token_ids: bool
) -> EmbeddingBatch:
    if not workers_serving(config.pk):
        raise ModelNotReady(
            f"no embedding worker has model '{config.model}' (config {config.pk}) loaded yet; "
            "start a worker or retry shortly"
        )
    options = [count_tokens, inputs_are_token_ids, config.input_overflow]
    reply = _call_worker([config.pk, inputs, *options])
    if "error" in reply:
        error = reply["error"]
        raise _ERRORS_BY_CODE.get(error["code"], WorkerFailed)(error["message"], param=error.get("param"))
    vectors = vectors_from_base64(reply["vectors"], reply["dimensions"])
    return EmbeddingBatch(
        vectors=vectors, config_id=reply["config_id"], token_counts=reply.get("token_counts")
    )


def _call_worker(args: list) -> dict:
    timeout = embedding_setting("REQUEST_TIMEOUT_SECONDS")
    try:
        result = send_embed_request(args, expires=timeout)
        reply = result.get(timeout=timeout)
    except celery.exceptions.TimeoutError as error:
        raise ModelNotReady(f"no embedding worker answered within {timeout:.0f} s; retry shortly") from error
    except (kombu.exceptions.OperationalError, redis.RedisError, ConnectionError) as error:
        raise ModelNotReady("the task broker (Redis) is unreachable") from error
    except Exception as error:  # the task itself raised: the message is the worker's
        raise WorkerFailed(f"the embedding worker failed: {type(error).__name__}") from error
    result.forget()
    return reply
