"""Sending Celery tasks by name: the web process never imports the task functions (they live with the
worker code). Routing to queues is the settings' job (CELERY_TASK_ROUTES)."""

from __future__ import annotations

from collections.abc import Sequence

from celery.result import AsyncResult

from embeddings.wire import tasks
from embedplatform.celery import app


def send_embed_sources(
    source_type: str,
    source_ids: Sequence[int],
    config_id: int,
    *,
    live: bool = False,
    job_id: int | None = None,
    refresh: bool = False,
) -> AsyncResult:
    """`live`: texts just written, embedded ahead of bulk work (their own queue, no bulk slot). `job_id`: the
    re-embedding job the chunk belongs to (skipped while that job is paused or after it is cancelled).
    `refresh`: embed these texts again although their vector is current (it serves until replaced)."""
    name = tasks.EMBED_LIVE if live else tasks.EMBED_SOURCES
    kwargs: dict = {"job_id": job_id} if job_id is not None else {}
    if refresh:
        kwargs["refresh"] = True
    return app.send_task(name, args=[source_type, list(source_ids), config_id], kwargs=kwargs)


def send_reembed_job_plan(job_id: int) -> AsyncResult:
    """A worker requests the job's texts (reading and hashing every text is no work for a web request)."""
    return app.send_task(tasks.REEMBED_JOB_PLAN, args=[job_id])
