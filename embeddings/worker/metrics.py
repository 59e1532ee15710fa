"""This worker process's Prometheus metrics, in a registry of their own.

Workers may run on other machines than the web, so nothing scrapes them directly: the heartbeat writes
`snapshot()` to Redis beside the worker's status (embeddings.worker.heartbeat), and the web's /metrics
re-exports every live worker's families with a `worker` label (embeddings.client.metrics).
Labels are config ids and outcomes only: never a text, never a key.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry()

TEXTS_PER_PASS = Histogram(
    "embedplatform_worker_batch_texts",
    "Texts per forward pass (the batch size), by the config of the pass's requests (configs with identical "
    "weights share a model and may share a pass: the lowest; bulk pieces: the lowest the model serves)",
    ["config_id"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048),
    registry=REGISTRY,
)
ENCODE_SECONDS = Histogram(
    "embedplatform_worker_encode_seconds",
    "Seconds per forward pass, tokenizing included (ONNX: except texts already tokenized to count their "
    "tokens), labelled like embedplatform_worker_batch_texts",
    ["config_id"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
REQUESTS = Counter(
    "embedplatform_worker_requests",
    "Embed requests taken from Redis, by outcome: served; rejected (invalid input, a 400); "
    "failed (a worker error); expired (the caller had stopped waiting, no answer sent)",
    ["config_id", "outcome"],
    registry=REGISTRY,
)
CACHE_HITS = Counter(
    "embedplatform_worker_cache_hits",
    "Texts whose vector came from the worker's vector cache",
    ["config_id"],
    registry=REGISTRY,
)
CACHE_MISSES = Counter(
    "embedplatform_worker_cache_misses",
    "Texts looked up in the worker's vector cache and not found (they went to the model)",
    ["config_id"],
    registry=REGISTRY,
)
MODEL_LOAD_SECONDS = Histogram(
    "embedplatform_worker_model_load_seconds",
    "Seconds to load and warm up a config's model (successful loads)",
    ["config_id"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
MODEL_LOADS = Counter(
    "embedplatform_worker_model_loads",
    "Loads of a config's model, by outcome (loaded, failed); every load after a worker's first is a "
    "reload: a config switch, or a config needed again after its model was evicted",
    ["config_id", "outcome"],
    registry=REGISTRY,
)


def snapshot() -> bytes:
    """Every metric of this process, in Prometheus' text format."""
    return generate_latest(REGISTRY)
