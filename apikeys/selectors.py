"""Reads of API keys."""

from __future__ import annotations

from apikeys.models import ApiKey
from apikeys.secrets import secret_matches, split_key


def api_key_get_by_plain_key(plain_key: str) -> ApiKey | None:
    """The key (revoked or not) whose prefix and secret match `plain_key`; None when none does."""
    parts = split_key(plain_key)
    if parts is None:
        return None
    api_key = ApiKey.objects.filter(prefix=parts.prefix).first()
    if api_key is None or not secret_matches(parts.secret, api_key.hashed_secret):
        return None
    return api_key


def api_key_list() -> list[ApiKey]:
    return list(ApiKey.objects.all())
