"""Celery tasks: the list of what workers do. Thin: ids and plain data in, worker code does the work.

Only workers import this module (Celery's autodiscovery); the web side sends these tasks by
name (embeddings.client.dispatch) and never imports worker code. Interactive embed requests do
not ride Celery: they go through Redis lists straight to a free model (embeddings.worker.serving).
"""

from __future__ import annotations

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

import embeddings.worker.signals  # noqa: F401  (starts the model loader and heartbeat in workers)
from embeddings.vectors.jobs import reembed_job_plan
from embeddings.wire import tasks as names
from embeddings.worker.source_embedding import (
    BulkSlotsBusy,
    ModelNotLoadedYet,
    embed_live_sources,
    embed_pending_sources,
)

# A database that restarts or drops a connection: the task comes back later, waiting longer each time
# (1, 2, 4 ... 60 s, with jitter). Storing is idempotent, so running a chunk again is safe.
TRANSIENT = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}

# Both embedding tasks: nothing to return, acknowledged after they ran (a killed worker's task comes back),
# retried as long as they ask to be.
EMBEDDING_TASK = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "max_retries": None,
    "soft_time_limit": 600,
    "time_limit": 660,
    **TRANSIENT,
}


@shared_task(name=names.EMBED_SOURCES, **EMBEDDING_TASK)
def embed_sources(
    self: Task,
    source_type: str,
    source_ids: list[int],
    config_id: int,
    job_id: int | None = None,
    refresh: bool = False,
) -> int:
    """Embed the pending rows of these sources for one config, in chunks (for a re-embedding job: while
    it runs; `refresh`: embedded rows too, as a forced re-embedding asks).

    Idempotent: a re-run finds the rows already embedded. When the worker's bulk slots stay taken the
    task comes back later; when the worker does not hold the model (yet), a few seconds later."""
    try:
        return embed_pending_sources(source_type, source_ids, config_id, job_id, refresh)
    except BulkSlotsBusy as busy:
        raise self.retry(countdown=1, exc=busy) from busy
    except ModelNotLoadedYet as not_loaded:
        raise self.retry(countdown=5, exc=not_loaded) from not_loaded


@shared_task(name=names.EMBED_LIVE, **EMBEDDING_TASK)
def embed_live(self: Task, source_type: str, source_ids: list[int], config_id: int) -> int:
    """Embed texts just written (a save of a registered source), ahead of bulk work. Idempotent."""
    try:
        return embed_live_sources(source_type, source_ids, config_id)
    except ModelNotLoadedYet as not_loaded:
        raise self.retry(countdown=2, exc=not_loaded) from not_loaded


@shared_task(name=names.REEMBED_JOB_PLAN, bind=True, ignore_result=True, acks_late=True, **TRANSIENT)
def reembed_job_plan_task(self: Task, job_id: int) -> None:
    """Request a queued job's texts, then run it. Idempotent (a redelivered plan requests what is left)."""
    reembed_job_plan(job_id)
