"""What POST /v1/embeddings answers to a validated request, for EmbeddingsView and the fast lane alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from embeddings.api.headers import embedding_headers
from embeddings.api.openai.presenters import embedding_list
from embeddings.client.inference import embed_inputs
from embeddings.configs.selectors import config_get_for_model_name
from embedplatform.api.throttling import RateLimitShare


@dataclass(frozen=True)
class EmbeddingsAnswer:
    body: dict[str, Any]
    headers: dict[str, str]


def embeddings_answer(
    data: dict[str, Any], rate_limit_share: RateLimitShare | None = None
) -> EmbeddingsAnswer:
    """Vectors from the config the request names (raises ApiError: unknown model, no worker, bad input).
    With a rate-limit share, the share is taken when the request is submitted to a worker (RateLimited)."""
    config = config_get_for_model_name(data["model"])
    result = embed_inputs(config, data["input"], data.get("dimensions"), rate_limit_share)
    return EmbeddingsAnswer(
        embedding_list(config, result, data["encoding_format"]),
        embedding_headers(result.config_id, result.timings),
    )
