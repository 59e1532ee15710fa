"""A registered source: one model field whose text is embedded."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


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
