"""The message admin: semantic search box ranked by score, state filter, re-embed action."""

import time

import pytest
from django.contrib.auth import get_user_model

from chat.models import Message
from embeddings.models import StoredVector, VectorState
from tests.chat.factories import ConversationFactory

pytestmark = pytest.mark.worker


@pytest.fixture
def admin_client_logged_in(client, transactional_db):
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    client.force_login(user)
    return client


def _wait_embedded(ids, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if StoredVector.objects.filter(source_id__in=ids, state=VectorState.EMBEDDED).count() == len(ids):
            return
        time.sleep(0.2)
    pytest.fail("messages were not embedded")


def test_semantic_search_ranks_messages_by_meaning_and_reembed_requeues(
    served_config, admin_client_logged_in
):
    conversation = ConversationFactory()
    texts = [
        "The stock market fell sharply today.",
        "My kitten loves chasing a ball of yarn.",
        "Preheat the oven before baking the cake.",
    ]
    messages = [Message.objects.create(conversation=conversation, role="user", content=t) for t in texts]
    _wait_embedded([m.pk for m in messages])

    page = admin_client_logged_in.get("/admin/chat/message/", {"q": "a cat playing"})

    rows = [m.pk for m in page.context["cl"].result_list]
    assert rows[0] == messages[1].pk
    assert len(rows) == 3
    filtered = admin_client_logged_in.get("/admin/chat/message/", {"embedding_state": "embedded"})
    assert filtered.context["cl"].result_count == 3

    response = admin_client_logged_in.post(
        "/admin/chat/message/",
        {"action": "reembed_selected", "_selected_action": [messages[0].pk]},
        follow=True,
    )
    assert f"1 message(s) queued for embedding with config {served_config.pk}." in response.content.decode()
    _wait_embedded([messages[0].pk])
