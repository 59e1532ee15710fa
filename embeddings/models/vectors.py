"""Stored vectors: one row per (source text, config), with its state and provenance."""

import hashlib

from django.db import models
from django.db.models import Q
from pgvector.django import VectorField


def hash_text(text: str) -> str:
    """SHA-256 of a source text: how a stored vector knows which text it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorState(models.TextChoices):
    PENDING = "pending", "Pending"
    EMBEDDED = "embedded", "Embedded"
    FAILED = "failed", "Failed"
    STALE = "stale", "Stale (its text changed since)"


class StoredVector(models.Model):
    """The vector of one source text (any registered model's field) under one config.

    The column is an untyped `vector`, so configs of any dimension share the table; each
    config gets its own partial HNSW expression index (see embeddings.vectors.indexes). The row also
    carries the embedding state, so "pending" and "failed" are visible before a vector exists.
    """

    source_type = models.CharField(
        max_length=100, help_text="Model label of the source, e.g. 'chat.message'."
    )
    source_id = models.BigIntegerField()
    config = models.ForeignKey(
        "embeddings.EmbeddingConfig", on_delete=models.PROTECT, related_name="stored_vectors"
    )
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
