"""Startup checks: a malformed API_RATE_LIMIT would otherwise fail every request with a 500; a published
SECRET_KEY with DEBUG off would let anyone forge sessions, so no process starts with one."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

# Defaults that were ever committed here, in docker-compose.yml or .env.example.
PUBLISHED_SECRET_KEYS = {"", "dev-insecure-change-me", "change-me-in-production", "change-me"}


def refuse_published_secret_key() -> None:
    """Called at startup (AppConfig.ready) of every process: web, worker, manage.py."""
    if not settings.DEBUG and settings.SECRET_KEY in PUBLISHED_SECRET_KEYS:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is missing or a published default, and DEBUG is off: set DJANGO_SECRET_KEY "
            "to a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )


RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


@register()
def check_api_rate_limit(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    rate = getattr(settings, "API_RATE_LIMIT", None)
    if rate and not RATE.match(str(rate)):
        return [
            Error(
                f"API_RATE_LIMIT is {rate!r}; expected '<number>/<s|min|hour|day>' such as '600/min', "
                "or empty for no limit",
                id="embedplatform.E001",
            )
        ]
    return []
