"""A saved, revoked or deleted key must not be served from any process's cache."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apikeys.models import ApiKey
from apikeys.selectors import API_KEYS


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="apikeys-key-changed")
def api_key_changed(**kwargs: Any) -> None:
    API_KEYS.bump()
