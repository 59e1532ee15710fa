"""A worker SIGKILLed while it holds an interactive request and a live write: the waiting client gets a 503
within seconds (not the 30 s request timeout), and the live write it held is redelivered to the next worker
and stored once."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from tests.faults.stack import FaultStack

TAKER_STOPPED = {
    "message": "the embedding worker handling this request stopped; retry",
    "type": "service_unavailable",
    "param": None,
    "code": "worker_error",
}


def _wait_for(check, timeout: float, what: str):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)
    return found


def test_a_killed_workers_client_gets_a_503_within_seconds_and_its_live_write_is_redone(stack: FaultStack):
    redis = stack.redis()
    victim = next(name for name, process in stack.workers.items() if process.poll() is None)
    # Tens of seconds of work even on a fast host: the request must still be running when the live write
    # reaches the worker, or the write is taken and acknowledged at once and never seen waiting.
    texts = [f"sentence {n} " + "for a worker that is about to be killed " * 8 for n in range(2048)]
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(stack.request, "POST", "/api/embedding/generate", {"texts": texts})
        _wait_for(lambda: redis.keys("embedplatform:taken:*"), 30, "the worker taking the request")
        message = stack.message_create("a message saved while its worker dies")  # waits behind the request
        _wait_for(
            lambda: any(b"embeddings.embed_live" in item for item in redis.hvals("unacked")),
            10,
            "the worker receiving the live write",
        )
        os.kill(stack.workers[victim].pid, signal.SIGKILL)
        killed_at = time.monotonic()
        response = pending.result()

    assert (response.status, response.body) == (503, {"error": TAKER_STOPPED})
    # Its alive key expires within 2 s (the test settings' heartbeat of 0.5 s), and the web waits 1.5
    # heartbeats more before it calls the worker dead (a paused host's workers come back within that).
    assert response.finished_at - killed_at < 5, response.finished_at - killed_at
    assert stack.embedding_state(message["id"], timeout=1) == "pending"

    stack.start_worker("replacement")
    stack.wait_for_worker("replacement")

    assert stack.request("POST", "/api/embedding/generate", {"text": "after the kill"}).status == 200
    assert stack.embedding_state(message["id"]) == "embedded"
    assert [state for state, _ in stack.stored_vectors(message["id"])] == ["embedded"]
