"""Creating, revoking and using API keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.secrets import hash_secret, split_key
from apikeys.selectors import api_key_get_by_plain_key
from apikeys.services import api_key_create, api_key_mark_used, api_key_revoke


def test_created_key_stores_only_the_hash_of_its_secret(db):
    api_key, plain = api_key_create(name="ci", scope="admin")

    parts = split_key(plain)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.prefix == parts.prefix
    assert stored.hashed_secret == hash_secret(parts.secret)
    assert parts.secret not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    assert (stored.name, stored.scope, stored.last_used_at, stored.revoked_at) == ("ci", "admin", None, None)


def test_plain_key_finds_its_row_and_a_wrong_secret_does_not(db):
    api_key, plain = api_key_create(name="ci")

    assert api_key_get_by_plain_key(plain) == api_key
    assert api_key_get_by_plain_key(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert api_key_get_by_plain_key("not a key") is None


@pytest.mark.parametrize(
    ("name", "scope", "message"),
    [
        ("x", "root", "scope must be one of embed, admin, not 'root'"),
        ("  ", "embed", "an API key needs a name"),
    ],
)
def test_bad_name_or_scope_is_refused(db, name, scope, message):
    with pytest.raises(ValueError, match=message):
        api_key_create(name=name, scope=scope)


def test_revoking_keeps_the_row_and_stamps_the_time_once(db):
    api_key, _ = api_key_create(name="ci")

    api_key_revoke(api_key)
    first = ApiKey.objects.get(pk=api_key.pk).revoked_at
    api_key_revoke(api_key)

    assert first is not None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == first


def test_last_used_is_written_at_most_once_a_minute(db):
    api_key, _ = api_key_create(name="ci")

    api_key_mark_used(api_key)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    api_key_mark_used(api_key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first

    api_key.last_used_at = timezone.now() - timedelta(minutes=2)
    api_key_mark_used(api_key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > first
