"""Re-embedding jobs: every stored text of a source gets a fresh vector from a config, built beside the active
config's, with progress from the rows themselves.

`reembed_job_start` queues (as bulk work) every source without a fresh vector for the config: missing, failed,
or stale (its text changed since). Workers load a config that has a running job (the loader reads the
database), so a job can build a config that is not active yet while the active one serves; texts written
meanwhile are requested for both (embeddings.vectors.services). `reembed_job_advance` reads the counts from
the stored vectors (never incremented: a worker killed mid-chunk loses nothing and counts nothing twice),
the rate and an ETA, and completes the job when nothing is pending. Readers and every worker's loader
advance it.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from embeddings.conf import embedding_setting
from embeddings.errors import ConfigError
from embeddings.models import EmbeddingConfig, JobState, ReembedJob, StoredVector, VectorState
from embeddings.vectors.indexes import vector_index_build, vector_index_drop
from embeddings.vectors.registry import registry
from embeddings.vectors.services import vectors_backfill
from embeddings.vectors.sources import EmbeddedSource

logger = logging.getLogger(__name__)

LAST_ERRORS = 5
INDEX_BUILD_LOCK = 7261  # advisory lock namespace: one index build per config at a time


def reembed_job_start(
    config: EmbeddingConfig, source: EmbeddedSource, *, requested_via: str = ""
) -> ReembedJob:
    """A running job for (config, source): a new one, or the one already running (two never run at once)."""
    running = ReembedJob.objects.filter(
        config=config, source_type=source.label, state=JobState.RUNNING
    ).first()
    if running is not None:
        return reembed_job_advance(running)
    if not config.is_active:  # its index is built once, after the load (no search uses it meanwhile)
        vector_index_drop(config.pk)
    try:
        with transaction.atomic():
            job = ReembedJob.objects.create(
                config=config, source_type=source.label, requested_via=requested_via
            )
            vectors_backfill(source, config, include_failed=True)
    except IntegrityError as error:  # another request started it at the same moment
        running = ReembedJob.objects.filter(config=config, source_type=source.label, state=JobState.RUNNING)
        if not running.exists():
            raise ConfigError(f"could not start the job for config {config.pk}: {error}") from error
        return reembed_job_advance(running.get())
    return reembed_job_advance(job)


def reembed_job_advance(job: ReembedJob) -> ReembedJob:
    """Counts from the stored vectors, the rate since the last look; completed when nothing is left."""
    if job.state != JobState.RUNNING:
        return job
    states = dict(
        StoredVector.objects.filter(config=job.config_id, source_type=job.source_type)
        .values("state")
        .annotate(count=Count("id"))
        .values_list("state", "count")
    )
    total = registry.get(job.source_type).model._default_manager.count()
    done, failed = states.get(VectorState.EMBEDDED, 0), states.get(VectorState.FAILED, 0)
    pending = max(0, total - done - failed)
    now = timezone.now()
    seconds = (now - job.updated_at).total_seconds()
    if seconds > 0.5 and done >= job.done:
        latest = (done - job.done) / seconds
        job.rate = round(latest if job.rate is None else 0.5 * job.rate + 0.5 * latest, 1)
    if done + failed != job.done + job.failed or job.progressed_at is None:
        job.progressed_at = now
    elif pending and (now - job.progressed_at).total_seconds() > embedding_setting("JOB_STALL_SECONDS"):
        _requeue(job)
        job.progressed_at = now
    job.total, job.done, job.failed, job.pending = total, done, failed, pending
    if failed:
        job.errors = list(
            StoredVector.objects.filter(
                config=job.config_id, source_type=job.source_type, state=VectorState.FAILED
            )
            .order_by("-updated_at")
            .values_list("error", flat=True)[:LAST_ERRORS]
        )
    if pending == 0:
        if not _build_index(job):
            return job  # another process is building it
        job.state, job.finished_at = JobState.COMPLETED, now
    ReembedJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=job.state,
        total=total,
        done=done,
        failed=failed,
        pending=pending,
        rate=job.rate,
        errors=job.errors,
        finished_at=job.finished_at,
        progressed_at=job.progressed_at,
        updated_at=now,
    )
    job.updated_at = now
    return job


def _build_index(job: ReembedJob) -> bool:
    """The config's ANN index, once its vectors are in; False when another process holds the build."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [INDEX_BUILD_LOCK, job.config_id])
        if not cursor.fetchone()[0]:
            return False
        try:
            vector_index_build(job.config)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [INDEX_BUILD_LOCK, job.config_id])
    return True


def _requeue(job: ReembedJob) -> None:
    """Pending texts that nothing has moved for a while: send them again (storing is idempotent)."""
    queued = vectors_backfill(registry.get(job.source_type), job.config)
    logger.warning("job %s made no progress for a while: %s pending texts queued again", job.pk, queued)


def reembed_jobs_advance_running() -> list[ReembedJob]:
    return [reembed_job_advance(job) for job in ReembedJob.objects.filter(state=JobState.RUNNING)]
