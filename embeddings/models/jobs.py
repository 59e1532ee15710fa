"""Re-embedding jobs: build a config's vectors for every stored text of a source, with progress.

The rows of StoredVector are the truth (embedded, pending, failed, stale per config): a job's counts are read
from them, never incremented, so a worker killed mid-job loses nothing and double-counts nothing; the job only
records what it was asked and what it last saw (embeddings.vectors.jobs)."""

from django.db import models
from django.db.models import Q


class JobState(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"


class ReembedJob(models.Model):
    config = models.ForeignKey(
        "embeddings.EmbeddingConfig", on_delete=models.CASCADE, related_name="reembed_jobs"
    )
    source_type = models.CharField(
        max_length=100, help_text="Model label of the source, e.g. 'chat.message'."
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.RUNNING)
    total = models.PositiveIntegerField(default=0, help_text="Sources of this type.")
    done = models.PositiveIntegerField(default=0, help_text="With a fresh vector for the config.")
    failed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="Queued, or stale (text changed since).")
    rate = models.FloatField(null=True, blank=True, help_text="Texts per second, lately.")
    errors = models.JSONField(default=list, blank=True, help_text="The last errors of failed rows.")
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
                condition=Q(state="running"),
                name="embeddings_one_running_job_per_config_source",
            ),
        ]

    def __str__(self) -> str:
        return f"job #{self.pk}: {self.source_type} for config {self.config_id}, {self.done}/{self.total}"

    @property
    def eta_seconds(self) -> float | None:
        if self.state != JobState.RUNNING or not self.rate:
            return None
        return round(self.pending / self.rate, 1)
