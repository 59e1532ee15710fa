"""A thread per worker that makes this worker hold what the database asks for, apart from the heartbeat and
the runners: the active config, the configs being activated, and for a grace period the previous one
(embeddings.configs.selectors.config_ids_wanted_by_workers). It loads what is missing and frees the rest.

Reading the database is how a command reaches every worker on every machine, and how a worker started later
or one that missed a change converges. Models load here and nowhere else (never inside a request or a
transaction). A load takes seconds; meanwhile the heartbeat keeps beating, saying what is loading and for how
long, and loaded models keep serving. After each load, and on every tick, pending activations are advanced
(embeddings.configs.activation), so the flip follows the last worker's load at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
from django.db import close_old_connections

from embeddings.conf import embedding_setting
from embeddings.configs.activation import activations_advance_pending
from embeddings.configs.selectors import activation_pending_since, config_ids_wanted_by_workers
from embeddings.models import EmbeddingConfig
from embeddings.runtime.errors import ModelLoadError
from embeddings.runtime.memory import release_memory
from embeddings.vectors.jobs import reembed_jobs_advance_running
from embeddings.worker import metrics
from embeddings.worker.process_models import ensure_config_loaded, process_holder

logger = logging.getLogger(__name__)

# A config that failed to load is tried again after this long, or at once when an activation asks for it
# after the failure.
RETRY_SECONDS = 30.0
JOB_ADVANCE_SECONDS = 1.0  # every worker ticks: each open job is counted at most about once a second
STOP_WAIT_SECONDS = 2.0  # a stop waits this long for the thread's round to end


def _rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


class ModelLoader:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.error_at: dict[str, float] = {}
        self.loading: tuple[int, float] | None = None  # (config id, time.time() it started)
        self.last_load: dict[str, Any] | None = None
        self.last_unload: dict[str, Any] | None = None
        self.on_change: Callable[[], None] | None = None  # the heartbeat's publish, set by the worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedding-model-loader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """No further load starts. A load under way cannot be interrupted (it is mostly an import), and a
        worker told to stop does not wait for it: the thread is a daemon and ends with the process."""
        self._stop.set()
        self._thread.join(timeout=STOP_WAIT_SECONDS)
        if self._thread.is_alive() and self.loading is not None:
            logger.info("stopping while config %s loads: not waiting for the load", self.loading[0])

    def _run(self) -> None:
        interval = min(1.0, embedding_setting("WORKER_HEARTBEAT_SECONDS"))
        while not self._stop.is_set():
            self.converge()
            self._stop.wait(interval)

    def converge(self) -> None:
        """One round: load what is wanted and missing (most needed first), free what is no longer wanted,
        advance pending activations."""
        close_old_connections()
        try:
            wanted = config_ids_wanted_by_workers()
        except Exception:  # the database may be restarting: try again next time
            logger.exception("cannot read which embedding configs to hold")
            return
        holder = process_holder()
        holder.touch(list(reversed(wanted)))  # the most needed ends up most recently used
        for config_id in wanted:
            if self._stop.is_set():
                return
            if not holder.is_loaded(config_id) and self._due(config_id):
                self._load(config_id, keep=wanted)
                self._changed()  # publish at once, so the activation sees this worker ready
                self._advance_activations()
        for config_id in holder.loaded_config_ids() if wanted else []:  # none wanted: keep what serves
            if config_id not in wanted:
                self._unload(config_id)
                self._changed()
        self._advance_activations()

    def _due(self, config_id: int) -> bool:
        failed_at = self.error_at.get(str(config_id))
        if failed_at is None or time.time() - failed_at > RETRY_SECONDS:
            return True
        requested_at = activation_pending_since(config_id)
        return requested_at is not None and requested_at > failed_at

    def _load(self, config_id: int, keep: list[int]) -> None:
        rss_before, started = _rss_mb(), time.monotonic()
        self.loading = (config_id, time.time())
        logger.info("loading config %s (RSS %.0f MB)", config_id, rss_before)
        try:
            ensure_config_loaded(config_id, keep=keep)
        except EmbeddingConfig.DoesNotExist:  # deleted since it was read: nothing to load
            return
        except ModelLoadError as error:
            self._record_error(config_id, str(error))
            return
        except MemoryError:
            self._record_error(config_id, "out of memory while loading the model")
            return
        except Exception as error:  # an unexpected failure must not stop the loader
            logger.exception("loading config %s failed", config_id)
            self._record_error(config_id, f"{type(error).__name__}: {error}")
            return
        finally:
            self.loading = None
        seconds = round(time.monotonic() - started, 2)
        self.errors.pop(str(config_id), None)
        self.error_at.pop(str(config_id), None)
        self.last_load = {
            "config_id": config_id,
            "seconds": seconds,
            "rss_before_mb": rss_before,
            "rss_after_mb": _rss_mb(),
            "at": time.time(),
        }
        metrics.MODEL_LOADS.labels(str(config_id), "loaded").inc()
        metrics.MODEL_LOAD_SECONDS.labels(str(config_id)).observe(seconds)
        rss_after = self.last_load["rss_after_mb"]
        logger.info("config %s loaded and warmed up in %.1f s (RSS %.0f MB)", config_id, seconds, rss_after)

    def _unload(self, config_id: int) -> None:
        rss_before = _rss_mb()
        freed_model = process_holder().unload(config_id)
        release_memory()
        self.last_unload = {
            "config_id": config_id,
            "rss_before_mb": rss_before,
            "rss_after_mb": _rss_mb(),
            "at": time.time(),
        }
        what = "its model freed" if freed_model else "its model still serves another config"
        rss_after = self.last_unload["rss_after_mb"]
        logger.info("config %s unloaded, %s (RSS %.0f MB -> %.0f MB)", config_id, what, rss_before, rss_after)

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                logger.exception("could not publish the worker's status")

    def _advance_activations(self) -> None:
        """Pending activations and running re-embedding jobs: whoever looks moves them on."""
        try:
            reembed_jobs_advance_running(min_interval=JOB_ADVANCE_SECONDS)
            activations_advance_pending()
        except Exception:  # the database may be restarting: the next tick tries again
            logger.exception("cannot advance pending activations or running jobs")

    def _record_error(self, config_id: int, message: str) -> None:
        metrics.MODEL_LOADS.labels(str(config_id), "failed").inc()
        if self.errors.get(str(config_id)) != message:
            logger.error("config %s cannot be served: %s", config_id, message)
        self.errors[str(config_id)] = message
        self.error_at[str(config_id)] = time.time()
