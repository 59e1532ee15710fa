"""create_api_key, revoke_api_key and create_demo_api_key (what `make run` prints)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apikeys.models import ApiKey
from apikeys.selectors import api_key_get_by_plain_key


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_api_key_prints_a_working_key_once(db):
    plain = _run("create_api_key", "--name", "ingest", "--scope", "admin")

    api_key = api_key_get_by_plain_key(plain)
    assert (api_key.name, api_key.scope) == ("ingest", "admin")


def test_create_api_key_refuses_an_unknown_scope(db):
    with pytest.raises(CommandError, match="invalid choice: 'root'"):
        call_command("create_api_key", "--name", "x", "--scope", "root")


def test_revoke_api_key_by_prefix(db):
    plain = _run("create_api_key", "--name", "temp")
    prefix = plain.split("-")[1]

    assert _run("revoke_api_key", prefix) == f"revoked temp [{prefix}, embed] (revoked)"
    assert ApiKey.objects.get(prefix=prefix).revoked_at is not None
    with pytest.raises(CommandError, match="no API key with prefix 'nope'"):
        call_command("revoke_api_key", "nope")


def test_demo_key_is_created_once_and_reprinted(db, tmp_path):
    key_file = tmp_path / "demo-api-key"

    first = _run("create_demo_api_key", "--key-file", str(key_file))
    second = _run("create_demo_api_key", "--key-file", str(key_file))

    assert first == second == key_file.read_text()
    assert api_key_get_by_plain_key(first).scope == "admin"
    assert ApiKey.objects.count() == 1
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_demo_key_is_replaced_when_revoked(db, tmp_path):
    key_file = tmp_path / "demo-api-key"
    first = _run("create_demo_api_key", "--key-file", str(key_file))
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")

    second = _run("create_demo_api_key", "--key-file", str(key_file))

    assert second != first
    assert api_key_get_by_plain_key(second).revoked_at is None
