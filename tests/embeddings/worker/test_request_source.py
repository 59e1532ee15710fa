"""The worker's request source on the real Redis: a runner blocked waiting for requests is woken at once when
local work (a bulk piece) arrives, instead of idling out its wait."""

import time

from embeddings.worker import serving
from embeddings.worker.serving import RedisRequestSource
from embeddings.worker.vector_cache import VectorCache
from embedplatform.redis_connection import get_redis


def test_a_wake_ends_the_wait_for_requests_at_once(monkeypatch):
    monkeypatch.setattr(serving, "MAX_BLOCKING_WAIT_SECONDS", 5.0)
    source = RedisRequestSource(get_redis(), "wake-test-worker", lambda: [987654], VectorCache(10))

    source.wake()  # as the runner's submit() does while the runner waits in take()
    started = time.monotonic()
    taken = source.take(64, wait=5.0)

    assert taken == []
    assert time.monotonic() - started < 4.0  # woken, not timed out after 5 s
