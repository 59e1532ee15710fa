"""The worker's metrics: forward passes, requests by outcome, cache hits and misses, model loads; and their
trip through Redis to the web's /metrics (real Redis, a fake encoder)."""

from __future__ import annotations

import itertools
import time

import pytest

from embeddings.client.metrics import FleetMetricsCollector
from embeddings.runtime.errors import ModelLoadError
from embeddings.runtime.runner import ModelRunner
from embeddings.wire.keys import (
    WORKERS,
    reply_key,
    request_queue_key,
    serving_key,
    worker_alive_key,
    worker_heartbeat_key,
    worker_metrics_key,
)
from embeddings.wire.requests import EmbedReply, EmbedRequest
from embeddings.worker import loader, metrics
from embeddings.worker.heartbeat import Heartbeat
from embeddings.worker.identity import set_worker_name
from embeddings.worker.serving import RedisRequestSource
from embeddings.worker.vector_cache import VectorCache
from embedplatform.redis_connection import get_redis
from tests.embeddings.runtime.fakes import FakeEncoder, FakeSource

_config_ids = itertools.count(int(time.time()) % 100_000 * 10 + 900_000_000)  # served by no real worker


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.02)


@pytest.fixture
def config_id() -> int:
    config_id = next(_config_ids)
    yield config_id
    get_redis().delete(request_queue_key(config_id), serving_key(config_id))


@pytest.fixture
def serve(config_id):
    """A runner of a fake model that takes config_id's requests from Redis, as a worker's does."""
    runners = []

    def start(encoder=None, config_ids=(config_id,)) -> ModelRunner:
        source = RedisRequestSource(get_redis(), "metrics-test-worker", lambda: config_ids, VectorCache(100))
        runners.append(ModelRunner(encoder or FakeEncoder(), source, idle_wait=0.05))
        return runners[-1]

    yield start
    for runner in runners:
        runner.stop()


def send(config_id: int, texts: list[str], **options) -> EmbedRequest:
    request = EmbedRequest(config_id=config_id, inputs=texts, deadline=time.time() + 30, **options)
    get_redis().lpush(request_queue_key(config_id), request.to_bytes())
    return request


def answer(request: EmbedRequest) -> EmbedReply:
    popped = get_redis().blpop([reply_key(request.id)], timeout=10)
    assert popped is not None, "no reply"
    return EmbedReply.from_bytes(popped[1])


def test_a_served_request_counts_its_pass_its_texts_and_its_cache_misses_then_hits(config_id, serve):
    label = str(config_id)
    serve()

    first = answer(send(config_id, ["one", "two", "three"]))
    again = answer(send(config_id, ["one", "two", "three"]))

    assert first.error_code is None and again.error_code is None
    assert value("embedplatform_worker_requests_total", config_id=label, outcome="served") == 2
    assert value("embedplatform_worker_batch_texts_count", config_id=label) == 1  # the repeat hit the cache
    assert value("embedplatform_worker_batch_texts_sum", config_id=label) == 3
    assert value("embedplatform_worker_encode_seconds_count", config_id=label) == 1
    assert value("embedplatform_worker_cache_misses_total", config_id=label) == 3
    assert value("embedplatform_worker_cache_hits_total", config_id=label) == 3


def test_requests_that_are_not_served_are_counted_by_outcome(config_id, serve):
    label = str(config_id)
    serve()

    rejected = answer(send(config_id, ["word " * 20], input_overflow="reject"))
    expired = EmbedRequest(config_id=config_id, inputs=["late"], deadline=time.time() - 1)
    get_redis().lpush(request_queue_key(config_id), expired.to_bytes())

    assert rejected.error_code is not None
    wait_until(lambda: value("embedplatform_worker_requests_total", config_id=label, outcome="expired") == 1)
    assert value("embedplatform_worker_requests_total", config_id=label, outcome="rejected") == 1
    assert value("embedplatform_worker_requests_total", config_id=label, outcome="served") == 0


def test_a_failed_forward_pass_counts_as_failed_and_records_no_pass(config_id, serve):
    class Failing(FakeEncoder):
        def encode(self, texts):
            raise RuntimeError("model exploded")

    label = str(config_id)
    serve(Failing())

    reply = answer(send(config_id, ["x"]))

    assert reply.error_message == "the embedding worker failed: RuntimeError"
    assert value("embedplatform_worker_requests_total", config_id=label, outcome="failed") == 1
    assert value("embedplatform_worker_batch_texts_count", config_id=label) == 0


def test_a_pass_carries_its_requests_config_and_bulk_pieces_the_lowest_served(config_id, serve):
    other = next(_config_ids)  # higher than config_id; both share the model
    runner = serve(config_ids=(config_id, other))

    answer(send(other, ["shared weights"]))
    runner.encode_bulk(["a stored text"], timeout=10)

    assert value("embedplatform_worker_batch_texts_count", config_id=str(other)) == 1
    assert value("embedplatform_worker_batch_texts_count", config_id=str(config_id)) == 1  # the bulk piece
    assert value("embedplatform_worker_requests_total", config_id=str(other), outcome="served") == 1


def test_the_runner_reports_each_pass_and_a_failing_observer_fails_no_request():
    seen, source = [], FakeSource()

    def observe(texts: int, seconds: float) -> None:
        seen.append((texts, seconds))
        raise ValueError("observer bug")

    runner = ModelRunner(FakeEncoder(), source, on_pass=observe)
    vectors = runner.encode(["a", "b"], timeout=10)
    runner.stop()

    assert vectors.shape == (2, 8)
    assert [texts for texts, _ in seen] == [2] and seen[0][1] >= 0


def test_model_loads_are_timed_and_failures_counted(active_config, monkeypatch):
    label = str(active_config.pk)
    loads_before = value("embedplatform_worker_model_loads_total", config_id=label, outcome="loaded")
    failures_before = value("embedplatform_worker_model_loads_total", config_id=label, outcome="failed")
    timed_before = value("embedplatform_worker_model_load_seconds_count", config_id=label)
    model_loader = loader.ModelLoader()

    monkeypatch.setattr(loader, "ensure_config_loaded", lambda config_id, keep: None)
    model_loader.converge()

    def cannot_load(config_id, keep):
        raise ModelLoadError("weights not found")

    monkeypatch.setattr(loader, "ensure_config_loaded", cannot_load)
    model_loader.converge()

    assert (
        value("embedplatform_worker_model_loads_total", config_id=label, outcome="loaded") == loads_before + 1
    )
    assert (
        value("embedplatform_worker_model_loads_total", config_id=label, outcome="failed")
        == failures_before + 1
    )
    assert value("embedplatform_worker_model_load_seconds_count", config_id=label) == timed_before + 1


@pytest.fixture
def heartbeat_of(config_id):
    """A worker named `metrics-test@host` whose heartbeat says it has config_id loaded."""
    name = "metrics-test@host"
    set_worker_name(name)
    status = {"name": name, "loaded_config_ids": [config_id], "heartbeat_at": time.time()}
    yield name, Heartbeat(lambda: status)
    set_worker_name(None)
    client = get_redis()
    client.delete(worker_heartbeat_key(name), worker_alive_key(name), worker_metrics_key(name))
    client.srem(WORKERS, name)
    client.zrem(serving_key(config_id), name)


def test_the_heartbeat_carries_the_workers_metrics_to_the_webs_collector(db, config_id, serve, heartbeat_of):
    name, heartbeat = heartbeat_of
    serve()
    answer(send(config_id, ["through redis"]))

    heartbeat.publish()
    families = {family.name: family for family in FleetMetricsCollector().collect()}

    served = [
        sample
        for sample in families["embedplatform_worker_requests"].samples
        if sample.name == "embedplatform_worker_requests_total" and sample.labels["worker"] == name
    ]
    assert [(sample.labels, sample.value) for sample in served] == [
        ({"config_id": str(config_id), "outcome": "served", "worker": name}, 1.0)
    ]
    assert families["embedplatform_worker_batch_texts"].type == "histogram"
    assert get_redis().ttl(worker_metrics_key(name)) > 0  # it expires with the heartbeat
