"""Hand-made vectors whose cosine order can be worked out on paper."""

from __future__ import annotations

import math

import numpy as np

from embeddings.models import EmbeddingConfig, StoredVector, VectorState


def unit(angle_degrees: float, dimensions: int = 384) -> np.ndarray:
    """cos(a)·e0 + sin(a)·e1: its cosine similarity to e0 is cos(a)."""
    vector = np.zeros(dimensions, dtype=np.float32)
    vector[0] = math.cos(math.radians(angle_degrees))
    vector[1] = math.sin(math.radians(angle_degrees))
    return vector


def plant(source_type: str, source_id: int, config: EmbeddingConfig, vector: np.ndarray) -> StoredVector:
    """Store a vector directly, as the worker would, bypassing the model."""
    row, _ = StoredVector.objects.update_or_create(
        source_type=source_type,
        source_id=source_id,
        config=config,
        defaults={
            "embedding": vector,
            "state": VectorState.EMBEDDED,
            "text_hash": "planted",
            "model": config.model,
            "backend": config.backend,
        },
    )
    return row
