"""One embedding request as the API sees it: inputs (texts or token ids) in, vectors and usage out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.client.dimensions import resolve_dimensions, truncate_dimensions
from embeddings.client.embedding import embed_texts, embed_token_ids
from embeddings.models import EmbeddingConfig
from embedplatform.api.throttling import RateLimitShare


@dataclass(frozen=True)
class EmbeddingInputs:
    """Exactly one of texts or token_ids (lists of ids in the model's own tokenizer)."""

    texts: list[str] | None = None
    token_ids: list[list[int]] | None = None

    def __len__(self) -> int:
        return len(self.texts if self.texts is not None else self.token_ids or [])


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: np.ndarray
    prompt_tokens: int
    config_id: int
    timings: dict[str, float]


def embed_inputs(
    config: EmbeddingConfig,
    inputs: EmbeddingInputs,
    dimensions: int | None = None,
    rate_limit_share: RateLimitShare | None = None,
) -> EmbeddingResult:
    """Vectors in input order; usage counts the tokens the model read (over-long inputs count as
    max_seq_length, since the rest was truncated away). A rate-limit share is taken with the submission
    (embeddings.client.embedding)."""
    target_dimensions = resolve_dimensions(config, dimensions)
    if inputs.token_ids is not None:
        batch = embed_token_ids(
            config, inputs.token_ids, count_tokens=True, rate_limit_share=rate_limit_share
        )
    else:
        batch = embed_texts(config, inputs.texts or [], count_tokens=True, rate_limit_share=rate_limit_share)
    vectors = (
        batch.vectors if target_dimensions is None else truncate_dimensions(batch.vectors, target_dimensions)
    )
    prompt_tokens = sum(min(count, config.max_seq_length) for count in batch.token_counts or [])
    return EmbeddingResult(vectors, prompt_tokens, batch.config_id, batch.timings)
