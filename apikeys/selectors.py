"""Reads of API keys."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from apikeys.models import ApiKey
from apikeys.secrets import secret_matches, split_key
from embedplatform.generations import GenerationCache

# Read on every API request; every save or delete of a key or a user bumps it (apikeys.receivers).
API_KEYS: GenerationCache[ApiKey | None] = GenerationCache("api-keys")


def api_key_get_by_plain_key(plain_key: str) -> ApiKey | None:
    """The key (revoked or not) whose prefix and secret match `plain_key`; None when none does."""
    return _matching(plain_key, lambda prefix: _with_user().filter(prefix=prefix).first())


def api_key_get_for_request(plain_key: str) -> ApiKey | None:
    """The same, for authenticating a request: from this process's cache while no key has changed."""
    return _matching(
        plain_key, lambda prefix: API_KEYS.get(prefix, lambda: _with_user().filter(prefix=prefix).first())
    )


def _with_user() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("user")


def _matching(plain_key: str, find: Callable[[str], ApiKey | None]) -> ApiKey | None:
    parts = split_key(plain_key)
    if parts is None:
        return None
    api_key = find(parts.prefix)
    if api_key is None or not secret_matches(parts.secret, api_key.hashed_secret):
        return None
    return api_key


def api_key_list() -> list[ApiKey]:
    return list(_with_user())
