"""create_api_key, revoke_api_key and create_demo_api_key (what `make run` prints)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apikeys.models import ApiKey
from apikeys.selectors import api_key_get_by_plain_key
from apikeys.services import api_key_create


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_api_key_prints_only_the_key_made_for_a_new_ordinary_user(db):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_key", "--name", "ingest", "--user", "etl", "--scope", "chat", "--scope", "embed",
        stdout=out, stderr=err,
    )  # fmt: skip

    plain = out.getvalue().strip()
    api_key = api_key_get_by_plain_key(plain)
    assert out.getvalue() == plain + "\n"
    assert (api_key.name, api_key.user.username, api_key.scopes) == ("ingest", "etl", ["embed", "chat"])
    assert (api_key.user.is_staff, api_key.user.has_usable_password()) == (False, False)
    assert err.getvalue() == (
        f"created API key 'ingest' for user 'etl' (prefix {api_key.prefix}, scopes embed, chat); "
        "copy it now, it is not shown again:\n"
    )


def test_create_api_key_gives_an_existing_user_another_key(db):
    user = get_user_model().objects.create_user("etl")

    plain = _run("create_api_key", "--name", "second", "--user", "etl", "--scope", "admin")

    assert api_key_get_by_plain_key(plain).user == user
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "etl", "--scope", "root"], "argument --scope: invalid choice: 'root'"),
        (["--user", "etl"], "the following arguments are required: --scope"),
        (["--scope", "embed"], "the following arguments are required: --user"),
        (["--user", " ", "--scope", "embed"], "a user name must not be empty"),
    ],
)
def test_create_api_key_refuses_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", "--name", "x", *args)
    assert ApiKey.objects.count() == 0


def test_revoke_api_key_by_prefix(db):
    plain = _run("create_api_key", "--name", "temp", "--user", "etl", "--scope", "embed")
    prefix = plain.split("-")[1]

    assert _run("revoke_api_key", prefix) == f"revoked temp [{prefix}, embed] (revoked)"
    assert ApiKey.objects.get(prefix=prefix).revoked_at is not None
    with pytest.raises(CommandError, match="no API key with prefix 'nope'"):
        call_command("revoke_api_key", "nope")


@pytest.fixture
def demo_admin(db, tmp_path):
    _run("create_demo_superuser", "--password-file", str(tmp_path / "admin-password"))
    return get_user_model().objects.get(username="admin")


def test_demo_key_is_created_once_with_every_scope_for_the_demo_admin(demo_admin, tmp_path):
    key_file = tmp_path / "demo-api-key"

    first = _run("create_demo_api_key", "--key-file", str(key_file))
    second = _run("create_demo_api_key", "--key-file", str(key_file))

    assert first == second == key_file.read_text()
    api_key = api_key_get_by_plain_key(first)
    assert (api_key.user, api_key.scopes) == (demo_admin, ["embed", "chat", "admin"])
    assert ApiKey.objects.count() == 1
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_a_kept_demo_key_from_before_owners_is_moved_to_the_demo_admin(demo_admin, tmp_path):
    """After the upgrade migration the old demo key belongs to 'legacy-keys'; make run gives it back."""
    legacy = get_user_model().objects.create_user("legacy-keys")
    _, plain = api_key_create(name="demo (make run)", user=legacy, scopes=["embed", "chat", "admin"])
    key_file = tmp_path / "demo-api-key"
    key_file.write_text(plain)

    assert _run("create_demo_api_key", "--key-file", str(key_file)) == plain
    assert api_key_get_by_plain_key(plain).user == demo_admin


def test_demo_key_is_replaced_when_revoked(demo_admin, tmp_path):
    key_file = tmp_path / "demo-api-key"
    first = _run("create_demo_api_key", "--key-file", str(key_file))
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")

    second = _run("create_demo_api_key", "--key-file", str(key_file))

    assert second != first
    assert api_key_get_by_plain_key(second).revoked_at is None


def test_demo_key_needs_the_demo_admin_first(db, tmp_path):
    with pytest.raises(CommandError, match="no user 'admin': run create_demo_superuser first"):
        call_command("create_demo_api_key", "--key-file", str(tmp_path / "demo-api-key"))
