"""Embedding on write through the real Celery worker and the real MiniLM model."""

import time

import numpy as np
import pytest

from chat.models import Message
from embeddings.models import StoredVector, VectorState
from tests.chat.factories import ConversationFactory

pytestmark = pytest.mark.worker


def wait_for_states(ids, state, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(StoredVector.objects.filter(source_id__in=ids).values_list("state", flat=True))
        if len(rows) == len(ids) and all(row == state for row in rows):
            return
        time.sleep(0.2)
    pytest.fail(f"rows did not all become {state}: {rows}")


def test_messages_written_through_the_api_are_embedded_by_the_worker_with_provenance(
    served_config, api_client, reference_model
):
    conversation = ConversationFactory()
    texts = ["The cat sleeps on the warm windowsill.", "Interest rates rose again this quarter."]
    ids = [
        api_client.post(
            f"/api/chat/conversations/{conversation.pk}/messages/",
            {"role": "user", "content": text},
            format="json",
        ).json()["id"]
        for text in texts
    ]

    wait_for_states(ids, VectorState.EMBEDDED)
    rows = {row.source_id: row for row in StoredVector.objects.filter(source_id__in=ids)}
    for message_id, text in zip(ids, texts, strict=True):
        row = rows[message_id]
        vector = np.asarray(row.embedding.to_list() if hasattr(row.embedding, "to_list") else row.embedding)
        assert float(vector @ reference_model.encode(text)) >= 0.9999
        assert (row.config_id, row.model, row.backend, row.revision) == (
            served_config.pk,
            "all-MiniLM-L6-v2",
            "torch",
            "",
        )
        assert row.embedded_at is not None
    body = api_client.get(f"/api/chat/messages/{ids[0]}/").json()
    assert body["embedding"] == {"state": "embedded", "error": "", "config_id": served_config.pk}


def test_a_task_that_runs_again_does_nothing(served_config):
    from embeddings.worker.source_embedding import embed_pending_sources

    conversation = ConversationFactory()
    message = Message.objects.create(conversation=conversation, role="user", content="idempotent")
    wait_for_states([message.pk], VectorState.EMBEDDED)
    before = StoredVector.objects.get(source_id=message.pk).embedded_at

    assert embed_pending_sources("chat.message", [message.pk], served_config.pk) == 0
    assert StoredVector.objects.get(source_id=message.pk).embedded_at == before
