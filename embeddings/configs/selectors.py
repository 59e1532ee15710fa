"""Reads of embedding configs: the active one, and which config a model name means."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from embeddings import catalog
from embeddings.conf import embedding_setting
from embeddings.errors import ModelNotFound, NoActiveConfig
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig, JobState, ReembedJob
from embedplatform.generations import GenerationCache

# Read on every API request; every save or delete of a config bumps it (embeddings.configs.receivers).
ACTIVE_CONFIG: GenerationCache[EmbeddingConfig | None] = GenerationCache("embedding-configs")


def config_get_active() -> EmbeddingConfig | None:
    return ACTIVE_CONFIG.get("active", EmbeddingConfig.objects.active)


def config_get_active_or_error() -> EmbeddingConfig:
    config = config_get_active()
    if config is None:
        raise NoActiveConfig("no embedding config is active; run `manage.py embedding_config ensure`")
    return config


def model_name_matches(config: EmbeddingConfig, name: str) -> bool:
    """Whether `name` is the config's model: its exact name, or a catalog alias of it (case-insensitive)."""
    if name.strip().lower() == config.model.lower():
        return True
    entry = catalog.find(name)
    return entry is not None and entry.name == config.model


def config_get_for_model_name(name: str) -> EmbeddingConfig:
    """The active config when `name` names its model. Anything else is an error, never a silent embedding
    with another model."""
    config = config_get_active_or_error()
    if not model_name_matches(config, name):
        # Switched away from less than ACTIVATION_GRACE_SECONDS ago: still answered. Or switched back to since
        # this request's snapshot of the active config: the database's active one is the right answer then.
        candidates = [*config_list_in_grace(), *filter(None, [EmbeddingConfig.objects.active()])]
        previous = [c for c in candidates if model_name_matches(c, name)]
        if previous:
            return previous[0]
        raise ModelNotFound(
            f"the model '{name}' does not exist or is not served here; this server serves "
            f"'{config.model}' (see GET /v1/models)",
            param="model",
        )
    return config


def config_list() -> list[EmbeddingConfig]:
    return list(EmbeddingConfig.objects.all())


def config_list_in_grace() -> list[EmbeddingConfig]:
    """Configs active until an activation flipped less than ACTIVATION_GRACE_SECONDS ago: workers keep
    them loaded, and requests that name their model are still answered by them."""
    since = timezone.now() - timedelta(seconds=embedding_setting("ACTIVATION_GRACE_SECONDS"))
    ids = (
        ConfigActivation.objects.filter(state=ActivationState.ACTIVE, finished_at__gte=since)
        .exclude(previous_config=None)
        .values_list("previous_config_id", flat=True)
    )
    return list(EmbeddingConfig.objects.filter(pk__in=ids, is_active=False))


def config_ids_wanted_by_workers() -> list[int]:
    """What every worker should hold, most needed first: the active config, the configs being activated,
    those a re-embedding job builds, then those still in their grace period. Workers load what is missing
    and free the rest."""
    active = EmbeddingConfig.objects.active()
    activating = ConfigActivation.objects.filter(state__in=ActivationState.pending()).values_list(
        "config_id", flat=True
    )
    building = ReembedJob.objects.filter(state__in=JobState.moving()).values_list("config_id", flat=True)
    wanted = ([active.pk] if active else []) + list(activating) + list(building)
    wanted += [config.pk for config in config_list_in_grace()]
    return list(dict.fromkeys(wanted))


def activation_get_queryset():  # noqa: ANN201 - a QuerySet of ConfigActivation
    return ConfigActivation.objects.select_related("config", "previous_config")


def activation_estimated_seconds(config: EmbeddingConfig) -> float | None:
    """How long activating this config's model took last time (None when it never was)."""
    last = (
        ConfigActivation.objects.filter(state=ActivationState.ACTIVE, config__model=config.model)
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .first()
    )
    return round((last.finished_at - last.requested_at).total_seconds(), 1) if last else None


def activation_pending_since(config_id: int) -> float | None:
    """When the pending activation of this config was requested (a Unix time), or None."""
    requested_at = (
        ConfigActivation.objects.filter(config_id=config_id, state__in=ActivationState.pending())
        .values_list("requested_at", flat=True)
        .first()
    )
    return requested_at.timestamp() if requested_at else None
