"""The worker's request source on the real Redis: a runner blocked waiting for requests is woken at once when
local work (a bulk piece) arrives, instead of idling out its wait; a request taken by that blocking wait is
marked taken by this worker while it runs, and the mark goes when its reply leaves."""

import threading
import time

import numpy as np

from embeddings.wire.keys import reply_key, request_queue_key, taken_key
from embeddings.wire.requests import EmbedRequest
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


def test_a_request_taken_while_waiting_is_marked_taken_until_its_reply_leaves():
    client, config_id = get_redis(), 987655
    source = RedisRequestSource(client, "marks-test-worker", lambda: [config_id], VectorCache(10))
    request = EmbedRequest(config_id=config_id, inputs=["one"], deadline=time.time() + 30)
    threading.Timer(0.3, client.lpush, [request_queue_key(config_id), request.to_bytes()]).start()

    [work] = source.take(64, wait=5.0)  # blocked until the request arrived, then took it alone
    marked = [client.get(taken_key(request.id)) for _ in range(50) if not time.sleep(0.01)]
    work.texts(_Encoder())
    work.done(np.ones((1, 3), dtype=np.float32))
    source.settle()

    try:
        assert work.request.id == request.id
        assert b"marks-test-worker" in marked  # what the web side reads when its first wait slice ends
        assert client.exists(taken_key(request.id)) == 0
        assert client.llen(reply_key(request.id)) == 1
    finally:
        client.delete(reply_key(request.id), taken_key(request.id))
        source.close()


class _Encoder:
    def count_tokens(self, texts):  # noqa: ANN001, ANN202
        return [1 for _ in texts]
