"""apikeys 0002/0003: keys from before owners get the user "legacy-keys" and the scopes that keep what they
could do (embed -> embed+chat, admin -> all three); migrating back gives each its one old scope."""

import pytest

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = ("apikeys", "0001_initial")
AFTER = ("apikeys", "0003_apikey_user_required")


@pytest.fixture
def migrations_restored(transactional_db):
    yield
    migrate_to_latest()


def _old_key(apps, name: str, scope: str) -> int:
    return (
        apps.get_model("apikeys", "ApiKey")
        .objects.create(name=name, scope=scope, prefix=f"{name:0<12}"[:12], hashed_secret="0" * 64)
        .pk
    )


def test_old_keys_go_to_one_legacy_user_with_the_scopes_they_had_and_back(migrations_restored):
    apps = migrate_to(BEFORE)
    apps.get_model("auth", "User").objects.create(username="root", is_superuser=True, is_staff=True)
    embed, admin = _old_key(apps, "embedkey", "embed"), _old_key(apps, "adminkey", "admin")

    apps = migrate_to(AFTER)
    keys = apps.get_model("apikeys", "ApiKey").objects
    assert dict(keys.values_list("pk", "scopes")) == {
        embed: ["embed", "chat"],
        admin: ["embed", "chat", "admin"],
    }
    assert set(keys.values_list("user__username", flat=True)) == {"legacy-keys"}
    legacy = apps.get_model("auth", "User").objects.get(username="legacy-keys")
    assert (legacy.is_staff, legacy.is_superuser, legacy.password.startswith("!")) == (False, False, True)

    apps = migrate_to(BEFORE)
    assert dict(apps.get_model("apikeys", "ApiKey").objects.values_list("pk", "scope")) == {
        embed: "embed",
        admin: "admin",
    }


def test_without_keys_no_legacy_user_is_made(migrations_restored):
    apps = migrate_to(BEFORE)

    apps = migrate_to(AFTER)

    assert not apps.get_model("auth", "User").objects.filter(username="legacy-keys").exists()
