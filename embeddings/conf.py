"""Accessor for the EMBEDDINGS settings dict, read at call time (never at import time)."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "PROVIDER": "local",
    "MODEL": "all-MiniLM-L6-v2",
    "PRECISION": "float32",
    "DIMENSIONS": None,
    "BACKEND": None,
    "INPUT_OVERFLOW": "truncate",
    "QUEUE": "embeddings",
    "REQUEST_TIMEOUT_SECONDS": 30.0,
    "MAX_TEXTS_PER_REQUEST": 2048,
    "MAX_TEXT_CHARS": 100_000,
    "DEVICE": "cpu",
    "TORCH_THREADS": None,
    "BATCH_MAX_TEXTS": 64,
    "BATCH_MAX_WAIT_MS": 5.0,
    "WORKER_HEARTBEAT_SECONDS": 2.0,
    "WORKER_STALE_SECONDS": 10.0,
    "WORKER_MAX_MODELS": 3,
    "WORKER_BULK_SLOTS": 1,
    "HUB_CONNECT_TIMEOUT_SECONDS": 3.0,
    # Stored vectors and search.
    "SOURCE_CHUNK_SIZE": 256,
    "HNSW_EF_SEARCH": 100,
}


def embedding_setting(name: str) -> Any:
    configured = getattr(settings, "EMBEDDINGS", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
