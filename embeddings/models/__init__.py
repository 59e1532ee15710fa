"""The embeddings app's models, one module per concern; Django finds them all through this package."""

from embeddings.models.activations import ActivationState, ConfigActivation, WorkerLoadState
from embeddings.models.configs import (
    Backend,
    EmbeddingConfig,
    InputOverflow,
    Precision,
    Provider,
)
from embeddings.models.jobs import JobState, ReembedJob
from embeddings.models.vectors import StoredVector, VectorState, hash_text

__all__ = [
    "ActivationState",
    "ConfigActivation",
    "WorkerLoadState",
    "Backend",
    "EmbeddingConfig",
    "InputOverflow",
    "JobState",
    "Precision",
    "Provider",
    "ReembedJob",
    "StoredVector",
    "VectorState",
    "hash_text",
]
