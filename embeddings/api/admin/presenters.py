"""Shapes of the admin API's answers: activations and workers."""

from __future__ import annotations

from typing import Any

from embeddings.models import ConfigActivation, ReembedJob
from embeddings.vectors.selectors import config_coverage


def activation_description(activation: ConfigActivation) -> dict[str, Any]:
    previous = activation.previous_config
    return {
        "activation_id": activation.pk,
        "status": activation.state,
        "config_id": activation.config_id,
        "new_model": activation.config.model,
        "old_config_id": previous.pk if previous else None,
        "old_model": previous.model if previous else None,
        "dimensions_change": bool(previous and previous.dimensions != activation.config.dimensions),
        "error": activation.error or None,
        "workers": activation.workers,
        "requested_at": activation.requested_at,
        "finished_at": activation.finished_at,
        "timeout_seconds": activation.timeout_seconds,
        "build_first": activation.build_first,
        "built_at": activation.built_at,
        "build_job_ids": sorted(activation.jobs.values_list("pk", flat=True)),
        "coverage": {label: counts.as_dict() for label, counts in config_coverage(activation.config).items()},
    }


def worker_description(worker: dict[str, Any]) -> dict[str, Any]:
    loading = worker.get("loading")
    return {
        "name": worker["name"],
        "state": "loading" if loading else "serving",
        "loaded_config_ids": worker.get("loaded_config_ids", []),
        "loading": loading,
        "rss_mb": worker.get("rss_mb"),
        "last_load": worker.get("last_load"),
        "last_unload": worker.get("last_unload"),
        "errors": worker.get("errors", {}),
    }


def job_description(job: ReembedJob) -> dict[str, Any]:
    return {
        "job_id": job.pk,
        "config_id": job.config_id,
        "source": job.source_type,
        "status": job.state,
        "percent": job.percent,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "pending": job.pending,
        "rate_per_second": job.rate,
        "eta_seconds": job.eta_seconds,
        "errors": job.errors,
        "error": job.error or None,
        "requested_via": job.requested_via,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
