"""What saving or deleting a registered source does to its stored vectors (connected by the registry)."""

from __future__ import annotations

from typing import Any

from django.db import models

from embeddings.vectors.services import vectors_delete, vectors_request_for_active
from embeddings.vectors.sources import EmbeddedSource


def source_saved(
    source: EmbeddedSource, sender: type[models.Model], instance: models.Model, **kwargs: Any
) -> None:
    if kwargs.get("raw"):  # loaddata: leave embedding to the sweep command
        return
    vectors_request_for_active(source, {instance.pk: getattr(instance, source.field)})


def source_deleted(
    source: EmbeddedSource, sender: type[models.Model], instance: models.Model, **kwargs: Any
) -> None:
    vectors_delete(source, [instance.pk])
