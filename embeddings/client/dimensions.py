"""The `dimensions` option: shorter vectors, only for Matryoshka-trained models (where a prefix of the
vector is itself a good embedding). Other models would give silently worse vectors, so they refuse."""

from __future__ import annotations

import numpy as np

from embeddings import catalog
from embeddings.models import EmbeddingConfig
from embedplatform.api.errors import InvalidInput


def supports_dimensions(config: EmbeddingConfig) -> bool:
    entry = catalog.find(config.model)
    return bool(entry and entry.matryoshka)


def resolve_dimensions(config: EmbeddingConfig, requested: int | None) -> int | None:
    """The size to cut vectors to; None keeps the model's own size (also when that size is asked for)."""
    if requested is None or requested == config.dimensions:
        return None
    if not supports_dimensions(config):
        raise InvalidInput(
            f"model '{config.model}' does not support dimensions: its vectors always have "
            f"{config.dimensions} dimensions",
            param="dimensions",
            code="dimensions_not_supported",
        )
    if requested > config.dimensions:
        raise InvalidInput(
            f"dimensions must be at most {config.dimensions} for model '{config.model}', got {requested}",
            param="dimensions",
        )
    return requested


def truncate_dimensions(vectors: np.ndarray, dimensions: int) -> np.ndarray:
    """The first `dimensions` components of each row, scaled back to unit length (Matryoshka truncation)."""
    cut = np.asarray(vectors, dtype=np.float32)[:, :dimensions]
    norms = np.linalg.norm(cut, axis=1, keepdims=True)
    return (cut / np.clip(norms, 1e-12, None)).astype(np.float32)
