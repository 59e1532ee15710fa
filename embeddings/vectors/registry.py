"""Which model fields are embedded: apps declare them, like `admin.site.register`.

    # chat/apps.py, in ready()
    from embeddings.vectors.registry import register
    register(self.get_model("Message"), field="content")

A registered source gets a pending vector for the active config whenever it is saved
(embedded after commit by a worker task) and loses its vectors when it is deleted.
Nothing in the embeddings app knows which apps use it.
"""

from __future__ import annotations

from functools import partial

from django.db import models
from django.db.models.signals import post_delete, post_save

from embeddings.vectors.receivers import source_deleted, source_saved
from embeddings.vectors.sources import EmbeddedSource


class NotRegistered(LookupError):
    pass


class SourceRegistry:
    def __init__(self) -> None:
        self._sources: dict[str, EmbeddedSource] = {}

    def register(self, model: type[models.Model], field: str = "content") -> EmbeddedSource:
        model._meta.get_field(field)  # fails early on a typo
        source = EmbeddedSource(model, field)
        if source.label in self._sources:
            return self._sources[source.label]
        self._sources[source.label] = source
        post_save.connect(
            partial(source_saved, source),
            sender=model,
            weak=False,
            dispatch_uid=f"embeddings-save-{source.label}",
        )
        post_delete.connect(
            partial(source_deleted, source),
            sender=model,
            weak=False,
            dispatch_uid=f"embeddings-delete-{source.label}",
        )
        return source

    def get(self, label: str) -> EmbeddedSource:
        try:
            return self._sources[label.lower()]
        except KeyError:
            raise NotRegistered(f"'{label}' is not a registered embedding source") from None

    def for_model(self, model: type[models.Model]) -> EmbeddedSource:
        return self.get(model._meta.label_lower)

    def all(self) -> list[EmbeddedSource]:
        return list(self._sources.values())


registry = SourceRegistry()
register = registry.register
