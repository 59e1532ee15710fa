"""The web side of embedding: send texts to a worker that has the model, wait a bounded time.

The web process never loads a model; this is the only way it gets vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import celery.exceptions
import kombu.exceptions
import numpy as np
import redis

from embeddings.conf import embedding_setting
from embeddings.errors import EmbeddingError, ModelNotFound, ModelNotReady, WorkerFailed
from embeddings.models import EmbeddingConfig
from embeddings.selectors import workers_serving
from embeddings.tasks import embed_texts as embed_texts_task
from embeddings.vector_codec import vectors_from_base64

_ERRORS_BY_CODE: dict[str, type[EmbeddingError]] = {
    "config_not_found": ModelNotFound,
    "model_not_loaded": ModelNotReady,
}


@dataclass(frozen=True)
class EmbeddingBatch:
    vectors: np.ndarray
    config_id: int
    token_counts: list[int] | None = None


def embed_texts(
    config: EmbeddingConfig, texts: Sequence[str], *, count_tokens: bool = False
) -> EmbeddingBatch:
    if not workers_serving(config.pk):
        raise ModelNotReady(
            f"no embedding worker has model '{config.model}' (config {config.pk}) loaded yet; "
            "start a worker or retry shortly"
        )
    timeout = embedding_setting("REQUEST_TIMEOUT_SECONDS")
    try:
        result = embed_texts_task.apply_async(
            args=[config.pk, list(texts), count_tokens], queue=embedding_setting("QUEUE"), expires=timeout
        )
        reply = result.get(timeout=timeout)
    except celery.exceptions.TimeoutError as error:
        raise ModelNotReady(f"no embedding worker answered within {timeout:.0f} s; retry shortly") from error
    except (kombu.exceptions.OperationalError, redis.RedisError, ConnectionError) as error:
        raise ModelNotReady("the task broker (Redis) is unreachable") from error
    except Exception as error:  # the task itself raised: the message is the worker's
        raise WorkerFailed(f"the embedding worker failed: {type(error).__name__}") from error
    else:
        result.forget()
    if "error" in reply:
        raise _ERRORS_BY_CODE.get(reply["error"]["code"], WorkerFailed)(reply["error"]["message"])
    vectors = vectors_from_base64(reply["vectors"], reply["dimensions"])
    return EmbeddingBatch(
        vectors=vectors, config_id=reply["config_id"], token_counts=reply.get("token_counts")
    )
