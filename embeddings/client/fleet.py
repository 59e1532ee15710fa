"""The fleet as the web side sees it: which workers are alive and which configs each has loaded, read from
the heartbeats workers publish to Redis."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.redis_connection import get_redis
from embeddings.wire.keys import WORKER_HEARTBEAT_PREFIX


def worker_list() -> list[dict[str, Any]]:
    """Heartbeats of the workers seen in the last WORKER_STALE_SECONDS; [] when Redis is unreachable."""
    client = get_redis()
    stale_before = time.time() - embedding_setting("WORKER_STALE_SECONDS")
    try:
        keys = sorted(client.scan_iter(match=WORKER_HEARTBEAT_PREFIX + "*", count=100))
        raw = client.mget(keys) if keys else []
    except redis.RedisError:
        return []
    workers = [json.loads(item) for item in raw if item]
    return [worker for worker in workers if worker.get("heartbeat_at", 0) >= stale_before]


def workers_serving(config_id: int) -> list[dict[str, Any]]:
    return [worker for worker in worker_list() if config_id in worker.get("loaded_config_ids", [])]


def health_report() -> dict[str, Any]:
    config = EmbeddingConfig.objects.active()
    workers = worker_list()
    loaded = config is not None and any(
        config.pk in worker.get("loaded_config_ids", []) for worker in workers
    )
    return {
        "status": "healthy" if loaded else "degraded",
        "embedding_model_loaded": loaded,
        "provider": config.provider if config else None,
        "model": config.model if config else None,
        "config_id": config.pk if config else None,
        "workers": [
            {
                "name": worker["name"],
                "config_id": config.pk if config and config.pk in worker["loaded_config_ids"] else None,
                "loaded": bool(config and config.pk in worker["loaded_config_ids"]),
                "loaded_config_ids": worker["loaded_config_ids"],
                "rss_mb": worker["rss_mb"],
                "errors": worker.get("errors", {}),
            }
            for worker in workers
        ],
    }
