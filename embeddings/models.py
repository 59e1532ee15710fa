from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from pgvector.django import VectorField


class Provider(models.TextChoices):
    LOCAL = "local", "Local model"
    OPENAI = "openai", "OpenAI (reserved)"
    HASH = "hash", "Hash (reserved)"


class Backend(models.TextChoices):
    TORCH = "torch", "PyTorch (sentence-transformers)"
    ONNX = "onnx", "ONNX Runtime"


class Precision(models.TextChoices):
    FLOAT32 = "float32", "float32"
    FLOAT16 = "float16", "float16"


class InputOverflow(models.TextChoices):
    TRUNCATE = "truncate", "Truncate to max_seq_length"
    REJECT = "reject", "Reject with a 400"


class EmbeddingConfig(models.Model):
    """One way of turning text into vectors. Immutable once saved: a change is a new config.

    Exactly one config is active at a time, enforced by a partial unique constraint.
    Every stored vector and every API response names the config that made it.
    """

    IDENTITY_FIELDS = (
        "provider",
        "model",
        "revision",
        "backend",
        "dimensions",
        "precision",
        "max_seq_length",
        "normalize",
        "input_overflow",
    )

    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.LOCAL)
    model = models.CharField(max_length=500, help_text="Catalog name, local path, or hub id.")
    revision = models.CharField(max_length=100, blank=True, default="")
    backend = models.CharField(max_length=16, choices=Backend.choices, default=Backend.TORCH)
    dimensions = models.PositiveIntegerField()
    precision = models.CharField(max_length=16, choices=Precision.choices, default=Precision.FLOAT32)
    max_seq_length = models.PositiveIntegerField()
    normalize = models.BooleanField(default=True)
    input_overflow = models.CharField(
        max_length=16,
        choices=InputOverflow.choices,
        default=InputOverflow.TRUNCATE,
        help_text="What happens to an input longer than max_seq_length tokens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="embeddings_one_active_config"
            ),
            models.CheckConstraint(
                condition=Q(dimensions__gt=0), name="embeddings_config_dimensions_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_seq_length__gt=0), name="embeddings_config_max_seq_length_positive"
            ),
        ]

    def __str__(self) -> str:
        state = " (active)" if self.is_active else ""
        return f"#{self.pk} {self.model} {self.backend}/{self.precision} {self.dimensions}d{state}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self._refuse_identity_change()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from embeddings import catalog

        if self.provider != Provider.LOCAL:
            raise ValidationError(
                {"provider": f"provider '{self.provider}' is reserved and not available yet; use 'local'"}
            )
        entry = catalog.find(self.model)
        if entry is None:
            return
        if self.dimensions and self.dimensions != entry.dimensions:
            raise ValidationError(
                {
                    "dimensions": f"model '{entry.name}' produces {entry.dimensions}-dimensional "
                    f"vectors, not {self.dimensions}"
                }
            )
        if self.backend and self.backend != entry.backend:
            raise ValidationError(
                {
                    "backend": f"catalog model '{entry.name}' runs on the '{entry.backend}' "
                    f"backend, not '{self.backend}'"
                }
            )

    def _refuse_identity_change(self) -> None:
        stored = EmbeddingConfig.objects.filter(pk=self.pk).values(*self.IDENTITY_FIELDS).first()
        if stored is None:
            return
        changed = [name for name in self.IDENTITY_FIELDS if stored[name] != getattr(self, name)]
        if changed:
            raise ValidationError(
                f"embedding config {self.pk} cannot be edited in place (changed: {', '.join(changed)}); "
                "create a new config instead"
            )


class VectorState(models.TextChoices):
    PENDING = "pending", "Pending"
    EMBEDDED = "embedded", "Embedded"
    FAILED = "failed", "Failed"


class StoredVector(models.Model):
    """The vector of one source text (any registered model's field) under one config.

    The column is an untyped `vector`, so configs of any dimension share the table; each
    config gets its own partial HNSW expression index (see embeddings.indexes). The row also
    carries the embedding state, so "pending" and "failed" are visible before a vector exists.
    """

    source_type = models.CharField(
        max_length=100, help_text="Model label of the source, e.g. 'chat.message'."
    )
    source_id = models.BigIntegerField()
    config = models.ForeignKey(EmbeddingConfig, on_delete=models.PROTECT, related_name="stored_vectors")
    embedding = VectorField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=VectorState.choices, default=VectorState.PENDING)
    error = models.TextField(blank=True, default="")
    text_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the text the vector is (to be) made of."
    )
    model = models.CharField(max_length=500, blank=True, default="")
    revision = models.CharField(max_length=100, blank=True, default="")
    backend = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    embedded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "config"],
                name="embeddings_one_vector_per_source_and_config",
            ),
            models.CheckConstraint(
                condition=~Q(state=VectorState.EMBEDDED) | Q(embedding__isnull=False),
                name="embeddings_embedded_vector_present",
            ),
        ]
        indexes = [
            models.Index(fields=["config", "source_type", "state"], name="embeddings_vector_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_type}#{self.source_id} @ config {self.config_id} ({self.state})"
