"""A thread per worker that tells Redis, every WORKER_HEARTBEAT_SECONDS, that this worker lives and what it
serves, whatever else the worker is doing (a model load takes seconds; the heartbeat does not wait for it).

- its status (loaded configs, what it is loading, RSS, load errors), for /api/health;
- an "alive" key with a short expiry, so the web side can tell a dead worker from a slow one;
- its name in each loaded config's serving set, which is what lets the web side accept a request;
- its Prometheus metrics (embeddings.worker.metrics), which the web's /metrics re-exports.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import redis

from embeddings.conf import embedding_setting
from embeddings.wire.keys import (
    WORKERS,
    serving_key,
    worker_alive_key,
    worker_heartbeat_key,
    worker_metrics_key,
)
from embeddings.worker import metrics
from embeddings.worker.identity import worker_name
from embeddings.worker.loader import ModelLoader
from embeddings.worker.process_models import process_holder
from embedplatform.redis_connection import get_redis

logger = logging.getLogger(__name__)


def worker_status(loader: ModelLoader) -> dict[str, Any]:
    loading = loader.loading
    return {
        "name": worker_name(),
        "pid": os.getpid(),
        "loaded_config_ids": process_holder().loaded_config_ids(),
        "loading": {"config_id": loading[0], "seconds": round(time.time() - loading[1], 1)}
        if loading
        else None,
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        "errors": dict(loader.errors),
        "error_at": dict(loader.error_at),
        "last_load": loader.last_load,
        "last_unload": loader.last_unload,
        "heartbeat_at": time.time(),
    }


class Heartbeat:
    def __init__(self, status: Callable[[], dict[str, Any]]) -> None:
        self._status = status
        self._serving: set[int] = set()
        self._publishing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedding-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        name = worker_name()
        try:
            pipeline = get_redis().pipeline(transaction=False)
            pipeline.delete(worker_heartbeat_key(name), worker_alive_key(name), worker_metrics_key(name))
            pipeline.srem(WORKERS, name)
            for config_id in self._serving:
                pipeline.zrem(serving_key(config_id), name)
            pipeline.execute()
        except redis.RedisError:
            pass

    def _run(self) -> None:
        interval = embedding_setting("WORKER_HEARTBEAT_SECONDS")
        while not self._stop.is_set():
            try:
                self.publish()
            except Exception:  # a broken status must not stop the heartbeat
                logger.exception("heartbeat failed")
            self._stop.wait(interval)

    def publish(self) -> None:
        """Also called by the loader right after a load or an unload, so activations see it at once."""
        with self._publishing:
            self._publish()

    def _publish(self) -> None:
        status, name, now = self._status(), worker_name(), time.time()
        interval = embedding_setting("WORKER_HEARTBEAT_SECONDS")
        loaded = set(status["loaded_config_ids"])
        stale_after = max(1, int(embedding_setting("WORKER_STALE_SECONDS")))
        pipeline = get_redis().pipeline(transaction=False)
        pipeline.set(worker_heartbeat_key(name), json.dumps(status), ex=stale_after)
        pipeline.set(worker_metrics_key(name), metrics.snapshot(), ex=stale_after)
        pipeline.sadd(WORKERS, name)
        pipeline.set(worker_alive_key(name), 1, ex=max(2, math.ceil(interval * 2.5)))
        for config_id in loaded:
            pipeline.zadd(serving_key(config_id), {name: now})
        for config_id in self._serving - loaded:
            pipeline.zrem(serving_key(config_id), name)
        try:
            pipeline.execute()
        except redis.RedisError as error:
            logger.warning("heartbeat not published: %s", error)
            return
        self._serving = loaded
