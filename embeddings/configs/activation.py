"""Switching the active config without dropping a request: request, load everywhere, then flip.

`activation_start` records an activation; every worker's loader sees it in the database (a worker started
later or one that missed it converges the same way) and loads the config beside the active one, which keeps
answering every request. `activation_advance` moves an activation on: it flips in one transaction once every
live worker reports the model loaded and warmed up, and fails it, saying why, when a worker could not load
it or the timeout passes first. "Activate when built" (the default when stored texts lack a fresh vector of
the config) first runs a re-embedding job per source and waits in `building` until they complete; the
loading timeout counts from then. It is idempotent and cheap, so whoever is interested calls it: each worker's
loader after a load and on every tick, and readers (the API, the admin page, `embedding_config --wait`), so
an activation ends even when no worker is alive to end it.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from embeddings.client.fleet import worker_load_states
from embeddings.conf import embedding_setting
from embeddings.configs.services import config_activate
from embeddings.models import (
    ActivationState,
    ConfigActivation,
    EmbeddingConfig,
    JobState,
    WorkerLoadState,
)
from embeddings.vectors.jobs import reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import registry
from embeddings.vectors.selectors import config_texts_to_build


def _requester(who: Any, via: str) -> tuple[Any, str]:
    """The user to record (an API key's request has none) and a label for whoever asked."""
    if isinstance(who, get_user_model()):
        return who, via or f"user {who.get_username()}"
    if getattr(who, "is_authenticated", False):  # an API key
        return None, via or str(getattr(who, "username", "an API key"))
    return None, via


def activation_start(
    config: EmbeddingConfig,
    *,
    requested_by: Any = None,
    requested_via: str = "",
    timeout_seconds: float | None = None,
    when_built: bool | None = None,
) -> ConfigActivation:
    """Start making `config` the active one. Supersedes any other activation still pending (the latest
    request wins). With no config active there is nothing to keep serving: it flips at once.

    `when_built` (default: when some stored text has no fresh vector of `config`): build those vectors
    first, then flip; False flips as soon as the workers hold the model, and search covers what is built."""
    user, via = _requester(requested_by, requested_via)
    to_build = config_texts_to_build(config)
    build_first = bool(to_build) if when_built is None else when_built
    with transaction.atomic():
        active = EmbeddingConfig.objects.select_for_update().filter(is_active=True).first()
        pending = ConfigActivation.objects.select_for_update().filter(state__in=ActivationState.pending())
        same = [activation for activation in pending if activation.config_id == config.pk]
        if same:
            return same[0]
        pending.update(
            state=ActivationState.SUPERSEDED,
            finished_at=timezone.now(),
            error=f"superseded by a request to activate config {config.pk}",
        )
        activation = ConfigActivation.objects.create(
            config=config,
            previous_config=active,
            requested_by=user,
            requested_via=via,
            timeout_seconds=int(timeout_seconds or embedding_setting("ACTIVATION_TIMEOUT_SECONDS")),
            build_first=build_first and active is not None and active.pk != config.pk,
        )
        if active is None or active.pk == config.pk:
            return _flip(activation)
        if activation.build_first:
            _start_builds(activation, to_build)
    return activation_advance(activation)


def _start_builds(activation: ConfigActivation, to_build: dict[str, int]) -> None:
    """A job per source with texts to build (an open one is reused); with none, it is built already."""
    jobs = [
        reembed_job_start(activation.config, registry.get(label), requested_via=f"activation {activation.pk}")
        for label in to_build
    ]
    activation.jobs.set(jobs)
    if jobs:
        activation.state = ActivationState.BUILDING
        activation.save(update_fields=["state"])
    else:
        activation.built_at = timezone.now()
        activation.save(update_fields=["built_at"])


def activation_advance(activation: ConfigActivation) -> ConfigActivation:
    """Look at the workers and move the activation on: flip, fail, or record their progress."""
    if not activation.is_pending:
        return activation
    if activation.state == ActivationState.BUILDING:
        return _advance_build(activation)
    since = activation.requested_at.timestamp()
    workers = worker_load_states(activation.config_id, since)
    failed = {
        name: state["error"] for name, state in workers.items() if state["state"] == WorkerLoadState.FAILED
    }
    if failed:
        errors = "; ".join(f"{name}: {error}" for name, error in sorted(failed.items()))
        return _finish(
            activation, ActivationState.FAILED, workers, f"the model could not be loaded ({errors})"
        )
    if workers and all(state["state"] == WorkerLoadState.READY for state in workers.values()):
        return _flip(activation, workers)
    loading_since = activation.built_at.timestamp() if activation.built_at else since
    if time.time() > loading_since + activation.timeout_seconds:
        return _finish(activation, ActivationState.FAILED, workers, _timeout_message(activation, workers))
    started = any(state["state"] != WorkerLoadState.WAITING for state in workers.values())
    state = ActivationState.LOADING if started else ActivationState.REQUESTED
    ConfigActivation.objects.filter(pk=activation.pk, state__in=ActivationState.pending()).update(
        state=state, workers=workers
    )
    activation.state, activation.workers = state, workers
    return activation


def _advance_build(activation: ConfigActivation) -> ConfigActivation:
    """Building: fails when one of its jobs ended without completing; loading once all completed."""
    jobs = [reembed_job_advance(job) for job in activation.jobs.all()]
    ended = [job for job in jobs if job.state in (JobState.CANCELLED, JobState.FAILED)]
    if ended:
        why = "; ".join(f"job #{job.pk} ({job.source_type}) {job.state}: {job.error}" for job in ended)
        error = f"the vector build ended ({why})"
        return _finish(activation, ActivationState.FAILED, activation.workers, error)
    if any(job.state != JobState.COMPLETED for job in jobs):
        return activation
    built = ConfigActivation.objects.filter(pk=activation.pk, state=ActivationState.BUILDING).update(
        state=ActivationState.LOADING, built_at=timezone.now()
    )
    activation.refresh_from_db()
    return activation_advance(activation) if built else activation


def activations_advance_pending() -> list[ConfigActivation]:
    pending = ConfigActivation.objects.filter(state__in=ActivationState.pending())
    return [activation_advance(activation) for activation in pending]


def _timeout_message(activation: ConfigActivation, workers: dict[str, dict[str, Any]]) -> str:
    if not workers:
        return f"no live worker loaded the model within {activation.timeout_seconds} s (no worker is running)"
    late = ", ".join(
        f"{name} ({state['state']})" for name, state in sorted(workers.items()) if state["state"] != "ready"
    )
    return f"not every live worker loaded the model within {activation.timeout_seconds} s: {late}"


def _flip(activation: ConfigActivation, workers: dict[str, dict[str, Any]] | None = None) -> ConfigActivation:
    with transaction.atomic():
        locked = ConfigActivation.objects.select_for_update().get(pk=activation.pk)
        if not locked.is_pending:
            return locked
        config_activate(locked.config)
        locked.state = ActivationState.ACTIVE
        locked.finished_at = timezone.now()
        if workers is not None:
            locked.workers = workers
        locked.save(update_fields=["state", "finished_at", "workers"])
    return locked


def _finish(
    activation: ConfigActivation, state: str, workers: dict[str, dict[str, Any]], error: str
) -> ConfigActivation:
    ConfigActivation.objects.filter(pk=activation.pk, state__in=ActivationState.pending()).update(
        state=state, workers=workers, error=error, finished_at=timezone.now()
    )
    activation.refresh_from_db()
    return activation
