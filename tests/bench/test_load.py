"""The benchmark's HTTP client asks for vectors as the official openai client does (base64, unless told
otherwise) and hands back floats either way."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from bench.load import Client

VECTOR = np.array([0.25, -1.5, 3.0e-7], dtype=np.float32)


class _Embeddings(BaseHTTPRequestHandler):
    """Answers each input with VECTOR in the format the request asked for, and remembers the requests."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(request)
        if request.get("encoding_format") == "base64":
            vector = base64.b64encode(VECTOR.tobytes()).decode()
        else:
            vector = VECTOR.tolist()
        data = [
            {"object": "embedding", "index": index, "embedding": vector}
            for index in range(len(request["input"]))
        ]
        body = json.dumps({"object": "list", "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Embeddings.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_by_default_vectors_are_asked_for_in_base64_and_come_back_as_floats(server):
    status, body = Client(server, "key").embed(["a", "b"], "m")

    assert status == 200
    assert _Embeddings.requests == [{"model": "m", "input": ["a", "b"], "encoding_format": "base64"}]
    assert [item["embedding"] for item in body["data"]] == [VECTOR.tolist(), VECTOR.tolist()]


def test_float_asks_for_json_numbers(server):
    status, body = Client(server, "key", encoding_format="float").embed(["a"], "m")

    assert status == 200
    assert _Embeddings.requests[0]["encoding_format"] == "float"
    assert body["data"][0]["embedding"] == VECTOR.tolist()
