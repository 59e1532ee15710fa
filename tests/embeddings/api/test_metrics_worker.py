"""A real embed request through the real worker shows up on the web's /metrics, labelled with the worker:
its forward pass (batch size, encode seconds), its cache miss then hit, the model's load."""

from __future__ import annotations

import time
import uuid

import pytest

from embeddings.client.fleet import worker_list
from tests.embedplatform.test_metrics import sample_value, scrape

pytestmark = pytest.mark.worker


def _heartbeat_after(worker: str, moment: float) -> float:
    deadline = time.monotonic() + 15
    while True:
        beats = [item["heartbeat_at"] for item in worker_list() if item["name"] == worker]
        if beats and beats[0] > moment:
            return beats[0]
        if time.monotonic() > deadline:
            pytest.fail(f"no heartbeat from {worker}")
        time.sleep(0.05)


def _settled_scrape(worker: str) -> str:
    """A scrape after a whole heartbeat that began after this call: it holds everything done before."""
    started = _heartbeat_after(worker, time.time())
    _heartbeat_after(worker, started)  # the next one begins once the first has written its metrics
    return scrape()


def test_a_real_request_appears_on_metrics_with_its_worker(served_config, key_client):
    worker = next(item["name"] for item in worker_list() if item["name"].startswith("test-worker@"))
    labels = {"config_id": str(served_config.pk), "worker": worker}
    text = f"metrics probe {uuid.uuid4().hex}"  # a text no earlier test sent: a sure cache miss
    before = _settled_scrape(worker)

    for _ in range(2):
        body = {"model": "all-MiniLM-L6-v2", "input": text}
        response = key_client.post("/v1/embeddings", body, format="json")
        assert response.status_code == 200, response.content
    after = _settled_scrape(worker)

    def change(name: str, **extra: str) -> float:
        return (sample_value(after, name, **labels, **extra) or 0) - (
            sample_value(before, name, **labels, **extra) or 0
        )

    assert change("embedplatform_worker_requests_total", outcome="served") == 2
    assert change("embedplatform_worker_cache_misses_total") == 1
    assert change("embedplatform_worker_cache_hits_total") == 1  # the repeat came from the cache
    assert change("embedplatform_worker_batch_texts_count") >= 1
    assert change("embedplatform_worker_encode_seconds_count") >= 1
    assert sample_value(after, "embedplatform_worker_model_loads_total", **labels, outcome="loaded") >= 1
    assert sample_value(after, "embedplatform_worker_model_load_seconds_count", **labels) >= 1
    assert sample_value(after, "embedplatform_embedding_queue_depth", config_id=labels["config_id"]) == 0
