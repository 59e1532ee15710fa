"""No request text and no vector in any log, the worker's included, and one access-log line per request."""

import re
import time
from pathlib import Path

from tests.faults.stack import FaultStack

TEXT = "zebra-quartz-marmalade 7731"  # appears nowhere but in these requests
BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{40,}={0,2}")  # a vector (384 floats) is ~2,000 such characters


def _settled_sizes(log_dir: Path, quiet_seconds: float = 0.5, at_most_seconds: float = 10.0) -> dict:
    """Each log's size once none has grown for `quiet_seconds`: a server writes a request's access line after
    its answer, so the last requests of an earlier test on this stack can still be logging when this one
    starts (seen in CI: test_host_paused's twelve clients, joined, and one line of theirs landing after)."""
    deadline = time.monotonic() + at_most_seconds
    sizes = {path: path.stat().st_size for path in log_dir.glob("*.log")}
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = {path: path.stat().st_size for path in log_dir.glob("*.log")}
        if now == sizes:
            break
        sizes = now
    return sizes


def test_logs_hold_no_request_text_and_no_vector(stack: FaultStack):
    logs = _settled_sizes(stack.log_dir)
    generate = stack.request("POST", "/api/embedding/generate", {"texts": [TEXT, f"{TEXT} again"]})
    floats = stack.request("POST", "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": TEXT})
    base64 = stack.request(
        "POST", "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": [TEXT], "encoding_format": "base64"}
    )
    unknown = stack.request("POST", "/v1/embeddings", {"model": "no-such-model", "input": TEXT})
    message = stack.message_create(f"a chat message about {TEXT}")
    search = stack.request("POST", "/api/chat/search", {"query": TEXT})

    assert [r.status for r in (generate, floats, base64, unknown, search)] == [200, 200, 200, 404, 200]
    assert stack.embedding_state(message["id"]) == "embedded"  # the live write ran on the worker
    written = b"".join(path.read_bytes()[start:] for path, start in logs.items())
    assert TEXT.encode() not in written
    assert base64.body["data"][0]["embedding"][:40].encode() not in written
    assert BASE64_RUN.findall(written) == []
    web_log = (stack.log_dir / "web.log").read_bytes()[logs[stack.log_dir / "web.log"] :]
    access = [line for line in web_log.splitlines() if b'"POST /v1/embeddings"' in line]
    assert len(access) == 3, access  # the 404 too, once: no second "Not Found" line from Django
