"""Live writes first: a message saved while a backfill runs is embedded ahead of the backlog, through the real
worker. No timing assertion: the check is the order (the backfill still has pending rows when the live
message's vector is there)."""

import time

import pytest

from chat.models import Message
from embeddings.models import StoredVector, VectorState
from embeddings.vectors.registry import registry
from embeddings.vectors.services import vectors_backfill
from tests.chat.factories import ConversationFactory

pytestmark = pytest.mark.worker

BACKLOG = 3000


def test_a_message_written_during_a_backfill_is_embedded_before_the_backlog(served_config):
    conversation = ConversationFactory()
    backlog = Message.objects.bulk_create(  # bulk_create sends no signal: nothing queued yet
        Message(conversation=conversation, role="user", content=f"backlog message number {n} about bread")
        for n in range(BACKLOG)
    )
    assert vectors_backfill(registry.for_model(Message), served_config) == BACKLOG
    backlog_ids = [message.pk for message in backlog]

    live = Message.objects.create(conversation=conversation, role="user", content="my sourdough is flat")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        row = StoredVector.objects.filter(source_id=live.pk, config=served_config).first()
        if row is not None and row.state == VectorState.EMBEDDED:
            break
        time.sleep(0.1)
    still_pending = StoredVector.objects.filter(
        source_id__in=backlog_ids, config=served_config, state=VectorState.PENDING
    ).count()

    assert row is not None and row.state == VectorState.EMBEDDED
    assert still_pending > 0, "the live message waited for the whole backlog"
