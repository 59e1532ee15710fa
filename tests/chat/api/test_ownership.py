"""Each API key sees, edits, deletes and searches only its user's conversations; someone else's answer 404
(as if they did not exist), never 403. Staff sessions see everyone's."""

import math

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from chat import selectors
from chat.models import Conversation, Message
from embeddings.configs.services import config_create
from tests.chat.factories import ConversationFactory, MessageFactory, UserFactory
from tests.vectors import plant, unit

SOURCE = "chat.message"


@pytest.fixture
def config(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def _client_of(make_api_key, user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key(['chat'], user=user)}")
    return client


@pytest.fixture
def alice_client(make_api_key, alice) -> APIClient:
    return _client_of(make_api_key, alice)


@pytest.fixture
def bobs(bob):
    """Bob's conversation with one message."""
    conversation = ConversationFactory(owner=bob, title="bob's")
    return conversation, MessageFactory(conversation=conversation, content="bob's secret")


def _not_found(response, what: str, pk: int) -> None:
    assert response.status_code == 404, response.content
    assert response.json()["error"]["message"] == f"{what} {pk} does not exist"


def test_a_conversation_created_with_a_key_belongs_to_the_keys_user(config, alice_client, alice):
    response = alice_client.post("/api/chat/conversations/", {"title": "mine"}, format="json")

    assert response.status_code == 201
    assert Conversation.objects.get(pk=response.json()["id"]).owner == alice


def test_the_list_shows_only_the_keys_users_conversations(config, alice_client, alice, bobs):
    mine = ConversationFactory(owner=alice)

    body = alice_client.get("/api/chat/conversations/").json()

    assert (body["count"], [item["id"] for item in body["results"]]) == (1, [mine.pk])


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_someone_elses_conversation_is_a_404_for_read_edit_and_delete(config, alice_client, bobs, method):
    conversation, _ = bobs

    response = getattr(alice_client, method)(
        f"/api/chat/conversations/{conversation.pk}/", {"title": "taken"}, format="json"
    )

    _not_found(response, "conversation", conversation.pk)
    assert Conversation.objects.get(pk=conversation.pk).title == "bob's"


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_messages_can_be_neither_listed_nor_added(config, alice_client, bobs, method):
    conversation, _ = bobs

    response = getattr(alice_client, method)(
        f"/api/chat/conversations/{conversation.pk}/messages/",
        {"role": "user", "content": "hi"},
        format="json",
    )

    _not_found(response, "conversation", conversation.pk)
    assert Message.objects.filter(conversation=conversation).count() == 1


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_someone_elses_message_is_a_404_for_read_edit_and_delete(config, alice_client, bobs, method):
    _, message = bobs

    response = getattr(alice_client, method)(
        f"/api/chat/messages/{message.pk}/", {"content": "x"}, format="json"
    )

    _not_found(response, "message", message.pk)
    assert Message.objects.get(pk=message.pk).content == "bob's secret"


def test_own_conversation_and_message_are_read_edited_and_deleted(config, alice_client, alice):
    conversation = ConversationFactory(owner=alice)
    message = MessageFactory(conversation=conversation)

    assert alice_client.get(f"/api/chat/conversations/{conversation.pk}/").status_code == 200
    edited = alice_client.patch(f"/api/chat/messages/{message.pk}/", {"content": "edited"}, format="json")
    assert edited.json()["content"] == "edited"
    assert alice_client.delete(f"/api/chat/conversations/{conversation.pk}/").status_code == 204
    assert not Message.objects.filter(pk=message.pk).exists()


@pytest.fixture
def planted(config, alice, bobs, monkeypatch):
    """Alice's message at 40 degrees from the query, Bob's at 1: Bob's is far nearer."""
    monkeypatch.setattr(selectors, "embed_query", lambda config, query: unit(0))
    mine = MessageFactory(conversation=ConversationFactory(owner=alice), content="alice's")
    plant(SOURCE, mine.pk, config, unit(40))
    plant(SOURCE, bobs[1].pk, config, unit(1))
    return mine


def test_search_without_a_conversation_finds_only_the_keys_users_messages(planted, alice_client):
    body = alice_client.post("/api/chat/search", {"query": "anything", "k": 10}, format="json").json()

    assert [(r["message_id"], r["score"]) for r in body["results"]] == [
        (planted.pk, round(math.cos(math.radians(40)), 6))
    ]
    assert body["coverage"] == {"embedded": 1, "pending": 0, "failed": 0, "stale": 0, "total": 1}


@pytest.mark.parametrize("path", ["/api/chat/search", "/api/chat/context"])
def test_search_and_context_in_someone_elses_conversation_are_a_404(planted, alice_client, bobs, path):
    conversation, _ = bobs

    response = alice_client.post(path, {"query": "x", "conversation_id": conversation.pk}, format="json")

    _not_found(response, "conversation", conversation.pk)


def test_a_staff_session_sees_and_searches_everyones(planted, api_client, bobs):
    listed = api_client.get("/api/chat/conversations/").json()
    found = api_client.post("/api/chat/search", {"query": "x", "k": 10}, format="json").json()

    assert listed["count"] == 2
    assert [r["message_id"] for r in found["results"]] == [bobs[1].pk, planted.pk]


def test_a_key_of_a_staff_user_still_sees_only_that_users_conversations(config, make_api_key, bobs):
    superuser = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    own = ConversationFactory(owner=superuser)

    body = _client_of(make_api_key, superuser).get("/api/chat/conversations/").json()

    assert [item["id"] for item in body["results"]] == [own.pk]


def test_a_session_of_an_ordinary_user_is_refused_not_filtered(config, alice, bobs):
    client = APIClient()
    client.force_login(alice)

    response = client.get("/api/chat/conversations/")

    assert response.status_code == 403
    assert (
        response.json()["error"]["message"]
        == "this endpoint needs an API key with the 'chat' scope or a staff session"
    )


def test_selectors_show_an_ordinary_user_only_their_own(alice, bobs):
    """The rule the views rely on, for users reaching the selectors by another way than a key."""
    mine = ConversationFactory(owner=alice)

    assert list(selectors.conversation_list(user=alice)) == [mine]
    assert selectors.conversation_list(user=bobs[0].owner).get() == bobs[0]
