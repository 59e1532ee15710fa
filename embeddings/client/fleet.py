"""The fleet as the web side sees it: which workers are alive and which configs each has loaded, read from
the heartbeats workers publish to Redis."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.wire.keys import WORKERS, serving_key, worker_heartbeat_key
from embedplatform.redis_connection import get_redis


def _live_since() -> float:
    return time.time() - embedding_setting("WORKER_STALE_SECONDS")


def worker_list() -> list[dict[str, Any]]:
    """Heartbeats of the workers seen in the last WORKER_STALE_SECONDS; [] when Redis is unreachable."""
    client = get_redis()
    try:
        names = sorted(name.decode() for name in client.smembers(WORKERS))
        raw = client.mget([worker_heartbeat_key(name) for name in names]) if names else []
        gone = [name for name, item in zip(names, raw, strict=True) if item is None]
        if gone:  # stopped without saying so (killed): their heartbeat expired
            client.srem(WORKERS, *gone)
    except redis.RedisError:
        return []
    workers = [json.loads(item) for item in raw if item]
    return [worker for worker in workers if worker.get("heartbeat_at", 0) >= _live_since()]


def workers_serving(config_id: int) -> list[str]:
    """Names of the live workers that have this config loaded."""
    try:
        names = get_redis().zrangebyscore(serving_key(config_id), _live_since(), "+inf")
    except redis.RedisError:
        return []
    return sorted(name.decode() for name in names)


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


def worker_load_states(config_id: int, since: float) -> dict[str, dict[str, Any]]:
    """Each live worker's progress with one config: waiting, loading (for how long), ready, or failed (with
    its error). Errors a worker recorded before `since` (an earlier attempt) do not count."""
    states: dict[str, dict[str, Any]] = {}
    key = str(config_id)
    for worker in worker_list():
        loading = worker.get("loading") or {}
        error_at = (worker.get("error_at") or {}).get(key, 0)
        if config_id in worker.get("loaded_config_ids", []):
            state: dict[str, Any] = {"state": "ready"}
        elif loading.get("config_id") == config_id:
            state = {"state": "loading", "seconds": loading.get("seconds")}
        elif key in worker.get("errors", {}) and error_at >= since:
            state = {"state": "failed", "error": worker["errors"][key]}
        else:
            state = {"state": "waiting"}
        states[worker["name"]] = state
    return states
