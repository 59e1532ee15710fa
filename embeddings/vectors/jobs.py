"""Re-embedding jobs: every stored text of a source gets a fresh vector from a config, built beside the active
config's, with progress from the rows themselves.

`reembed_job_start` records a queued job and sends a planning task: a worker requests (as bulk work, in
chunks tagged with the job) every source without a fresh vector for the config: missing, failed, or stale
(its text changed since), then the job runs. Workers load a config that a job builds (the loader reads the
database), so a job can build a config that is not active yet while the active one serves; texts written
meanwhile are requested for both (embeddings.vectors.services). `reembed_job_advance` reads the counts from
the stored vectors (never incremented: a worker killed mid-chunk loses nothing and counts nothing twice),
the rate and an ETA, and completes the job when nothing is pending. Readers and every worker's loader
advance it. Pausing or cancelling a job makes its bulk chunks leave their rows pending (the worker checks
the job before each chunk); resuming plans it again.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from embeddings.client.dispatch import send_reembed_job_plan
from embeddings.client.fleet import worker_load_states
from embeddings.conf import embedding_setting
from embeddings.errors import ConfigError, JobStateError
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
    """An open job for (config, source): a new one, or the one already open (two never run at once; a
    paused one resumes)."""
    existing = _open_job(config, source)
    if existing is not None:
        return reembed_job_resume(existing) if existing.state == JobState.PAUSED else existing
    if not config.is_active:  # its index is built once, after the load (no search uses it meanwhile)
        vector_index_drop(config.pk)
    try:
        with transaction.atomic():
            job = ReembedJob.objects.create(
                config=config, source_type=source.label, requested_via=requested_via
            )
            transaction.on_commit(lambda: send_reembed_job_plan(job.pk))
    except IntegrityError as error:  # another request started it at the same moment
        existing = _open_job(config, source)
        if existing is None:
            raise ConfigError(f"could not start the job for config {config.pk}: {error}") from error
        return existing
    return job


def _open_job(config: EmbeddingConfig, source: EmbeddedSource) -> ReembedJob | None:
    return ReembedJob.objects.filter(
        config=config, source_type=source.label, state__in=JobState.open()
    ).first()


def reembed_job_plan(job_id: int) -> ReembedJob | None:
    """A worker's part of starting (or resuming) a job: request every text without a fresh vector, in bulk
    chunks tagged with the job, then run. Idempotent: a plan redelivered after a crash requests again what
    is still not embedded (storing is conditional, so nothing is stored twice)."""
    job = ReembedJob.objects.filter(pk=job_id).select_related("config").first()
    if job is None or job.state != JobState.QUEUED:
        return job
    queued = vectors_backfill(registry.get(job.source_type), job.config, include_failed=True, job_id=job.pk)
    ReembedJob.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.RUNNING, progressed_at=timezone.now(), updated_at=timezone.now()
    )
    logger.info("job %s: %s texts requested for config %s", job.pk, queued, job.config_id)
    job.refresh_from_db()
    return reembed_job_advance(job)


def reembed_job_pause(job: ReembedJob) -> ReembedJob:
    """Bulk chunks of a paused job leave their rows pending; texts written meanwhile are still embedded."""
    return _move(job, {JobState.RUNNING}, JobState.PAUSED, "only a running job can be paused")


def reembed_job_resume(job: ReembedJob) -> ReembedJob:
    """Plan again (a worker requests what is still pending): chunks skipped while it was paused come back."""
    job = _move(job, {JobState.PAUSED}, JobState.QUEUED, "only a paused job can be resumed")
    transaction.on_commit(lambda: send_reembed_job_plan(job.pk))
    return job


def reembed_job_cancel(job: ReembedJob, *, reason: str = "cancelled") -> ReembedJob:
    """Ends the job: its remaining chunks are skipped, and what it stored stays (a later job goes on)."""
    return _move(job, set(JobState.open()), JobState.CANCELLED, "the job has already ended", error=reason)


def _move(job: ReembedJob, sources: set[str], target: str, refusal: str, *, error: str = "") -> ReembedJob:
    now = timezone.now()
    fields = {"state": target, "updated_at": now}
    if target in (JobState.CANCELLED, JobState.FAILED):
        fields |= {"finished_at": now, "error": error}
    if target == JobState.QUEUED:
        fields |= {"progressed_at": None}
    if not ReembedJob.objects.filter(pk=job.pk, state__in=sources).update(**fields):
        job.refresh_from_db()
        raise JobStateError(f"job {job.pk} is {job.state}: {refusal}")
    job.refresh_from_db()
    logger.info("job %s: %s", job.pk, target)
    return job


# What the admin, the API and `manage.py reembed` may do to a job, by the name each of them shows.
JOB_ACTIONS = {"pause": reembed_job_pause, "resume": reembed_job_resume, "cancel": reembed_job_cancel}


def reembed_job_advance(job: ReembedJob) -> ReembedJob:
    """Counts from the stored vectors, the rate since the last look; completed when nothing is left."""
    if job.state not in JobState.open():
        return job
    # count(*), not count(id): the (config, source_type, state) index answers it alone; counting ids read
    # the whole table (every config's vectors) once a second while a job ran.
    states = dict(
        StoredVector.objects.filter(config=job.config_id, source_type=job.source_type)
        .values("state")
        .annotate(count=Count("*"))
        .values_list("state", "count")
    )
    total = registry.get(job.source_type).model._default_manager.count()
    done, failed = states.get(VectorState.EMBEDDED, 0), states.get(VectorState.FAILED, 0)
    pending = max(0, total - done - failed)
    now = timezone.now()
    if job.state != JobState.RUNNING:  # queued or paused: counts only
        fields = {"total": total, "done": done, "failed": failed, "pending": pending, "rate": None}
        stall = embedding_setting("JOB_STALL_SECONDS")
        if job.state == JobState.QUEUED and (now - job.updated_at).total_seconds() > stall:
            send_reembed_job_plan(job.pk)  # its plan was lost with a worker (or none runs): send it again
            logger.warning("job %s still queued after %s s: its plan is sent again", job.pk, stall)
            fields["updated_at"] = job.updated_at = now
        ReembedJob.objects.filter(pk=job.pk, state=job.state).update(**fields)
        job.total, job.done, job.failed, job.pending, job.rate = total, done, failed, pending, None
        return job
    unloadable = _unloadable_everywhere(job)
    if unloadable:
        return _move(job, {JobState.RUNNING}, JobState.FAILED, "", error=unloadable)
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
    ReembedJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        total=total,
        done=done,
        failed=failed,
        pending=pending,
        rate=job.rate,
        errors=job.errors,
        progressed_at=job.progressed_at,
        updated_at=now,
    )
    job.updated_at = now
    if pending == 0 and _build_index(job):  # the counts say every vector is in while the index builds
        _complete(job)
    return job


def _complete(job: ReembedJob) -> None:
    now = timezone.now()
    if ReembedJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.COMPLETED, finished_at=now, updated_at=now
    ):
        job.state, job.finished_at, job.updated_at = JobState.COMPLETED, now, now
        logger.info("job %s: completed", job.pk)
    else:
        job.refresh_from_db()  # paused or cancelled while its index was built


def _unloadable_everywhere(job: ReembedJob) -> str:
    """Why the job cannot go on when every live worker failed to load its model since it started, else ''."""
    workers = worker_load_states(job.config_id, job.started_at.timestamp())
    if not workers or any(state["state"] != "failed" for state in workers.values()):
        return ""
    errors = "; ".join(f"{name}: {state['error']}" for name, state in sorted(workers.items()))
    return f"no worker could load the model ({errors})"


def _build_index(job: ReembedJob) -> bool:
    """The config's ANN index, once its vectors are in; False when another process holds the build (it
    completes the job)."""
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
    queued = vectors_backfill(registry.get(job.source_type), job.config, job_id=job.pk)
    logger.warning("job %s made no progress for a while: %s pending texts queued again", job.pk, queued)


def reembed_jobs_advance_running(*, min_interval: float = 0.0) -> list[ReembedJob]:
    """Advance every open job last looked at more than `min_interval` seconds ago (many workers tick)."""
    jobs = ReembedJob.objects.filter(state__in=JobState.open())
    if min_interval:
        jobs = jobs.filter(updated_at__lt=timezone.now() - timezone.timedelta(seconds=min_interval))
    return [reembed_job_advance(job) for job in jobs]
