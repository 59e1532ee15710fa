"""Bulk embedding takes at most WORKER_BULK_SLOTS pool threads at once; others wait for a slot, without
polling the broker, and come back later only when none frees in time."""

import threading
import time

import pytest

from embeddings.worker.source_embedding import (
    BulkSlotsBusy,
    _bulk_slots,
    bulk_slot,
    embed_pending_sources,
)


@pytest.fixture(autouse=True)
def one_slot_short_wait(settings):
    settings.EMBEDDINGS = {
        **settings.EMBEDDINGS,
        "WORKER_BULK_SLOTS": 1,
        "WORKER_BULK_SLOT_WAIT_SECONDS": 0.3,
    }
    _bulk_slots.cache_clear()  # the process's slots are made once, from the setting
    yield
    _bulk_slots.cache_clear()


def test_a_second_bulk_task_is_turned_away_when_the_slot_stays_taken_and_admitted_after():
    with bulk_slot():
        with pytest.raises(BulkSlotsBusy):
            embed_pending_sources("chat.message", [1], config_id=1)

    with bulk_slot():  # released: the next bulk task gets it
        pass


def test_a_waiting_bulk_task_gets_the_slot_as_soon_as_it_is_released():
    admitted = threading.Event()

    def second_task() -> None:
        with bulk_slot():
            admitted.set()

    with bulk_slot():
        waiter = threading.Thread(target=second_task)
        waiter.start()
        time.sleep(0.1)
        assert not admitted.is_set()  # it waits: no retry, no broker round trip
    waiter.join(timeout=5)
    assert admitted.is_set()


def test_the_embed_sources_task_comes_back_later_when_no_slot_frees(monkeypatch):
    from celery.exceptions import Retry

    from embeddings.tasks import embed_sources

    retries = []
    monkeypatch.setattr(embed_sources, "retry", lambda **options: retries.append(options) or Retry())
    with bulk_slot(), pytest.raises(Retry):
        embed_sources.run("chat.message", [1], 1)

    assert retries[0]["countdown"] == 1
    assert isinstance(retries[0]["exc"], BulkSlotsBusy)


def test_a_database_error_brings_the_task_back_later_with_backoff(monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from embeddings import tasks

    def database_restarting(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    retries = []
    monkeypatch.setattr(tasks, "embed_pending_sources", database_restarting)
    monkeypatch.setattr(tasks.embed_sources, "retry", lambda **options: retries.append(options) or Retry())
    with pytest.raises(Retry):
        tasks.embed_sources.run("chat.message", [1], 1)

    assert isinstance(retries[0]["exc"], OperationalError)
    assert 0 <= retries[0]["countdown"] <= 1  # the first of 1, 2, 4 ... 60 s (with jitter)
