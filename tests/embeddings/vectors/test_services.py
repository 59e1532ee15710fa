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


def test_saving_a_registered_source_makes_a_pending_row_for_the_active_config_sent_live(config, sent, commit):
    with commit():
        message = MessageFactory(content="hello there")

    row = StoredVector.objects.get(source_type="chat.message", source_id=message.pk)
    assert (row.config_id, row.state, row.text_hash) == (
        config.pk,
        VectorState.PENDING,
        hash_text("hello there"),
    )
    assert sent == [("chat.message", [message.pk], config.pk, True)]


def test_many_messages_in_one_transaction_are_sent_as_one_task(config, sent, commit):
    conversation = ConversationFactory()
    with commit(), transaction.atomic():
        messages = [
            Message.objects.create(conversation=conversation, role="user", content=f"m{n}") for n in range(30)
        ]
        assert sent == []  # nothing leaves before commit

    assert sent == [("chat.message", [message.pk for message in messages], config.pk, True)]


def test_a_rolled_back_transaction_sends_nothing_and_the_next_commit_still_sends(config, sent, commit):
    conversation = ConversationFactory()
    with commit():
        with pytest.raises(RuntimeError), transaction.atomic():
            Message.objects.create(conversation=conversation, role="user", content="lost")
            raise RuntimeError("roll back")
        kept = Message.objects.create(conversation=conversation, role="user", content="kept")

    assert sent == [("chat.message", [kept.pk], config.pk, True)]


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

    assert sent == [("chat.message", [message.pk], config.pk, True)]
    assert StoredVector.objects.get(source_id=message.pk).state == VectorState.PENDING


def test_force_embeds_again_while_the_current_vector_keeps_serving(config, sent, commit):
    with commit():
        message = MessageFactory(content="same")
        edited = MessageFactory(content="before")
    StoredVector.objects.filter(source_id__in=[message.pk, edited.pk]).update(
        state=VectorState.EMBEDDED, embedding=[1.0] * 384
    )
    sent.clear()

    with commit():
        ids = vectors_request(
            registry.for_model(Message), {message.pk: "same", edited.pk: "after"}, config, force=True
        )

    assert ids == [message.pk, edited.pk]
    states = dict(StoredVector.objects.values_list("source_id", "state"))
    assert states == {message.pk: VectorState.EMBEDDED, edited.pk: VectorState.PENDING}  # still searchable
    assert sorted(sent) == sorted(
        [
            ("chat.message", [edited.pk], config.pk, False),
            ("chat.message", [message.pk], config.pk, False, "refresh"),
        ]
    )


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


def _embedded_row(message, config, text: str) -> StoredVector:
    return StoredVector.objects.update_or_create(
        source_type="chat.message",
        source_id=message.pk,
        config=config,
        defaults={"state": VectorState.EMBEDDED, "text_hash": hash_text(text), "embedding": [0.1] * 384},
    )[0]


def test_editing_a_text_marks_the_vectors_of_other_configs_stale(config, sent, commit):
    other = config_create(model="paraphrase-MiniLM-L3-v2-onnx")  # (its index: before any row is written)
    with commit():
        message = MessageFactory(content="the old text")
    previous = _embedded_row(message, other, "the old text")

    with commit():
        message.content = "the new text"
        message.save()

    previous.refresh_from_db()
    active = StoredVector.objects.get(source_id=message.pk, config=config)
    assert previous.state == VectorState.STALE  # never searched as if it were the new text's
    assert (active.state, active.text_hash) == (VectorState.PENDING, hash_text("the new text"))


def test_saving_an_unchanged_text_leaves_the_other_configs_vectors_fresh(config, sent, commit):
    other = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    with commit():
        message = MessageFactory(content="unchanged")
    fresh = _embedded_row(message, other, "unchanged")

    with commit():
        message.save()

    fresh.refresh_from_db()
    assert fresh.state == VectorState.EMBEDDED


def test_stale_vectors_count_in_coverage_and_are_queued_again_by_a_backfill(config, sent, commit):
    from embeddings.vectors.selectors import vector_coverage
    from embeddings.vectors.services import vectors_backfill

    other = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    with commit():
        edited, kept = MessageFactory(content="first"), MessageFactory(content="second")
    _embedded_row(edited, other, "first")
    _embedded_row(kept, other, "second")
    with commit():
        edited.content = "first, edited"
        edited.save()
    both = Message.objects.filter(pk__in=[edited.pk, kept.pk])

    coverage = vector_coverage(other, "chat.message", both)
    assert (coverage.embedded, coverage.stale, coverage.pending, coverage.total) == (1, 1, 0, 2)

    sent.clear()
    with commit():
        assert vectors_backfill(registry.get("chat.message"), other) == 1
    assert StoredVector.objects.get(source_id=edited.pk, config=other).state == VectorState.PENDING
    assert sent == [("chat.message", [edited.pk], other.pk, False)]  # a backfill is bulk work
