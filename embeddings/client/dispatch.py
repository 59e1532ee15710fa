"""Sending Celery tasks by name: the web process never imports the task functions (they live with the
worker code). Routing to queues is the settings' job (CELERY_TASK_ROUTES)."""

from __future__ import annotations

from collections.abc import Sequence

from celery.result import AsyncResult

from embeddings.wire import tasks
from embedplatform.celery import app


def send_embed_sources(
    source_type: str, source_ids: Sequence[int], config_id: int, *, live: bool = False
) -> AsyncResult:
    """`live`: texts just written, embedded ahead of bulk work (their own queue, no bulk slot)."""
    name = tasks.EMBED_LIVE if live else tasks.EMBED_SOURCES
    return app.send_task(name, args=[source_type, list(source_ids), config_id])
