"""/metrics re-exports the fleet from Redis: workers' snapshots with a `worker` label, the depth of each
served or active config's request list; a Redis failure or a broken snapshot never breaks the scrape."""

from __future__ import annotations

import json
import time

import pytest
import redis

from embeddings.client import metrics as fleet_metrics
from embeddings.wire.keys import WORKERS, request_queue_key, worker_heartbeat_key, worker_metrics_key
from embedplatform.redis_connection import client_options, get_redis
from tests.embedplatform.test_metrics import sample_value, scrape

SNAPSHOT = b"""# HELP embedplatform_worker_requests_total Embed requests taken from Redis
# TYPE embedplatform_worker_requests_total counter
embedplatform_worker_requests_total{config_id="7",outcome="served"} 12.0
"""


@pytest.fixture
def fake_workers():
    """Publishes heartbeats and metrics snapshots of made-up workers; removes them afterwards."""
    names, queues = [], []
    client = get_redis()

    def publish(name: str, snapshot: bytes, loaded_config_ids: list[int]) -> None:
        names.append(name)
        queues.extend(loaded_config_ids)
        status = {"name": name, "loaded_config_ids": loaded_config_ids, "heartbeat_at": time.time()}
        client.set(worker_heartbeat_key(name), json.dumps(status), ex=60)
        client.set(worker_metrics_key(name), snapshot, ex=60)
        client.sadd(WORKERS, name)

    yield publish
    for name in names:
        client.delete(worker_heartbeat_key(name), worker_metrics_key(name))
        client.srem(WORKERS, name)
    for config_id in queues:
        client.delete(request_queue_key(config_id))


def test_each_workers_families_appear_once_with_a_worker_label(db, fake_workers):
    fake_workers("fleet-a@host", SNAPSHOT, [])
    fake_workers("fleet-b@host", SNAPSHOT.replace(b"12.0", b"5.0"), [])

    text = scrape()

    assert text.count("# TYPE embedplatform_worker_requests_total counter") == 1
    for worker, count in (("fleet-a@host", 12), ("fleet-b@host", 5)):
        labels = {"config_id": "7", "outcome": "served", "worker": worker}
        assert sample_value(text, "embedplatform_worker_requests_total", **labels) == count


def test_queue_depth_is_reported_for_configs_that_live_workers_serve_and_the_active_one(db, fake_workers):
    from embeddings.configs.services import config_ensure_active

    # not committed (db, not transactional_db): the suite's real worker never loads this config, so it
    # cannot take the request pushed onto its list before the scrape reads the list's depth
    active_config = config_ensure_active()
    served = 987_654_321
    fake_workers("fleet-queue@host", SNAPSHOT, [served])
    client = get_redis()
    client.lpush(request_queue_key(served), b"r1", b"r2", b"r3")
    client.lpush(request_queue_key(active_config.pk), b"r1")
    try:
        text = scrape()
    finally:
        client.delete(request_queue_key(active_config.pk))

    assert sample_value(text, "embedplatform_embedding_queue_depth", config_id=str(served)) == 3
    assert sample_value(text, "embedplatform_embedding_queue_depth", config_id=str(active_config.pk)) == 1


def test_a_broken_snapshot_is_skipped_and_counted_and_the_others_still_appear(db, fake_workers):
    errors = "embedplatform_metrics_scrape_errors_total"
    before = sample_value(scrape(), errors, source="snapshot") or 0
    fake_workers("fleet-broken@host", b"this is { not prometheus", [])
    fake_workers("fleet-fine@host", SNAPSHOT, [])

    text = scrape()

    assert sample_value(text, errors, source="snapshot") == before + 1
    labels = {"config_id": "7", "outcome": "served", "worker": "fleet-fine@host"}
    assert sample_value(text, "embedplatform_worker_requests_total", **labels) == 12


def test_with_redis_unreachable_metrics_still_answer_and_count_the_failure(db, monkeypatch):
    errors = "embedplatform_metrics_scrape_errors_total"
    before = sample_value(scrape(), errors, source="redis") or 0
    unreachable = redis.Redis(host="127.0.0.1", port=1, **client_options())  # the platform's retry policy
    monkeypatch.setattr(fleet_metrics, "get_redis", lambda: unreachable)

    text = scrape()

    assert sample_value(text, errors, source="redis") == before + 1
    assert "embedplatform_http_request_duration_seconds" in text
    assert "embedplatform_worker_" not in text
    assert "embedplatform_embedding_queue_depth" not in text
