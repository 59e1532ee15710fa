"""The worker's store: one statement per chunk, only for rows still pending for the text that was encoded."""

import numpy as np
import pytest

from embeddings.configs.services import config_create
from embeddings.models import StoredVector, VectorState, hash_text
from embeddings.vectors.storage import vectors_pending, vectors_store
from tests.chat.factories import MessageFactory


@pytest.fixture
def config(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


def pending_rows(config, *messages):
    return vectors_pending(config.pk, "chat.message", [message.pk for message in messages])


def test_a_chunk_is_stored_with_its_provenance(config):
    first, second = MessageFactory(content="one"), MessageFactory(content="two")
    rows = pending_rows(config, first, second)
    vectors = np.random.default_rng(1).random((2, 384), dtype=np.float32)

    assert vectors_store(rows, ["one", "two"], vectors, config) == 2

    stored = {row.source_id: row for row in StoredVector.objects.filter(config=config)}
    assert np.array_equal(stored[first.pk].embedding, vectors[0]) and np.array_equal(  # exact: binary
        stored[second.pk].embedding, vectors[1]
    )
    assert {row.state for row in stored.values()} == {VectorState.EMBEDDED}
    assert stored[first.pk].model == "all-MiniLM-L6-v2" and stored[first.pk].embedded_at is not None
    assert pending_rows(config, first, second) == []


def test_storing_again_changes_nothing(config):
    message = MessageFactory(content="once")
    rows = pending_rows(config, message)
    vectors_store(rows, ["once"], np.ones((1, 384), dtype=np.float32), config)

    assert vectors_store(rows, ["once"], np.zeros((1, 384), dtype=np.float32), config) == 0
    assert np.allclose(StoredVector.objects.get(source_id=message.pk).embedding, 1.0)


def test_a_text_edited_after_it_was_read_is_left_pending_for_its_own_task(config):
    message = MessageFactory(content="before")
    rows = pending_rows(config, message)
    message.content = "after"
    message.save()  # re-requested: the row now waits for the new text's hash

    assert vectors_store(rows, ["before"], np.ones((1, 384), dtype=np.float32), config) == 0
    row = StoredVector.objects.get(source_id=message.pk)
    assert (row.state, row.text_hash) == (VectorState.PENDING, hash_text("after"))


def test_a_refresh_replaces_a_current_vector_in_place(config):
    message = MessageFactory(content="again")
    vectors_store(pending_rows(config, message), ["again"], np.ones((1, 384), dtype=np.float32), config)
    assert pending_rows(config, message) == []  # embedded: a normal task leaves it alone

    rows = vectors_pending(config.pk, "chat.message", [message.pk], refresh=True)
    assert vectors_store(rows, ["again"], np.zeros((1, 384), dtype=np.float32), config, refresh=True) == 1
    row = StoredVector.objects.get(source_id=message.pk)
    assert row.state == VectorState.EMBEDDED and np.allclose(row.embedding, 0.0)
