"""Which model fields are embedded: apps declare them, like `admin.site.register`.

    # chat/apps.py, in ready()
    from embeddings.registry import register
    register(self.get_model("Message"), field="content")

A registered source gets a pending vector for the active config whenever it is saved
(embedded after commit by a worker task) and loses its vectors when it is deleted.
Nothing in the embeddings app knows which apps use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete, post_save


class NotRegistered(LookupError):
    pass


@dataclass(frozen=True)
class EmbeddedSource:
    model: type[models.Model]
    field: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def texts(self, ids: list[int]) -> dict[int, str]:
        """The current text of each source that still exists."""
        return dict(self.model._default_manager.filter(pk__in=ids).values_list("pk", self.field))


class SourceRegistry:
    def __init__(self) -> None:
        self._sources: dict[str, EmbeddedSource] = {}

    def register(self, model: type[models.Model], field: str = "content") -> EmbeddedSource:
        model._meta.get_field(field)  # fails early on a typo
        source = EmbeddedSource(model, field)
        if source.label in self._sources:
            return self._sources[source.label]
        self._sources[source.label] = source
        post_save.connect(_source_saved, sender=model, dispatch_uid=f"embeddings-save-{source.label}")
        post_delete.connect(_source_deleted, sender=model, dispatch_uid=f"embeddings-delete-{source.label}")
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


def _source_saved(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: leave embedding to the sweep command
        return
    from embeddings.vector_services import vectors_request_for_active

    source = registry.for_model(sender)
    vectors_request_for_active(source, {instance.pk: getattr(instance, source.field)})


def _source_deleted(sender: type[models.Model], instance: models.Model, **kwargs) -> None:
    from embeddings.vector_services import vectors_delete

    vectors_delete(registry.for_model(sender), [instance.pk])
