"""Switching the active config without dropping a request: request, load everywhere, then flip.

`activation_start` records an activation; every worker's loader sees it in the database (a worker started
later or one that missed it converges the same way) and loads the config beside the active one, which keeps
answering every request. `activation_advance` moves an activation on: it flips in one transaction once every
live worker reports the model loaded and warmed up, and fails it, saying why, when a worker could not load
it or the timeout passes first. It is idempotent and cheap, so whoever is interested calls it: each worker's
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
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig, WorkerLoadState


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
) -> ConfigActivation:
    """Start making `config` the active one. Supersedes any other activation still pending (the latest
    request wins). With no config active there is nothing to keep serving: it flips at once."""
    user, via = _requester(requested_by, requested_via)
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
        )
        if active is None or active.pk == config.pk:
            return _flip(activation)
    return activation_advance(activation)


def activation_advance(activation: ConfigActivation) -> ConfigActivation:
    """Look at the workers and move the activation on: flip, fail, or record their progress."""
    if not activation.is_pending:
        return activation
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
    if time.time() > since + activation.timeout_seconds:
        return _finish(activation, ActivationState.FAILED, workers, _timeout_message(activation, workers))
    started = any(state["state"] != WorkerLoadState.WAITING for state in workers.values())
    state = ActivationState.LOADING if started else ActivationState.REQUESTED
    ConfigActivation.objects.filter(pk=activation.pk, state__in=ActivationState.pending()).update(
        state=state, workers=workers
    )
    activation.state, activation.workers = state, workers
    return activation


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
