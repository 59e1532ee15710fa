"""Re-embedding jobs: build a config's vectors for every stored text of a source, with progress.

The rows of StoredVector are the truth (embedded, pending, failed, stale per config): a job's counts are read
from them, never incremented, so a worker killed mid-job loses nothing and double-counts nothing; the job only
records what it was asked and what it last saw (embeddings.vectors.jobs)."""

from django.db import models
from django.db.models import Q


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"  # its texts are being requested (a worker's task plans it)
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"  # bulk tasks leave its rows pending until it resumes
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"  # could not go on (no worker could load the model); see `error`
    COMPLETED = "completed", "Completed"

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """Not ended: at most one such job per (config, source)."""
        return (cls.QUEUED, cls.RUNNING, cls.PAUSED)

    @classmethod
    def moving(cls) -> tuple[str, ...]:
        """Workers hold the config's model and advance the job."""
        return (cls.QUEUED, cls.RUNNING)


class ReembedJob(models.Model):
    config = models.ForeignKey(
        "embeddings.EmbeddingConfig", on_delete=models.CASCADE, related_name="reembed_jobs"
    )
    source_type = models.CharField(
        max_length=100, help_text="Model label of the source, e.g. 'chat.message'."
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Sources of this type.")
    done = models.PositiveIntegerField(default=0, help_text="With a fresh vector for the config.")
    failed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="Queued, or stale (text changed since).")
    rate = models.FloatField(null=True, blank=True, help_text="Texts per second, lately.")
    errors = models.JSONField(default=list, blank=True, help_text="The last errors of failed rows.")
    error = models.TextField(blank=True, default="", help_text="Why the job failed or was stopped.")
    requested_via = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    progressed_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time a text was done or failed (stalls are re-queued)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["config", "source_type"],
                condition=Q(state__in=["queued", "running", "paused"]),
                name="embeddings_one_open_job_per_config_source",
            ),
        ]

    def __str__(self) -> str:
        return f"job #{self.pk}: {self.source_type} for config {self.config_id}, {self.done}/{self.total}"

    @property
    def is_open(self) -> bool:
        return self.state in JobState.open()

    @property
    def percent(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 100.0

    @property
    def eta_seconds(self) -> float | None:
        if self.state != JobState.RUNNING or not self.rate:
            return None
        return round(self.pending / self.rate, 1)
