"""chat 0002/0003: conversations from before owners go to the first active superuser, or, with none, to the
ordinary user "legacy-keys" (the same one apikeys 0002 gives old keys)."""

import pytest

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = ("chat", "0001_initial")
AFTER = ("chat", "0003_conversation_owner_required")


@pytest.fixture
def migrations_restored(transactional_db):
    yield
    migrate_to_latest()


def _old_conversations(apps, count: int) -> list[int]:
    conversations = apps.get_model("chat", "Conversation").objects
    return [conversations.create(title=f"old {index}").pk for index in range(count)]


def test_old_conversations_go_to_the_first_active_superuser(migrations_restored):
    apps = migrate_to(BEFORE)
    users = apps.get_model("auth", "User").objects
    users.create(username="plain")
    users.create(username="gone", is_superuser=True, is_active=False)
    first = users.create(username="first", is_superuser=True, is_staff=True)
    users.create(username="second", is_superuser=True, is_staff=True)
    old = _old_conversations(apps, 3)

    apps = migrate_to(AFTER)

    owners = (
        apps.get_model("chat", "Conversation").objects.filter(pk__in=old).values_list("owner_id", flat=True)
    )
    assert list(owners) == [first.pk] * 3
    assert not apps.get_model("auth", "User").objects.filter(username="legacy-keys").exists()


def test_with_no_superuser_old_conversations_go_to_the_legacy_user(migrations_restored):
    apps = migrate_to(BEFORE)
    apps.get_model("auth", "User").objects.create(username="legacy-keys")  # made by apikeys 0002 already
    old = _old_conversations(apps, 2)

    apps = migrate_to(AFTER)

    owners = (
        apps.get_model("chat", "Conversation")
        .objects.filter(pk__in=old)
        .values_list("owner__username", flat=True)
    )
    assert list(owners) == ["legacy-keys", "legacy-keys"]
    assert apps.get_model("auth", "User").objects.filter(username="legacy-keys").count() == 1
