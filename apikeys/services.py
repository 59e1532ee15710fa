"""Writes to API keys."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyScope
from apikeys.secrets import generate_key, hash_secret

LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_create(*, name: str, scope: str = ApiKeyScope.EMBED) -> tuple[ApiKey, str]:
    """A new key and its plain text. The plain text exists only in this return value: show it once."""
    if scope not in ApiKeyScope.values:
        raise ValueError(f"scope must be one of {', '.join(ApiKeyScope.values)}, not '{scope}'")
    if not name.strip():
        raise ValueError("an API key needs a name")
    plain, parts = generate_key()
    api_key = ApiKey.objects.create(
        name=name.strip(), scope=scope, prefix=parts.prefix, hashed_secret=hash_secret(parts.secret)
    )
    return api_key, plain


def api_key_revoke(api_key: ApiKey) -> ApiKey:
    """Revoked keys stay listed (who had access, until when) but authenticate nothing."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_mark_used(api_key: ApiKey) -> None:
    """Record use at most once a minute per key, so authentication does not write on every request."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
