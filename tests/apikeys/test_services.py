"""Creating, revoking and using API keys."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.secrets import hash_secret, split_key
from apikeys.selectors import api_key_get_by_plain_key
from apikeys.services import (
    api_key_create,
    api_key_mark_used,
    api_key_revoke,
    api_key_update,
    user_get_or_create,
)


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("ci-owner")


def test_created_key_stores_only_the_hash_of_its_secret(owner):
    api_key, plain = api_key_create(name="ci", user=owner, scopes=["admin"])

    parts = split_key(plain)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.prefix == parts.prefix
    assert stored.hashed_secret == hash_secret(parts.secret)
    assert parts.secret not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    assert (stored.name, stored.user, stored.scopes, stored.last_used_at, stored.revoked_at) == (
        "ci",
        owner,
        ["admin"],
        None,
        None,
    )


def test_scopes_are_kept_once_each_in_a_fixed_order(owner):
    api_key, _ = api_key_create(name="ci", user=owner, scopes=["admin", "embed", "admin", "chat"])

    assert ApiKey.objects.get(pk=api_key.pk).scopes == ["embed", "chat", "admin"]
    assert str(api_key) == f"ci [{api_key.prefix}, embed, chat, admin]"


def test_plain_key_finds_its_row_and_a_wrong_secret_does_not(owner):
    api_key, plain = api_key_create(name="ci", user=owner, scopes=["embed"])

    assert api_key_get_by_plain_key(plain) == api_key
    assert api_key_get_by_plain_key(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert api_key_get_by_plain_key("not a key") is None


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [
        ("x", ["embed", "root"], "scope must be one of embed, chat, admin, not 'root'"),
        ("x", [], "an API key needs one or more scopes: embed, chat, admin"),
        ("  ", ["embed"], "an API key needs a name"),
    ],
)
def test_bad_name_or_scopes_are_refused(owner, name, scopes, message):
    with pytest.raises(ValueError, match=message):
        api_key_create(name=name, user=owner, scopes=scopes)
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("scopes", [[], ["embed", "root"]])
def test_the_database_refuses_unknown_or_no_scopes_written_around_the_service(owner, scopes):
    api_key, _ = api_key_create(name="ci", user=owner, scopes=["embed"])

    with pytest.raises(IntegrityError, match="apikeys_apikey_scopes_known_and_not_empty"):
        ApiKey.objects.filter(pk=api_key.pk).update(scopes=scopes)


def test_update_moves_a_key_to_another_user_and_changes_its_scopes_but_not_its_secret(owner):
    api_key, plain = api_key_create(name="ci", user=owner, scopes=["embed"])
    other = get_user_model().objects.create_user("other")

    api_key_update(api_key, name=" renamed ", user=other, scopes=["chat", "embed"])

    stored = api_key_get_by_plain_key(plain)
    assert (stored.name, stored.user, stored.scopes) == ("renamed", other, ["embed", "chat"])


def test_a_missing_user_is_created_as_an_ordinary_user_without_password(db):
    created = user_get_or_create("ingest-bot")

    assert (created.username, created.is_staff, created.is_superuser) == ("ingest-bot", False, False)
    assert not created.has_usable_password()
    assert user_get_or_create("ingest-bot") == created
    with pytest.raises(ValueError, match="a user name must not be empty"):
        user_get_or_create("  ")


def test_revoking_keeps_the_row_and_stamps_the_time_once(owner):
    api_key, _ = api_key_create(name="ci", user=owner, scopes=["embed"])

    api_key_revoke(api_key)
    first = ApiKey.objects.get(pk=api_key.pk).revoked_at
    api_key_revoke(api_key)

    assert first is not None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == first


def test_last_used_is_written_at_most_once_a_minute(owner):
    api_key, _ = api_key_create(name="ci", user=owner, scopes=["embed"])

    api_key_mark_used(api_key)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    api_key_mark_used(api_key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first

    api_key.last_used_at = timezone.now() - timedelta(minutes=2)
    api_key_mark_used(api_key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > first
