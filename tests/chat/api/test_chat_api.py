"""The chat API: conversations, paginated messages, bad inputs; search and context on the real worker."""

import time

import pytest
from django.core.management import call_command

from chat.models import Conversation, Message
from embeddings.configs.services import config_create
from embeddings.models import StoredVector, VectorState
from tests.chat.factories import ConversationFactory, MessageFactory


@pytest.fixture
def config(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


def test_conversations_are_created_and_listed(db, api_client):
    response = api_client.post(
        "/api/chat/conversations/", {"title": "Trip", "metadata": {"lang": "en"}}, format="json"
    )

    assert response.status_code == 201
    listed = api_client.get("/api/chat/conversations/").json()
    assert listed["count"] == 1
    assert listed["results"][0] | {"created_at": None} == {
        "id": response.json()["id"],
        "title": "Trip",
        "metadata": {"lang": "en"},
        "created_at": None,
        "message_count": 0,
    }


def test_messages_are_paginated_oldest_first_with_their_embedding_state(config, api_client):
    conversation = ConversationFactory()
    messages = MessageFactory.create_batch(7, conversation=conversation)
    MessageFactory()  # another conversation's

    first = api_client.get(f"/api/chat/conversations/{conversation.pk}/messages/?page_size=3").json()
    last = api_client.get(f"/api/chat/conversations/{conversation.pk}/messages/?page_size=3&page=3").json()

    assert first["count"] == 7
    assert [item["id"] for item in first["results"]] == [m.pk for m in messages[:3]]
    assert [item["id"] for item in last["results"]] == [messages[6].pk]
    assert last["next"] is None
    assert first["results"][0]["embedding"] == {"state": "pending", "error": "", "config_id": config.pk}


def test_a_failed_embedding_shows_its_error(config, api_client):
    message = MessageFactory()
    StoredVector.objects.filter(source_id=message.pk).update(
        state=VectorState.FAILED, error="RuntimeError: oom"
    )

    body = api_client.get(f"/api/chat/messages/{message.pk}/").json()

    assert body["embedding"] == {"state": "failed", "error": "RuntimeError: oom", "config_id": config.pk}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (
            "/api/chat/search",
            {"query": "x", "k": 0},
            400,
            "k: Ensure this value is greater than or equal to 1.",
        ),
        (
            "/api/chat/search",
            {"query": "x", "k": 101},
            400,
            "k: Ensure this value is less than or equal to 100.",
        ),
        ("/api/chat/search", {"query": ""}, 400, "query: must not be empty or only whitespace."),
        ("/api/chat/search", {"query": "   "}, 400, "query: must not be empty or only whitespace."),
        ("/api/chat/search", {}, 400, "query: This field is required."),
        ("/api/chat/search", {"query": "x", "role": "robot"}, 400, 'role: "robot" is not a valid choice.'),
        (
            "/api/chat/search",
            {"query": "x", "min_score": 2},
            400,
            "min_score: Ensure this value is less than or equal to 1.0.",
        ),
        ("/api/chat/search", {"query": "x", "topk": 3}, 400, "unknown field(s): topk."),
        (
            "/api/chat/search",
            {"query": "x", "conversation_id": 999999},
            404,
            "conversation 999999 does not exist",
        ),
        (
            "/api/chat/context",
            {"conversation_id": 999999, "query": "x"},
            404,
            "conversation 999999 does not exist",
        ),
        (
            "/api/chat/context",
            {"conversation_id": 1, "query": "x", "recent": 101},
            400,
            "recent: Ensure this value is less than or equal to 100.",
        ),
        (
            "/api/chat/conversations/999999/messages/",
            {"role": "user", "content": "hi"},
            404,
            "conversation 999999 does not exist",
        ),
    ],
)
def test_bad_input_is_a_clear_4xx(config, api_client, path, body, status, message):
    response = api_client.post(path, body, format="json")

    assert response.status_code == status, response.content
    assert response.json()["error"]["message"] == message


def test_unknown_conversation_messages_list_is_a_404(db, api_client):
    response = api_client.get("/api/chat/conversations/424242/messages/")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "message": "conversation 424242 does not exist",
        "type": "not_found_error",
        "param": "conversation_id",
        "code": "not_found",
    }


def test_a_message_with_a_bad_role_is_refused(db, api_client):
    conversation = ConversationFactory()

    response = api_client.post(
        f"/api/chat/conversations/{conversation.pk}/messages/",
        {"role": "robot", "content": "hi"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == 'role: "robot" is not a valid choice.'


def _wait_all_embedded(config_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not StoredVector.objects.filter(config_id=config_id).exclude(state=VectorState.EMBEDDED).exists():
            return
        time.sleep(0.3)
    pytest.fail("the demo messages were not embedded in time")


@pytest.mark.worker
def test_search_on_the_demo_corpus_finds_the_topic_and_reports_coverage(served_config, api_client):
    call_command("seed_demo", conversations=20, messages_per_conversation=6)
    _wait_all_embedded(served_config.pk)

    body = api_client.post(
        "/api/chat/search", {"query": "my sourdough loaf came out flat and dense", "k": 5}, format="json"
    ).json()

    titles = [Conversation.objects.get(pk=r["conversation_id"]).title for r in body["results"]]
    assert len(titles) == 5
    assert titles[:2] == ["Sourdough baking #1", "Sourdough baking #1"]
    assert body["config_id"] == served_config.pk
    assert body["coverage"] == {"embedded": 120, "pending": 0, "failed": 0, "stale": 0, "total": 120}
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)

    filtered = api_client.post(
        "/api/chat/search",
        {"query": "my sourdough loaf came out flat", "k": 3, "role": "assistant", "min_score": 0.3},
        format="json",
    ).json()
    assert filtered["results"] and {r["role"] for r in filtered["results"]} == {"assistant"}
    assert all(r["score"] >= 0.3 for r in filtered["results"])

    conversation = Conversation.objects.get(title="Dog training #1")
    context = api_client.post(
        "/api/chat/context",
        {"conversation_id": conversation.pk, "k": 2, "recent": 2, "query": "what is this assistant about?"},
        format="json",
    ).json()
    ordered = list(conversation.messages.order_by("created_at", "id"))
    ids = [m["message_id"] for m in context["messages"]]
    assert ids[-2:] == [ordered[-2].pk, ordered[-1].pk]
    assert len(ids) == 4 and ids == sorted(ids)
    assert [m["reason"] for m in context["messages"]][-2:] == ["recent", "recent"]
    assert ordered[0].pk in ids  # the system message is the most relevant to the query


def test_seed_demo_is_deterministic_idempotent_and_large_enough(config):
    call_command("seed_demo")
    first = list(Message.objects.order_by("id").values_list("content", flat=True)[:50])
    call_command("seed_demo")

    assert Conversation.objects.count() == 120
    assert Message.objects.count() == 5400
    assert StoredVector.objects.filter(state=VectorState.PENDING, config=config).count() == 5400
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    call_command("seed_demo", conversations=2)
    assert list(Message.objects.order_by("id").values_list("content", flat=True)[:50]) == first
