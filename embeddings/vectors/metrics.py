"""Re-embedding progress and stored vectors in /metrics, read from the database at each scrape: the rows
are the truth (a job's counts come from them), so any web process can answer, wherever the workers run."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily, Metric

from embeddings.models import JobState, ReembedJob
from embeddings.vectors.selectors import vector_counts_by_config

logger = logging.getLogger(__name__)

JOB_LABELS = ["job_id", "config_id", "source", "state"]


class JobMetricsCollector:
    """Open jobs' progress (total, done, failed, pending, rate, ETA); stored vectors per config and state."""

    def collect(self) -> Iterator[Metric]:
        try:
            jobs = list(ReembedJob.objects.filter(state__in=JobState.open()).order_by("pk"))
            counts = vector_counts_by_config()
        except DatabaseError as error:
            logger.warning("/metrics could not read the jobs: %s", type(error).__name__)
            return
        yield from _job_families(jobs)
        stored = GaugeMetricFamily(
            "embedplatform_stored_vectors",
            "Stored vector rows by config and state (embedded, pending, failed, stale)",
            labels=["config_id", "state"],
        )
        for config_id, states in sorted(counts.items()):
            for state, count in sorted(states.items()):
                stored.add_metric([str(config_id), state], count)
        yield stored


def _job_families(jobs: list[ReembedJob]) -> Iterator[Metric]:
    families = {
        "total": "Texts of the job's source",
        "done": "Texts with a fresh vector of the job's config",
        "failed": "Texts the model failed on",
        "pending": "Texts still to embed",
        "rate": "Texts embedded per second, lately",
        "eta_seconds": "Seconds left at the current rate",
    }
    for field, help_text in families.items():
        family = GaugeMetricFamily(f"embedplatform_reembed_job_{field}", help_text, labels=JOB_LABELS)
        for job in jobs:
            value = job.eta_seconds if field == "eta_seconds" else getattr(job, field)
            if value is not None:
                family.add_metric([str(job.pk), str(job.config_id), job.source_type, job.state], value)
        yield family
