"""What the embed_sources task does inside the worker: claim pending rows, encode in one pass, store."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig, JobState, ReembedJob, StoredVector
from embeddings.vectors.registry import NotRegistered, registry
from embeddings.vectors.storage import vectors_fail, vectors_pending, vectors_store
from embeddings.worker.process_models import process_holder

logger = logging.getLogger(__name__)

# Bulk pieces yield to API requests, so a chunk may wait long behind them; the task's own time limit is 600 s.
BULK_TIMEOUT_SECONDS = 300
# A task for a config the loader is loading (a job just started) waits for it in its thread, instead of
# coming back seconds later; past this it comes back.
MODEL_WAIT_SECONDS = 30.0


class BulkSlotsBusy(Exception):
    """Every bulk slot of this worker is taken; the task should come back later instead of waiting."""


class ModelNotLoadedYet(Exception):
    """This worker does not hold the config's model (its loader thread loads what the database asks for;
    a task never loads one itself, least of all inside a transaction): come back later."""


@cache
def _bulk_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(embedding_setting("WORKER_BULK_SLOTS"))


@contextmanager
def bulk_slot() -> Iterator[None]:
    """At most WORKER_BULK_SLOTS bulk tasks embed at once in a worker process. Another one waits for a slot
    (a blocked thread costs nothing; retrying every second kept the broker and the CPU busy), and comes back
    later only when none frees within WORKER_BULK_SLOT_WAIT_SECONDS."""
    slots = _bulk_slots()
    if not slots.acquire(timeout=embedding_setting("WORKER_BULK_SLOT_WAIT_SECONDS")):
        raise BulkSlotsBusy
    try:
        yield
    finally:
        slots.release()


def embed_pending_sources(
    source_type: str,
    source_ids: list[int],
    config_id: int,
    job_id: int | None = None,
    refresh: bool = False,
) -> int:
    """Number of rows handled. Failures are recorded on the rows (state `failed` + message). A chunk of a
    job that is paused or ended meanwhile is skipped: its rows stay pending (a resume requests them again).
    `refresh`: rows whose vector is current are embedded again too (it serves until replaced).

    Raises BulkSlotsBusy when this worker already runs its share of bulk work."""
    if job_id is not None and not _job_moving(job_id):
        return 0
    with bulk_slot():
        return _embed_pending_sources(
            source_type, source_ids, config_id, live=False, job_id=job_id, refresh=refresh
        )


def _job_moving(job_id: int) -> bool:
    return ReembedJob.objects.filter(pk=job_id, state__in=JobState.moving()).exists()


def embed_live_sources(source_type: str, source_ids: list[int], config_id: int) -> int:
    """Texts just written: no bulk slot, and their forward pass goes with interactive requests, ahead of
    bulk pieces, so a saved message is searchable within about a second whatever backlog there is."""
    return _embed_pending_sources(source_type, source_ids, config_id, live=True)


def _embed_pending_sources(
    source_type: str,
    source_ids: list[int],
    config_id: int,
    *,
    live: bool,
    job_id: int | None = None,
    refresh: bool = False,
) -> int:
    try:
        source = registry.get(source_type)
        config = EmbeddingConfig.objects.get(pk=config_id)
    except (NotRegistered, EmbeddingConfig.DoesNotExist) as error:
        logger.error("embed_sources for %s config %s skipped: %s", source_type, config_id, error)
        return 0
    chunk = embedding_setting("SOURCE_CHUNK_SIZE")
    ids = sorted(set(source_ids))
    handled = 0
    for start in range(0, len(ids), chunk):
        if job_id is not None and start and not _job_moving(job_id):
            logger.info("job %s paused or ended: the rest of this task's rows stay pending", job_id)
            break
        handled += _embed_one_chunk(source, ids[start : start + chunk], config, live=live, refresh=refresh)
    return handled


def _embed_one_chunk(
    source, source_ids: list[int], config: EmbeddingConfig, *, live: bool, refresh: bool
) -> int:
    """Read, encode, store: no transaction or lock is held while the model runs."""
    rows = vectors_pending(config.pk, source.label, source_ids, refresh=refresh)
    if not rows:
        return 0
    texts_by_id = source.texts([row.source_id for row in rows])
    gone = [row.pk for row in rows if row.source_id not in texts_by_id]
    if gone:  # deleted since it was queued
        StoredVector.objects.filter(pk__in=gone).delete()
    rows = [row for row in rows if row.source_id in texts_by_id]
    if not rows:
        return len(gone)
    texts = [texts_by_id[row.source_id] or "" for row in rows]
    holder = process_holder()
    if not holder.wait_loaded(config.pk, MODEL_WAIT_SECONDS):  # the rows stay pending; the task comes back
        raise ModelNotLoadedYet(f"config {config.pk} is not loaded in this worker yet")
    try:
        encode = holder.encode if live else holder.encode_bulk
        vectors = encode(config.pk, texts, timeout=BULK_TIMEOUT_SECONDS)
    except KeyError as error:  # unloaded meanwhile: the rows stay pending
        raise ModelNotLoadedYet(f"config {config.pk} was unloaded") from error
    except Exception as error:  # recorded on the rows (only the type: a message may quote the text)
        logger.error("embedding %s %s rows for config %s failed: %s", len(rows), source.label, config.pk,
                     type(error).__name__)  # fmt: skip
        vectors_fail(rows, f"the model failed on this text: {type(error).__name__}")
        return len(rows)
    vectors_store(rows, texts, vectors, config, refresh=refresh)
    return len(rows) + len(gone)
