"""Writes to API keys (and the users that keys belong to)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyScope
from apikeys.secrets import generate_key, hash_secret

LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_scopes_clean(scopes: Iterable[str]) -> list[str]:
    """Known scopes, each once, in ApiKeyScope's order; at least one."""
    wanted = list(scopes)
    unknown = [scope for scope in wanted if scope not in ApiKeyScope.values]
    if unknown:
        raise ValueError(f"scope must be one of {', '.join(ApiKeyScope.values)}, not '{unknown[0]}'")
    if not wanted:
        raise ValueError(f"an API key needs one or more scopes: {', '.join(ApiKeyScope.values)}")
    return [scope for scope in ApiKeyScope.values if scope in wanted]


def api_key_create(*, name: str, user: AbstractBaseUser, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """A new key of `user` and its plain text. The plain text exists only in this return value: show it
    once."""
    cleaned = api_key_scopes_clean(scopes)
    if not name.strip():
        raise ValueError("an API key needs a name")
    plain, parts = generate_key()
    api_key = ApiKey.objects.create(
        name=name.strip(),
        user=user,
        scopes=cleaned,
        prefix=parts.prefix,
        hashed_secret=hash_secret(parts.secret),
    )
    return api_key, plain


def api_key_update(api_key: ApiKey, *, name: str, user: AbstractBaseUser, scopes: Iterable[str]) -> ApiKey:
    """Rename a key, move it to another user or change its scopes; its secret stays the same."""
    cleaned = api_key_scopes_clean(scopes)
    if not name.strip():
        raise ValueError("an API key needs a name")
    api_key.name, api_key.user, api_key.scopes = name.strip(), user, cleaned
    api_key.save(update_fields=["name", "user", "scopes"])
    return api_key


def user_get_or_create(username: str) -> AbstractBaseUser:
    """The user named `username`; a new one is an ordinary user (not staff) with no password, so it can
    own keys and conversations but not log in to the admin."""
    if not username.strip():
        raise ValueError("a user name must not be empty")
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username.strip()}).first()
    return user or User._default_manager.create_user(username.strip())


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
