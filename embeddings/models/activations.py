"""Activations: switching the active config is a process with states, recorded here.

An activation asks every live worker to load its config beside the one serving now; the old config stays
active and answers every request until all live workers report the new model loaded and warmed up, then
one transaction flips `is_active` (embeddings.configs.activation).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActivationState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    BUILDING = "building", "Building vectors"  # "activate when built": its re-embedding jobs run first
    LOADING = "loading", "Loading on workers"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"

    @classmethod
    def pending(cls) -> tuple[str, ...]:
        return (cls.REQUESTED, cls.BUILDING, cls.LOADING)


class WorkerLoadState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    LOADING = "loading", "Loading"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ConfigActivation(models.Model):
    """One request to make `config` the active config, and how it went on each worker."""

    config = models.ForeignKey(
        "embeddings.EmbeddingConfig", on_delete=models.CASCADE, related_name="activations"
    )
    previous_config = models.ForeignKey(
        "embeddings.EmbeddingConfig",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The config that was active when this activation was requested.",
    )
    state = models.CharField(
        max_length=16, choices=ActivationState.choices, default=ActivationState.REQUESTED
    )
    error = models.TextField(blank=True, default="")
    workers = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per live worker: its load state for this config (waiting, loading, ready, failed).",
    )
    timeout_seconds = models.PositiveIntegerField(
        help_text="For loading on the workers: from the request or, when built first, from the build's end."
    )
    build_first = models.BooleanField(
        default=False, help_text="Activate when built: the config's vectors are built before it flips."
    )
    built_at = models.DateTimeField(null=True, blank=True)
    jobs = models.ManyToManyField(
        "embeddings.ReembedJob", blank=True, related_name="activations", help_text="The builds it waits for."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_via = models.CharField(
        max_length=200, blank=True, default="", help_text="Who asked: a user, an API key, or a command."
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["config"],
                condition=Q(state__in=["requested", "building", "loading"]),
                name="embeddings_one_pending_activation_per_config",
            ),
        ]
        indexes = [
            models.Index(
                fields=["state"],
                condition=Q(state__in=["requested", "building", "loading"]),
                name="embeddings_pending_act",
            ),
        ]

    def __str__(self) -> str:
        return f"activation #{self.pk} of config {self.config_id}: {self.state}"

    @property
    def is_pending(self) -> bool:
        return self.state in ActivationState.pending()
