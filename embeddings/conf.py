"""The embeddings app's settings: every default, in one place, read at call time (never at import time).

settings.EMBEDDINGS holds only what the environment overrides (embedplatform/settings/base.py names the
variable of each key; .env.example documents them).
"""

from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The first config, created when none exists.
    "PROVIDER": "local",
    "MODEL": "all-MiniLM-L6-v2",
    "PRECISION": "float32",
    "DIMENSIONS": None,  # from the catalog
    "BACKEND": None,  # from the catalog
    # Inputs over max_seq_length tokens: "truncate" (like sentence-transformers and TEI) or "reject" (a 400).
    "INPUT_OVERFLOW": "truncate",
    # Serving.
    "REQUEST_TIMEOUT_SECONDS": 30.0,
    "MAX_TEXTS_PER_REQUEST": 2048,
    "MAX_TEXT_CHARS": 100_000,
    # Worker.
    "DEVICE": "cpu",
    "TORCH_THREADS": None,  # all cores of the worker
    # torch models run as a traced TorchScript graph when it agrees with the eager model at load.
    "TORCH_TRACE": True,
    # A pass of several length groups runs them side by side, one torch thread each (the one model shared);
    # one text still runs on all the threads (README, benchmarks).
    "TORCH_PARALLEL_RUNS": True,
    # onnxruntime's threads spin between runs (its own default). Off saves CPU for the web processes, Redis
    # and clients on the same cores, but on some hosts makes each request slower (README, benchmarks).
    "ONNX_SPINNING": True,
    # A pass of several length groups runs them side by side, one thread each, on a second onnxruntime
    # session (one more copy of the weights); one text still runs on all the threads (README, benchmarks).
    "ONNX_PARALLEL_RUNS": True,
    # onnxruntime's fusion of a residual Add + LayerNormalization into SkipLayerNormalization: its CPU kernel
    # ran slower than the two nodes it replaces (README, benchmarks), so off.
    "ONNX_FUSE_SKIP_LAYER_NORM": False,
    # GELUs written in a form onnxruntime's own fusion misses (the packaged int8 MiniLM's) fused into one node
    # by onnxruntime's transformer optimizer's FusionGelu, cached beside exports (README, benchmarks).
    "ONNX_FUSE_GELU": True,
    # Texts per forward pass when requests queue up (one larger request still goes whole).
    "BATCH_MAX_TEXTS": 64,
    # Vectors kept per worker process for repeated (config, text) pairs; 0 turns the cache off.
    "CACHE_SIZE": 10_000,
    "WORKER_HEARTBEAT_SECONDS": 2.0,
    "WORKER_STALE_SECONDS": 10.0,
    "WORKER_MAX_MODELS": 3,
    # Switching models: how long every live worker has to load the new one before the activation fails,
    # and how long after the flip requests naming the previous model are still answered by it.
    "ACTIVATION_TIMEOUT_SECONDS": 300.0,
    "ACTIVATION_GRACE_SECONDS": 60.0,
    # A re-embedding job with pending texts and no progress for this long queues them again (their task was
    # lost with a killed worker: Celery would redeliver it only after the broker's visibility timeout).
    "JOB_STALL_SECONDS": 60.0,
    # Pool threads per worker process that bulk embedding may take; the rest serve API requests. Two: one
    # chunk's pieces queue on the model while the other chunk is read or stored, so the model does not idle
    # between chunks (its runner still puts interactive work ahead of every bulk piece).
    "WORKER_BULK_SLOTS": 2,
    # How long a bulk task waits for a free slot before it comes back later.
    "WORKER_BULK_SLOT_WAIT_SECONDS": 30.0,
    "HUB_CONNECT_TIMEOUT_SECONDS": 3.0,
    # Where workers cache the ONNX files they export (float32) and quantize (int8) from models that ship
    # without one; shared by the workers of one machine.
    "MODEL_CACHE": str(Path(__file__).resolve().parent.parent / ".data" / "model-cache"),
    # Stored vectors: texts per embedding task / forward pass, and the HNSW search breadth.
    "SOURCE_CHUNK_SIZE": 256,
    "HNSW_EF_SEARCH": 100,
    # PostgreSQL's maintenance_work_mem while an HNSW index builds (after a job's load, on activation): the
    # graph of 100,000 384-dimension vectors outgrows the server's 64 MB default, and the build then slows
    # several times. The server uses only what the build needs; "" keeps the server's setting.
    "INDEX_BUILD_MEMORY": "1GB",
}


def embedding_setting(name: str) -> Any:
    configured = getattr(settings, "EMBEDDINGS", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
