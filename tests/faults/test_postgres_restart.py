"""PostgreSQL restarted under a running platform: requests after the restart succeed (no stale connection in
the web processes), and the worker's connections recover too (its task threads store a live write, its
loader thread reads the configs again)."""

import time

from tests.faults.stack import FaultStack

LOADER_FAILED = "cannot read which embedding configs to hold"


def _loader_failures(stack: FaultStack) -> int:
    return sum(path.read_text(errors="replace").count(LOADER_FAILED) for path in stack.log_dir.glob("*.log"))


def test_after_a_postgres_restart_requests_succeed_and_the_worker_recovers(stack: FaultStack):
    before = stack.message_create("a message before the restart")
    assert stack.embedding_state(before["id"]) == "embedded"  # the worker's connections are open
    stack.postgres.stop()
    stack.postgres.start()
    failures_after_restart = _loader_failures(stack)

    pages = [stack.request("GET", "/api/chat/conversations/") for _ in range(8)]
    config = stack.request("GET", "/api/embedding/config")
    generate = stack.request("POST", "/api/embedding/generate", {"text": "after the restart"})
    after = stack.message_create("a message after the restart")

    assert [page.status for page in pages] == [200] * 8
    assert (config.status, generate.status) == (200, 200)
    assert stack.embedding_state(after["id"]) == "embedded"
    assert [state for state, _ in stack.stored_vectors(after["id"])] == ["embedded"]
    time.sleep(3)  # the loader ticks every second (0.5 s heartbeat here)
    assert _loader_failures(stack) == failures_after_restart
