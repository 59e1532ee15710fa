"""The fleet's metrics, read from Redis each time /metrics is scraped.

Workers may run on other machines, so the web cannot read their memory: each worker publishes its own
metrics (Prometheus text) beside its heartbeat, and this collector re-exports every live worker's families
with a `worker` label, plus the depth of the request list of each config that a live worker has loaded or
that is active. A Redis or database failure skips what it could not read and counts a scrape error;
/metrics still answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

import redis
from django.db import DatabaseError
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families

from embeddings.models import EmbeddingConfig
from embeddings.wire.keys import WORKERS, request_queue_key, worker_heartbeat_key, worker_metrics_key
from embedplatform.redis_connection import get_redis

logger = logging.getLogger(__name__)

SCRAPE_ERRORS = Counter(
    "embedplatform_metrics_scrape_errors",
    "Scrapes of /metrics that could not read part of the fleet's metrics, by what failed: redis, "
    "database (the active config), snapshot (a worker's metrics did not parse)",
    ["source"],
)


class FleetMetricsCollector:
    """A prometheus-client collector (anything with collect()) for the workers and the request queues."""

    def collect(self) -> Iterator[Metric]:
        client = get_redis()
        try:
            snapshots, loaded = _read_workers(client)
        except redis.RedisError as error:
            _scrape_error("redis", error)
            return
        yield from _worker_families(snapshots)
        config_ids = loaded | _active_config_ids()
        try:
            depths = _queue_depths(client, sorted(config_ids))
        except redis.RedisError as error:
            _scrape_error("redis", error)
            return
        queue_depth = GaugeMetricFamily(
            "embedplatform_embedding_queue_depth",
            "Embed requests waiting in a config's Redis list for a worker to take them",
            labels=["config_id"],
        )
        for config_id, depth in depths.items():
            queue_depth.add_metric([str(config_id)], depth)
        yield queue_depth


def _scrape_error(source: str, error: Exception) -> None:
    logger.warning("/metrics could not read the fleet's %s: %s", source, type(error).__name__)
    SCRAPE_ERRORS.labels(source).inc()


def _read_workers(client: redis.Redis) -> tuple[dict[str, bytes], set[int]]:
    """Each live worker's metrics snapshot, and the config ids live workers have loaded."""
    names = sorted(name.decode() for name in client.smembers(WORKERS))
    if not names:
        return {}, set()
    pipeline = client.pipeline(transaction=False)
    pipeline.mget([worker_metrics_key(name) for name in names])
    pipeline.mget([worker_heartbeat_key(name) for name in names])
    snapshots, heartbeats = pipeline.execute()
    loaded = {
        config_id
        for heartbeat in heartbeats
        if heartbeat
        for config_id in json.loads(heartbeat).get("loaded_config_ids", [])
    }
    return {name: text for name, text in zip(names, snapshots, strict=True) if text}, loaded


def _worker_families(snapshots: dict[str, bytes]) -> Iterable[Metric]:
    """The workers' families, merged by name (a family appears once), each sample labelled with its worker."""
    families: dict[str, Metric] = {}
    for worker, text in snapshots.items():
        try:
            parsed = list(text_string_to_metric_families(text.decode()))
        except Exception as error:  # one worker's broken snapshot must not break /metrics
            _scrape_error("snapshot", error)
            continue
        for family in parsed:
            merged = families.setdefault(
                family.name, Metric(family.name, family.documentation, family.type, family.unit)
            )
            for sample in family.samples:
                labels = {**sample.labels, "worker": worker}
                merged.add_sample(sample.name, labels, sample.value, sample.timestamp)
    return families.values()


def _active_config_ids() -> set[int]:
    try:
        config = EmbeddingConfig.objects.active()
    except DatabaseError as error:
        _scrape_error("database", error)
        return set()
    return {config.pk} if config else set()


def _queue_depths(client: redis.Redis, config_ids: list[int]) -> dict[int, int]:
    if not config_ids:
        return {}
    pipeline = client.pipeline(transaction=False)
    for config_id in config_ids:
        pipeline.llen(request_queue_key(config_id))
    return dict(zip(config_ids, pipeline.execute(), strict=True))
