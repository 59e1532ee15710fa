"""A thread per worker that loads the active config's model, apart from the heartbeat and the runners.

Polling the active config is what makes a newly activated config load on every worker, on every machine,
without the web process reaching into workers. A load can take seconds; meanwhile the heartbeat keeps
beating (embeddings.worker.heartbeat) and loaded models keep serving.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.runtime.errors import ModelLoadError
from embeddings.worker.process_models import ensure_config_loaded, process_holder

logger = logging.getLogger(__name__)


class ModelLoader:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.loading: tuple[int, float] | None = None  # (config id, time.time() it started)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedding-model-loader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = embedding_setting("WORKER_HEARTBEAT_SECONDS")
        while not self._stop.is_set():
            self.load_active()
            self._stop.wait(interval)

    def load_active(self) -> None:
        close_old_connections()
        try:
            config = EmbeddingConfig.objects.active()
        except Exception:  # the database may be restarting: try again next time
            logger.exception("cannot read the active embedding config")
            return
        if config is None or process_holder().is_loaded(config.pk):
            return
        logger.info("loading model %s for config %s", config.model, config.pk)
        started = time.monotonic()
        self.loading = (config.pk, time.time())
        try:
            ensure_config_loaded(config.pk)
        except EmbeddingConfig.DoesNotExist:  # deleted since it was read: nothing to load
            return
        except ModelLoadError as error:
            self._record_error(config.pk, str(error))
            return
        except Exception as error:  # an unexpected failure must not stop the loader
            logger.exception("loading config %s failed", config.pk)
            self._record_error(config.pk, f"{type(error).__name__}: {error}")
            return
        finally:
            self.loading = None
        self.errors.pop(str(config.pk), None)
        logger.info("config %s loaded and warmed up in %.1f s", config.pk, time.monotonic() - started)

    def _record_error(self, config_id: int, message: str) -> None:
        if self.errors.get(str(config_id)) != message:
            logger.error("config %s cannot be served: %s", config_id, message)
        self.errors[str(config_id)] = message
