"""Bulk embedding takes at most WORKER_BULK_SLOTS pool threads; the rest stay free for API requests."""

import pytest

from embeddings.worker.source_embedding import BulkSlotsBusy, bulk_slot, embed_pending_sources


def test_a_second_bulk_task_is_turned_away_while_the_slot_is_taken_and_admitted_after():
    with bulk_slot():
        with pytest.raises(BulkSlotsBusy):
            embed_pending_sources("chat.message", [1], config_id=1)

    with bulk_slot():  # released: the next bulk task gets it
        pass


def test_the_embed_sources_task_comes_back_later_instead_of_waiting(monkeypatch):
    from celery.exceptions import Retry

    from embeddings.tasks import embed_sources

    retries = []
    monkeypatch.setattr(embed_sources, "retry", lambda **options: retries.append(options) or Retry())
    with bulk_slot(), pytest.raises(Retry):
        embed_sources.run("chat.message", [1], 1)

    assert retries[0]["countdown"] == 1
    assert isinstance(retries[0]["exc"], BulkSlotsBusy)
