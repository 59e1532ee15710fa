"""Redis stopped under a running platform: embedding routes answer a 503 in the error envelope at once,
routes that need no Redis keep working (the rate limiter fails open by default), and embedding comes back
by itself once Redis is back on the same port."""

import signal
import time

from tests.faults.stack import FaultStack

GENERATE = ("POST", "/api/embedding/generate", {"text": "a sentence while Redis is away"})
OPENAI = ("POST", "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": "a sentence while Redis is away"})
QUEUE_UNREACHABLE = {
    "message": "the embedding queue (Redis) is unreachable; retry shortly",
    "type": "service_unavailable",
    "param": None,
    "code": "model_not_loaded",
}


def test_with_redis_stopped_embedding_is_a_fast_503_and_other_routes_work(stack: FaultStack):
    assert stack.request(*GENERATE).status == 200
    conversations_before = stack.request("GET", "/api/chat/conversations/")
    stack.redis_server.stop()
    try:
        generate, openai = stack.request(*GENERATE, timeout=10), stack.request(*OPENAI, timeout=10)
        conversations = stack.request("GET", "/api/chat/conversations/", timeout=10)
        config = stack.request("GET", "/api/embedding/config", timeout=10)
    finally:
        stack.redis_server.start()

    assert (generate.status, generate.body) == (503, {"error": QUEUE_UNREACHABLE})
    assert (openai.status, openai.body) == (503, {"error": QUEUE_UNREACHABLE})
    assert generate.seconds < 2 and openai.seconds < 2, (generate.seconds, openai.seconds)
    assert (conversations.status, conversations.body) == (200, conversations_before.body)
    assert (config.status, config.body["model"]) == (200, "all-MiniLM-L6-v2")


def test_embedding_comes_back_by_itself_when_redis_returns(stack: FaultStack):
    stack.redis_server.stop()
    stack.redis_server.start()  # empty: heartbeats, serving sets and queues are gone

    deadline = time.monotonic() + 30
    while (response := stack.request(*GENERATE, timeout=10)).status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert response.status == 200, response.body
    assert len(response.body["embedding"]) == 384


def test_with_redis_hung_embedding_is_a_503_within_the_socket_timeouts(stack: FaultStack):
    """A Redis that accepts connections but never answers (SIGSTOP): each request waits out the short
    socket timeouts (2 s a call, no retry on a timeout), never a web server's timeout."""
    assert stack.request(*GENERATE).status == 200
    stack.redis_server.process.send_signal(signal.SIGSTOP)
    try:
        generate = stack.request(*GENERATE, timeout=30)
        config = stack.request("GET", "/api/embedding/config", timeout=30)
    finally:
        stack.redis_server.process.send_signal(signal.SIGCONT)

    assert (generate.status, generate.body) == (503, {"error": QUEUE_UNREACHABLE})
    assert generate.seconds < 7, generate.seconds
    assert (config.status, config.body["model"]) == (200, "all-MiniLM-L6-v2")
    assert stack.request(*GENERATE).status == 200
