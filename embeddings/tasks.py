"""Celery tasks: the list of what workers do. Thin: ids and plain data in, worker code does the work.

Only workers import this module (Celery's autodiscovery); the web side sends these tasks by
name (embeddings.client.dispatch) and never imports worker code.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

import embeddings.worker.signals  # noqa: F401  (connects the worker's model watcher)
from embeddings.wire import tasks as names
from embeddings.worker.serving import embed_for_task
from embeddings.worker.source_embedding import BulkSlotsBusy, embed_pending_sources


@shared_task(name=names.EMBED_REQUEST, ignore_result=False, soft_time_limit=120, time_limit=150)
def embed_request(
    config_id: int,
    texts: list[Any],
    count_tokens: bool = False,
    inputs_are_token_ids: bool = False,
    input_overflow: str = "truncate",
) -> dict[str, Any]:
    """Vectors for texts (or token-id lists) with the config's model, as base64 float32; read-only, safe
    to retry. Plain data only: the web side decides the options from the config it read."""
    return embed_for_task(config_id, texts, count_tokens, inputs_are_token_ids, input_overflow)


@shared_task(
    bind=True,
    name=names.EMBED_SOURCES,
    ignore_result=True,
    acks_late=True,
    max_retries=None,
    soft_time_limit=600,
    time_limit=660,
)
def embed_sources(self: Task, source_type: str, source_ids: list[int], config_id: int) -> int:
    """Embed the pending rows of these sources for one config, in chunks.

    Idempotent: a re-run finds the rows already embedded. When the worker's bulk slots are taken
    the task comes back a second later rather than holding a pool thread API requests need."""
    try:
        return embed_pending_sources(source_type, source_ids, config_id)
    except BulkSlotsBusy as busy:
        raise self.retry(countdown=1, exc=busy) from busy
