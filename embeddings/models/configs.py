"""Embedding configs: how text becomes vectors. Immutable once saved; exactly one is active."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from embeddings import catalog


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
    INT8 = "int8", "int8"


# What each backend can run: torch casts weights to float16 (as it always has; slow on most CPUs); the
# ONNX backend runs float32 and int8 graphs, exported and quantized from the weights when a model has none.
BACKEND_PRECISIONS: dict[str, tuple[str, ...]] = {
    Backend.TORCH: (Precision.FLOAT32, Precision.FLOAT16),
    Backend.ONNX: (Precision.FLOAT32, Precision.INT8),
}


class InputOverflow(models.TextChoices):
    TRUNCATE = "truncate", "Truncate to max_seq_length"
    REJECT = "reject", "Reject with a 400"


class EmbeddingConfigQuerySet(models.QuerySet):
    def active(self) -> "EmbeddingConfig | None":
        """The one active config (the database allows at most one), or None."""
        return self.filter(is_active=True).first()


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
    precision = models.CharField(
        max_length=16,
        choices=Precision.choices,
        default=Precision.FLOAT32,
        help_text="torch runs float32 or float16; onnx runs float32 or int8 (ONNX files are exported and "
        "quantized from the model's weights on first load when it ships none).",
    )
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

    objects = EmbeddingConfigQuerySet.as_manager()

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
        if self.provider != Provider.LOCAL:
            raise ValidationError(
                {"provider": f"provider '{self.provider}' is reserved and not available yet; use 'local'"}
            )
        self._check_backend_precision()
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
        self._check_catalog_runtime(entry)

    def _check_backend_precision(self) -> None:
        supported = BACKEND_PRECISIONS.get(self.backend)
        if supported is not None and self.precision not in supported:
            raise ValidationError(
                {
                    "precision": f"the '{self.backend}' backend runs precision {_either(supported)}, "
                    f"not '{self.precision}'"
                }
            )

    def _check_catalog_runtime(self, entry: catalog.CatalogEntry) -> None:
        if self.backend not in entry.backends():
            raise ValidationError(
                {
                    "backend": f"catalog model '{entry.name}' runs on the {_either(entry.backends())} "
                    f"backend, not '{self.backend}'"
                }
            )
        precisions = entry.precisions(self.backend)
        if self.precision in precisions:
            return
        if entry.quantization:
            message = (
                f"catalog model '{entry.name}' is quantized: its precision is '{entry.quantization}', "
                f"not '{self.precision}'"
            )
        else:
            message = (
                f"catalog model '{entry.name}' on the '{self.backend}' backend runs precision "
                f"{_either(precisions)}, not '{self.precision}'"
            )
        raise ValidationError({"precision": message})

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


def _either(values: tuple[str, ...]) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c'."""
    quoted = [f"'{value}'" for value in values]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else "".join(quoted)
