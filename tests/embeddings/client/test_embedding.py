"""The web side's submit-and-wait (embeddings.client.embedding) against real Redis, with a stand-in worker
thread: a request answered within the first wait slice costs one round trip, and a config no live worker
serves is refused at once, leaving nothing behind in Redis."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from embeddings.client import embedding
from embeddings.errors import ModelNotReady
from embeddings.models import EmbeddingConfig
from embeddings.wire.keys import reply_key, request_queue_key, serving_key
from embeddings.wire.requests import EmbedReply, EmbedRequest
from embedplatform.redis_connection import get_redis

_config_ids = itertools.count(int(time.time()) % 100_000 * 10 + 800_000_000)  # served by no real worker


@pytest.fixture
def config() -> EmbeddingConfig:
    config = EmbeddingConfig(pk=next(_config_ids), model="stand-in", dimensions=3)
    yield config
    get_redis().delete(serving_key(config.pk), request_queue_key(config.pk))


@pytest.fixture
def round_trips(monkeypatch) -> list[tuple[str, list]]:
    """What the web side sent to Redis, one (commands, answers) entry per round trip."""
    client, sent = get_redis(), []
    real_pipeline, real_blpop = client.pipeline, client.blpop

    def pipeline(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        commands = real_pipeline(*args, **kwargs)
        real_execute = commands.execute

        def execute(*execute_args, **execute_kwargs):  # noqa: ANN002, ANN003, ANN202
            names = "+".join(command[0][0] for command in commands.command_stack)
            answers = real_execute(*execute_args, **execute_kwargs)
            sent.append((names, answers))
            return answers

        commands.execute = execute
        return commands

    def blpop(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        answer = real_blpop(*args, **kwargs)
        sent.append(("BLPOP", [answer]))
        return answer

    monkeypatch.setattr(client, "pipeline", pipeline)
    monkeypatch.setattr(client, "blpop", blpop)
    return sent


def _stand_in_worker(config: EmbeddingConfig) -> threading.Thread:
    """Takes one request of the config and answers it with one vector per input."""
    client = get_redis()
    client.zadd(serving_key(config.pk), {"stand-in@test": time.time()})

    def serve() -> None:
        popped = client.brpop([request_queue_key(config.pk)], timeout=5)
        request = EmbedRequest.from_bytes(popped[1])
        vectors = np.ones((len(request.inputs), 3), dtype=np.float32)
        client.rpush(reply_key(request.id), EmbedReply(config.pk, vectors).to_bytes())

    thread = threading.Thread(target=serve)
    thread.start()
    return thread


def test_a_request_answered_within_the_first_slice_costs_one_round_trip(config, round_trips):
    worker = _stand_in_worker(config)

    batch = embedding.embed_texts(config, ["one", "two"])
    worker.join()

    assert batch.vectors.shape == (2, 3) and batch.config_id == config.pk
    assert [names for names, _ in round_trips] == ["EVAL+BLPOP"]


def test_a_config_no_live_worker_serves_is_refused_without_waiting_a_slice(config, round_trips):
    client = get_redis()
    client.zadd(serving_key(config.pk), {"gone@test": time.time() - 3600})  # its heartbeat is stale

    with pytest.raises(ModelNotReady, match="no embedding worker has model 'stand-in'"):
        embedding.embed_texts(config, ["one"])

    [(names, (queued, popped))] = round_trips
    assert names == "EVAL+BLPOP" and queued == 0
    reply, marker = popped  # the pipelined pop took the submission's marker instead of waiting out its slice
    assert marker == embedding.UNSERVED_MARKER
    assert not client.exists(reply) and client.llen(request_queue_key(config.pk)) == 0
