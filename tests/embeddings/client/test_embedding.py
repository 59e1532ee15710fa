"""The web side's submission (embeddings.client.embedding) against real Redis, with a stand-in worker thread:
a request's rate-limit share is taken, and the generations it assumed are checked, by the script that submits
it, with no round trip of their own; a request's worker is judged dead only once it has stayed silent for the
confirmation."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from embeddings.client import embedding
from embeddings.conf import embedding_setting
from embeddings.errors import ModelNotReady, WorkerFailed
from embeddings.models import EmbeddingConfig
from embeddings.wire.keys import reply_key, request_queue_key, serving_key, taken_key, worker_alive_key
from embeddings.wire.requests import EmbedReply, EmbedRequest
from embedplatform.api import throttling
from embedplatform.api.throttling import RateLimited, RateLimitShare
from embedplatform.generations import GenerationCache, StaleGenerations, assuming_cached_generations
from embedplatform.redis_connection import get_redis

_config_ids = itertools.count(int(time.time()) % 100_000 * 10 + 800_000_000)  # served by no real worker


@pytest.fixture
def config() -> EmbeddingConfig:
    config = EmbeddingConfig(pk=next(_config_ids), model="stand-in", dimensions=3)
    yield config
    get_redis().delete(serving_key(config.pk), request_queue_key(config.pk))


@pytest.fixture
def share(settings, monkeypatch) -> RateLimitShare:
    """A fresh identity with a budget of two; the limiter's own script must not run."""
    settings.API_RATE_LIMIT = "2/min"
    monkeypatch.setattr(throttling, "_script", None)  # would fail if called
    identity = f"test:{time.time_ns()}"
    yield RateLimitShare(identity)
    get_redis().delete(f"embedplatform:throttle:{identity}")


def _stand_in_worker(config: EmbeddingConfig, requests: int) -> threading.Thread:
    """Takes `requests` requests of the config and answers each with one vector per input."""
    get_redis().zadd(serving_key(config.pk), {"stand-in@test": time.time()})

    def serve() -> None:
        for _ in range(requests):
            _answer(config, _take(config))

    return _started(serve)


def _take(config: EmbeddingConfig) -> EmbedRequest:
    return EmbedRequest.from_bytes(get_redis().brpop([request_queue_key(config.pk)], timeout=5)[1])


def _answer(config: EmbeddingConfig, request: EmbedRequest) -> None:
    vectors = np.ones((len(request.inputs), 3), dtype=np.float32)
    get_redis().rpush(reply_key(request.id), EmbedReply(config.pk, vectors).to_bytes())


def _started(serve: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=serve)
    thread.start()
    return thread


def test_the_submission_takes_the_share_and_refuses_a_request_over_the_limit(config, share):
    worker = _stand_in_worker(config, requests=2)
    shares = [share, RateLimitShare(share.identity), RateLimitShare(share.identity)]

    answered = [embedding.embed_texts(config, ["one"], rate_limit_share=each) for each in shares[:2]]
    with pytest.raises(RateLimited) as refused:
        embedding.embed_texts(config, ["one"], rate_limit_share=shares[2])
    worker.join()

    assert [batch.vectors.shape for batch in answered] == [(1, 3), (1, 3)]
    assert [each.taken for each in shares] == [True, True, False]
    assert 0 < refused.value.retry_after <= 60
    assert get_redis().llen(request_queue_key(config.pk)) == 0  # the refused one was never submitted


def test_a_request_no_worker_serves_has_taken_its_share(config, share):
    with pytest.raises(ModelNotReady, match="no embedding worker has model 'stand-in'"):
        embedding.embed_texts(config, ["one"], rate_limit_share=share)

    assert share.taken
    assert get_redis().zcard(f"embedplatform:throttle:{share.identity}") == 1


def test_with_limiting_off_a_share_is_taken_without_counting(config, share, settings):
    settings.API_RATE_LIMIT = ""
    worker = _stand_in_worker(config, requests=1)

    embedding.embed_texts(config, ["one"], rate_limit_share=share)
    worker.join()

    assert share.taken
    assert not get_redis().exists(f"embedplatform:throttle:{share.identity}")


def test_a_submission_whose_assumed_generations_moved_is_refused_before_anything_is_submitted_or_counted(
    config, share
):
    cache = GenerationCache(f"test-{time.time_ns()}")  # stands for the API keys' cache
    cache.get("key", lambda: "the key's row")
    get_redis().zadd(serving_key(config.pk), {"stand-in@test": time.time()})
    with assuming_cached_generations():
        cache.get("key", lambda: "the key's row")  # assumed: its counter is not read
        get_redis().incr(cache.key)  # another process changes the row meanwhile
        with pytest.raises(StaleGenerations):
            embedding.embed_texts(config, ["one"], rate_limit_share=share)

    assert not share.taken
    assert get_redis().llen(request_queue_key(config.pk)) == 0
    assert get_redis().zcard(f"embedplatform:throttle:{share.identity}") == 0


def test_a_submission_whose_assumed_generations_hold_is_answered(config, share):
    cache = GenerationCache(f"test-{time.time_ns()}")
    cache.get("key", lambda: "the key's row")
    worker = _stand_in_worker(config, requests=1)
    with assuming_cached_generations():
        cache.get("key", lambda: "the key's row")
        batch = embedding.embed_texts(config, ["one"], rate_limit_share=share)
    worker.join()

    assert batch.vectors.shape == (1, 3)
    assert share.taken


def _taken_by_a_silent_worker(config: EmbeddingConfig, renews_after: float | None) -> threading.Thread:
    """A stand-in worker that takes one request while its alive key has lapsed (as after a pause of the
    host), then renews the key and answers `renews_after` seconds later (None: never; it is dead)."""
    client, name = get_redis(), f"silent-{time.time_ns()}@test"
    client.zadd(serving_key(config.pk), {name: time.time()})

    def serve() -> None:
        request = _take(config)
        client.set(taken_key(request.id), name, ex=30)
        if renews_after is None:
            return
        time.sleep(renews_after)
        client.set(worker_alive_key(name), 1, ex=5)
        _answer(config, request)

    return _started(serve)


def _confirmation_seconds() -> float:
    return embedding.CONFIRM_HEARTBEATS * embedding_setting("WORKER_HEARTBEAT_SECONDS")


def test_a_worker_that_renews_its_lapsed_alive_key_within_the_confirmation_still_answers(config):
    """As after a pause of the host: the key lapsed, and the worker runs again a moment later (after the
    first progress check, within the confirmation: half a heartbeat interval)."""
    renews_after = embedding.WAIT_SLICE_SECONDS + 0.5 * embedding_setting("WORKER_HEARTBEAT_SECONDS")
    worker = _taken_by_a_silent_worker(config, renews_after=renews_after)

    batch = embedding.embed_texts(config, ["one"])
    worker.join()

    assert batch.vectors.shape == (1, 3)


def test_a_worker_that_stays_dead_fails_its_request_once_the_confirmation_is_over(config):
    worker = _taken_by_a_silent_worker(config, renews_after=None)
    started = time.monotonic()

    with pytest.raises(WorkerFailed, match="stopped; retry"):
        embedding.embed_texts(config, ["one"])
    worker.join()

    assert time.monotonic() - started >= _confirmation_seconds()
