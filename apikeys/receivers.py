"""A saved, revoked or deleted key must not be served from any process's cache; nor a key whose user was
deactivated (keys are cached with their user)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apikeys.models import ApiKey
from apikeys.selectors import API_KEYS


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="apikeys-key-changed")
def api_key_changed(**kwargs: Any) -> None:
    API_KEYS.bump()


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL, dispatch_uid="apikeys-user-changed")
def api_key_user_changed(**kwargs: Any) -> None:
    API_KEYS.bump()
