"""Writes to stored vectors on the web side: request (pending), delete, re-embed, backfill.

A source text that needs a vector gets a `pending` row in the same transaction as the
write, and after commit one task per (source type, config) carries all ids of that
commit to the worker, which embeds them in chunks (`embeddings.embed_sources`; the
worker's writes are in embeddings.vectors.storage).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from embeddings.client.dispatch import send_embed_sources
from embeddings.conf import embedding_setting
from embeddings.errors import ConfigError
from embeddings.models import (
    ActivationState,
    EmbeddingConfig,
    JobState,
    StoredVector,
    VectorState,
    hash_text,
)
from embeddings.vectors.sources import EmbeddedSource
from embeddings.vectors.storage import vectors_mark_pending

logger = logging.getLogger(__name__)


def vectors_request(
    source: EmbeddedSource,
    texts: dict[int, str],
    config: EmbeddingConfig,
    *,
    force: bool = False,
    live: bool = False,
    job_id: int | None = None,
) -> list[int]:
    """Mark sources pending for `config` and schedule their embedding after commit.

    Unless `force`, a source whose text is unchanged since its vector was made (or queued)
    is skipped, so saving a message without editing it costs no forward pass. With `force`, a vector of
    the unchanged text stays embedded (searchable) until the new one replaces it. `live`: texts just
    written, embedded ahead of any backlog. `job_id`: the re-embedding job asking (its chunks stop with it).
    """
    hashes = {source_id: hash_text(text or "") for source_id, text in texts.items()}
    refresh: list[int] = []
    if force:
        current = StoredVector.objects.filter(
            source_type=source.label, config=config, source_id__in=list(hashes), state=VectorState.EMBEDDED
        )
        refresh = sorted(
            source_id
            for source_id, stored_hash in current.values_list("source_id", "text_hash")
            if stored_hash == hashes[source_id]
        )
        hashes = {source_id: digest for source_id, digest in hashes.items() if source_id not in set(refresh)}
    else:
        existing = StoredVector.objects.filter(
            source_type=source.label, config=config, source_id__in=list(hashes)
        )
        unchanged = {
            source_id
            for source_id, stored_hash, state in existing.values_list("source_id", "text_hash", "state")
            if stored_hash == hashes[source_id] and state != VectorState.FAILED
        }
        hashes = {source_id: digest for source_id, digest in hashes.items() if source_id not in unchanged}
    if refresh:
        vectors_schedule(source.label, refresh, config.pk, job_id=job_id, refresh=True)  # bulk work
    if not hashes:
        return refresh
    vectors_mark_pending(source.label, hashes, config.pk)
    ids = list(hashes)  # in the caller's order: a backfill sends texts of similar length together
    vectors_schedule(source.label, ids, config.pk, live=live, job_id=job_id)
    return sorted([*ids, *refresh])


def vectors_request_for_active(source: EmbeddedSource, texts: dict[int, str]) -> list[int]:
    """What a save of a registered source does: pending for the active config (none: nothing to do) and for
    the configs a re-embedding job is building (so nothing is missing at cutover), and the vectors other
    configs made of an older text marked stale."""
    config = EmbeddingConfig.objects.active()
    if config is None:
        return []
    vectors_mark_stale(source, texts, except_config=config)
    building = EmbeddingConfig.objects.filter(
        reembed_jobs__state__in=JobState.open(), reembed_jobs__source_type=source.label
    ).exclude(pk=config.pk)
    for other in building.distinct():
        vectors_request(source, texts, other, live=True)
    return vectors_request(source, texts, config, live=True)


def vectors_mark_stale(
    source: EmbeddedSource, texts: dict[int, str], *, except_config: EmbeddingConfig
) -> int:
    """Vectors of other configs made from another text than the current one become `stale`: never served as
    if current (search reads embedded rows only), and a re-embedding of that config redoes them."""
    marked = 0
    for source_id, text in texts.items():
        rows = StoredVector.objects.filter(
            source_type=source.label, source_id=source_id, state=VectorState.EMBEDDED
        )
        marked += (
            rows.exclude(config=except_config)
            .exclude(text_hash=hash_text(text or ""))
            .update(state=VectorState.STALE, updated_at=timezone.now())
        )
    return marked


class _CommitBuffer:
    """All ids written in one transaction, sent as one task per (source type, config) on commit."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.ids: dict[tuple[str, int, bool, int | None, bool], list[int]] = defaultdict(list)

    def flush(self) -> None:
        self.connection.embedding_commit_buffer = None
        for (source_type, config_id, live, job_id, refresh), ids in self.ids.items():
            vectors_enqueue(source_type, ids, config_id, live=live, job_id=job_id, refresh=refresh)

    def is_scheduled(self) -> bool:
        return any(entry[1] == self.flush for entry in self.connection.run_on_commit)


def vectors_schedule(
    source_type: str,
    ids: Sequence[int],
    config_id: int,
    *,
    live: bool = False,
    job_id: int | None = None,
    refresh: bool = False,
) -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        vectors_enqueue(source_type, ids, config_id, live=live, job_id=job_id, refresh=refresh)
        return
    buffer = getattr(connection, "embedding_commit_buffer", None)
    if buffer is None or not buffer.is_scheduled():  # none yet, or its transaction was rolled back
        buffer = connection.embedding_commit_buffer = _CommitBuffer(connection)
        transaction.on_commit(buffer.flush, robust=True)
    buffer.ids[(source_type, config_id, live, job_id, refresh)].extend(ids)


def vectors_enqueue(
    source_type: str,
    ids: Sequence[int],
    config_id: int,
    *,
    live: bool = False,
    job_id: int | None = None,
    refresh: bool = False,
) -> int:
    """Send the ids to the worker in chunks; returns the number of tasks. Rows stay pending on failure."""
    chunk = embedding_setting("SOURCE_CHUNK_SIZE")
    unique = list(dict.fromkeys(ids))  # the order given: one task's texts are then of similar length
    tasks = 0
    for start in range(0, len(unique), chunk):
        piece = unique[start : start + chunk]
        try:
            send_embed_sources(source_type, piece, config_id, live=live, job_id=job_id, refresh=refresh)
        except Exception:  # broker down: `manage.py embed_pending` picks the rows up later
            logger.exception("could not enqueue embedding of %s %s rows", len(piece), source_type)
            break
        tasks += 1
    return tasks


def vectors_delete(source: EmbeddedSource, ids: Iterable[int]) -> int:
    deleted, _ = StoredVector.objects.filter(source_type=source.label, source_id__in=list(ids)).delete()
    return deleted


def vectors_reembed(source: EmbeddedSource, ids: Sequence[int], config: EmbeddingConfig) -> list[int]:
    """Embed these sources again for `config`, even when their text is unchanged."""
    return vectors_request(source, source.texts(list(ids)), config, force=True)


def vectors_backfill(
    source: EmbeddedSource,
    config: EmbeddingConfig,
    *,
    include_failed: bool = False,
    batch: int = 5000,
    job_id: int | None = None,
) -> int:
    """Queue every source of this type without a vector for `config` (pending ones are sent again), shortest
    texts first: each task then holds texts of similar length, which pad together into few tokens (as
    sentence-transformers sorts a whole corpus by length)."""
    manager = source.model._default_manager
    queued = 0
    finished = [VectorState.EMBEDDED] if include_failed else [VectorState.EMBEDDED, VectorState.FAILED]
    done = set(
        StoredVector.objects.filter(source_type=source.label, config=config, state__in=finished).values_list(
            "source_id", flat=True
        )
    )
    by_length = manager.order_by(Length(source.field), "pk").values_list("pk", flat=True)
    all_ids = [pk for pk in by_length if pk not in done]
    for start in range(0, len(all_ids), batch):
        ids = all_ids[start : start + batch]
        texts = source.texts(ids)
        with transaction.atomic():
            ordered = {pk: texts[pk] for pk in ids if pk in texts}
            queued += len(vectors_request(source, ordered, config, force=True, job_id=job_id))
    return queued


def vectors_purge(config: EmbeddingConfig) -> int:
    """Delete every stored vector of an inactive config (to free space; rebuilding it is a re-embedding job).
    Refused for the active config, one being activated, and one a job is building."""
    if config.is_active:
        raise ConfigError(f"config {config.pk} is active: its vectors serve search")
    if config.activations.filter(state__in=ActivationState.pending()).exists():
        raise ConfigError(f"config {config.pk} is being activated")
    if config.reembed_jobs.filter(state__in=JobState.open()).exists():
        raise ConfigError(f"a re-embedding job for config {config.pk} is open: cancel it first")
    deleted, _ = StoredVector.objects.filter(config=config).delete()
    logger.info("purged %s stored vectors of config %s", deleted, config.pk)
    return deleted
