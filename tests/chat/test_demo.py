"""What `make run` sets up (scripts/run.py): the demo admin, their key with every scope, and the demo corpus
they own, so the printed key reaches every route a newcomer tries."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from chat.models import Conversation
from embeddings.configs.services import config_create


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def demo_key(db, tmp_path) -> str:
    config_create(model="all-MiniLM-L6-v2", activate=True)
    _run("create_demo_superuser", "--username", "admin", "--password-file", str(tmp_path / "password"))
    key = _run("create_demo_api_key", "--user", "admin", "--key-file", str(tmp_path / "key"))
    assert _run("seed_demo", "--if-empty", "--owner", "admin", "--conversations", "3") == (
        "demo data: 3 conversations and 135 messages created for 'admin'; their embedding is queued"
    )
    return key


def test_the_demo_admin_owns_the_demo_corpus(demo_key):
    assert set(Conversation.objects.values_list("owner__username", "owner__is_superuser")) == {
        ("admin", True)
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/chat/conversations/", 200),
        ("get", "/v1/models", 200),
        ("get", "/api/embedding/config", 200),
        ("get", "/api/admin/embedding/workers", 200),
    ],
)
def test_the_demo_key_reaches_chat_embedding_and_admin_routes(demo_key, method, path, status):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {demo_key}")

    response = getattr(client, method)(path)

    assert response.status_code == status, response.content
    if path == "/api/chat/conversations/":
        assert response.json()["count"] == 3


def test_seeding_for_a_missing_owner_creates_an_ordinary_user(db):
    config_create(model="all-MiniLM-L6-v2", activate=True)

    _run("seed_demo", "--owner", "newcomer", "--conversations", "1", "--messages-per-conversation", "2")

    owner = Conversation.objects.get().owner
    assert (owner.username, owner.is_staff) == ("newcomer", False)
