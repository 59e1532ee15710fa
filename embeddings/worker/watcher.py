"""A background thread per worker: loads the active config's model and publishes heartbeats.

Polling the active config (every heartbeat) is what makes a newly activated config load
on every worker, on every machine, without the web process reaching into workers.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

import psutil
import redis
from django.db import close_old_connections

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.redis_connection import get_redis
from embeddings.runtime.errors import ModelLoadError
from embeddings.wire.keys import worker_heartbeat_key
from embeddings.worker.process_models import ensure_config_loaded, process_holder

logger = logging.getLogger(__name__)


class ModelWatcher:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.errors: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedding-model-watcher", daemon=True)

    @property
    def key(self) -> str:
        return worker_heartbeat_key(self.name)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        try:
            get_redis().delete(self.key)
        except redis.RedisError:
            pass

    def _run(self) -> None:
        interval = embedding_setting("WORKER_HEARTBEAT_SECONDS")
        while not self._stop.is_set():
            self._load_active()
            self._publish()
            self._stop.wait(interval)

    def _load_active(self) -> None:
        close_old_connections()
        try:
            config = EmbeddingConfig.objects.active()
        except Exception:  # the database may be restarting: keep the heartbeat alive
            logger.exception("cannot read the active embedding config")
            return
        if config is None or process_holder().is_loaded(config.pk):
            return
        logger.info("loading model %s for config %s", config.model, config.pk)
        started = time.monotonic()
        try:
            ensure_config_loaded(config.pk)
        except EmbeddingConfig.DoesNotExist:  # deleted since it was read: nothing to load
            return
        except ModelLoadError as error:
            self._record_error(config.pk, str(error))
            return
        except Exception as error:  # an unexpected failure must not stop the watcher
            logger.exception("loading config %s failed", config.pk)
            self._record_error(config.pk, f"{type(error).__name__}: {error}")
            return
        self.errors.pop(str(config.pk), None)
        logger.info("config %s loaded and warmed up in %.1f s", config.pk, time.monotonic() - started)

    def _record_error(self, config_id: int, message: str) -> None:
        if self.errors.get(str(config_id)) != message:
            logger.error("config %s cannot be served: %s", config_id, message)
        self.errors[str(config_id)] = message

    def _publish(self) -> None:
        status = {
            "name": self.name,
            "pid": os.getpid(),
            "loaded_config_ids": process_holder().loaded_config_ids(),
            "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
            "errors": self.errors,
            "heartbeat_at": time.time(),
        }
        ttl = max(1, int(embedding_setting("WORKER_STALE_SECONDS")))
        try:
            get_redis().set(self.key, json.dumps(status), ex=ttl)
        except redis.RedisError as error:
            logger.warning("heartbeat not published: %s", error)
