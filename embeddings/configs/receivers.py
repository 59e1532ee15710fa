"""Any change to a config may change which one is active: drop the cached active config everywhere."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from embeddings.configs.selectors import ACTIVE_CONFIG
from embeddings.models import EmbeddingConfig


@receiver([post_save, post_delete], sender=EmbeddingConfig, dispatch_uid="embeddings-config-changed")
def config_changed(**kwargs: Any) -> None:
    ACTIVE_CONFIG.bump()
