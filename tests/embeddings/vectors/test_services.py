"""Embedding on write: pending rows in the write's transaction, one task per commit, skipped re-embeds."""

import pytest
from django.db import transaction

from chat.models import Message
from embeddings.configs.services import config_create
from embeddings.models import StoredVector, VectorState, hash_text
from embeddings.vectors.registry import NotRegistered, registry
from embeddings.vectors.services import vectors_request
from tests.chat.factories import ConversationFactory, MessageFactory


@pytest.fixture
def config(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks of the block (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(monkeypatch):
    """The embed_sources tasks that would reach the broker."""
    calls = []
    monkeypatch.setattr("embeddings.vectors.services.send_embed_sources", lambda *args: calls.append(args))
    return calls


def test_saving_a_registered_source_makes_a_pending_row_for_the_active_config(config, sent, commit):
    with commit():
        message = MessageFactory(content="hello there")

    row = StoredVector.objects.get(source_type="chat.message", source_id=message.pk)
    assert (row.config_id, row.state, row.text_hash) == (
        config.pk,
        VectorState.PENDING,
        hash_text("hello there"),
    )
    assert sent == [("chat.message", [message.pk], config.pk)]


def test_many_messages_in_one_transaction_are_sent_as_one_task(config, sent, commit):
    conversation = ConversationFactory()
    with commit(), transaction.atomic():
        messages = [
            Message.objects.create(conversation=conversation, role="user", content=f"m{n}") for n in range(30)
        ]
        assert sent == []  # nothing leaves before commit

    assert sent == [("chat.message", [message.pk for message in messages], config.pk)]


def test_a_rolled_back_transaction_sends_nothing_and_the_next_commit_still_sends(config, sent, commit):
    conversation = ConversationFactory()
    with commit():
        with pytest.raises(RuntimeError), transaction.atomic():
            Message.objects.create(conversation=conversation, role="user", content="lost")
            raise RuntimeError("roll back")
        kept = Message.objects.create(conversation=conversation, role="user", content="kept")

    assert sent == [("chat.message", [kept.pk], config.pk)]


def test_saving_unchanged_text_does_not_embed_again_but_an_edit_does(config, sent, commit):
    with commit():
        message = MessageFactory(content="same")
    StoredVector.objects.filter(source_id=message.pk).update(
        state=VectorState.EMBEDDED, embedding=[1.0] * 384
    )
    sent.clear()

    with commit():
        message.save()
    assert sent == []
    message.content = "changed"
    with commit():
        message.save()

    assert sent == [("chat.message", [message.pk], config.pk)]
    assert StoredVector.objects.get(source_id=message.pk).state == VectorState.PENDING


def test_force_requeues_embedded_sources(config, sent):
    message = MessageFactory(content="same")
    StoredVector.objects.filter(source_id=message.pk).update(
        state=VectorState.EMBEDDED, embedding=[1.0] * 384
    )

    ids = vectors_request(registry.for_model(Message), {message.pk: "same"}, config, force=True)

    assert ids == [message.pk]
    assert StoredVector.objects.get(source_id=message.pk).state == VectorState.PENDING


def test_deleting_a_source_deletes_its_vectors_of_every_config(config, sent):
    other = config_create(model="paraphrase-MiniLM-L3-v2")
    message = MessageFactory()
    vectors_request(registry.for_model(Message), {message.pk: message.content}, other)

    message.delete()

    assert not StoredVector.objects.filter(source_id=message.pk).exists()


def test_nothing_is_pending_without_an_active_config(db, sent):
    MessageFactory()

    assert StoredVector.objects.count() == 0
    assert sent == []


def test_an_unregistered_label_is_a_clear_error():
    with pytest.raises(NotRegistered, match="'auth.user' is not a registered embedding source"):
        registry.get("auth.user")
