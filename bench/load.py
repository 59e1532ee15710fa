"""HTTP load on 127.0.0.1 with the standard library: keep-alive connections, bounded counts and durations.

Vectors come back as the official `openai` client asks for them unless told otherwise: it sends
`encoding_format: "base64"` when its caller names no format, and decodes each vector with numpy
(openai/lib/_parsing/_embeddings.py). `float` asks for JSON numbers, which cost both ends
more: the server writes each number as text, and the client parses 384 of them per vector with the json
module. In a bulk request of 64 texts that parse takes several milliseconds.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

ENCODING_FORMATS = ("base64", "float")


def in_requests(texts: Sequence[str], size: int) -> list[list[str]]:
    """The texts cut into requests of `size` (the last may be shorter), in order."""
    return [list(texts[start : start + size]) for start in range(0, len(texts), size)]


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Client:
    """One keep-alive connection, as one API client would hold."""

    def __init__(
        self, base_url: str, api_key: str, timeout: float = 60, encoding_format: str = "base64"
    ) -> None:
        parts = urlsplit(base_url)
        self.encoding_format = encoding_format
        self._address = (parts.hostname, parts.port)
        self._timeout = timeout
        self._headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}
        self._connection: http.client.HTTPConnection | None = None
        self.last_headers: dict[str, str] = {}  # of the last response, as post() returns them

    def post(self, path: str, body: dict) -> tuple[int, dict, dict[str, str]]:
        """The status, the JSON body and the headers, their names in lower case (granian sends them so, and
        HTTP names are case-insensitive)."""
        payload = json.dumps(body).encode()
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            if self._connection is None:
                self._connection = http.client.HTTPConnection(*self._address, timeout=self._timeout)
            try:
                self._connection.request("POST", path, payload, self._headers)
                response = self._connection.getresponse()
                data = response.read()
                self.last_headers = {name.lower(): value for name, value in response.getheaders()}
                return response.status, json.loads(data or b"{}"), self.last_headers
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def embed(self, texts: list[str], model: str) -> tuple[int, dict]:
        """The status and the body, each vector a list of floats whichever format carried it."""
        request = {"model": model, "input": texts, "encoding_format": self.encoding_format}
        status, body, _ = self.post("/v1/embeddings", request)
        if status == 200 and self.encoding_format == "base64":
            for item in body["data"]:  # what the openai client does with a format it chose itself
                item["embedding"] = np.frombuffer(
                    base64.b64decode(item["embedding"]), dtype="float32"
                ).tolist()
        return status, body


@dataclass
class LoadResult:
    requests: int = 0
    texts: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def texts_per_second(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "texts": self.texts,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(self.requests_per_second, 2),
            "texts_per_second": round(self.texts_per_second, 2),
            "p50_ms": round(percentile(self.latencies_ms, 50), 2),
            "p99_ms": round(percentile(self.latencies_ms, 99), 2),
            "errors": dict(self.errors),
        }


def _timed_embed(
    client: Client, texts: list[str], model: str, result: LoadResult, lock: threading.Lock
) -> None:
    started = time.perf_counter()
    try:
        status, body = client.embed(texts, model)
    except Exception as error:  # a dropped connection is an error to count, not a crash of the benchmark
        status, body = 0, {"error": {"code": type(error).__name__}}
    elapsed = (time.perf_counter() - started) * 1000
    with lock:
        result.requests += 1
        if status == 200 and len(body.get("data", [])) == len(texts):
            result.texts += len(texts)
            result.latencies_ms.append(elapsed)
        else:
            result.errors[f"{status} {body.get('error', {}).get('code')}"] += 1


def sequential(
    base_url: str, api_key: str, model: str, batches: Sequence[list[str]], encoding_format: str = "base64"
) -> LoadResult:
    """One client sending the batches one after another."""
    client = Client(base_url, api_key, encoding_format=encoding_format)
    result, lock = LoadResult(), threading.Lock()
    started = time.perf_counter()
    for batch in batches:
        _timed_embed(client, batch, model, result, lock)
    result.seconds = time.perf_counter() - started
    return result


def concurrent(
    base_url: str,
    api_key: str,
    model: str,
    texts: Sequence[str],
    clients: int,
    duration: float,
    encoding_format: str = "base64",
) -> LoadResult:
    """`clients` clients, each sending one text per request back to back, for `duration` seconds (or until
    the texts run out)."""
    result, lock = LoadResult(), threading.Lock()
    next_text = iter(range(len(texts)))
    deadline = time.perf_counter() + duration

    def run() -> None:
        client = Client(base_url, api_key, encoding_format=encoding_format)
        while time.perf_counter() < deadline:
            with lock:
                index = next(next_text, None)
            if index is None:
                return
            _timed_embed(client, [texts[index]], model, result, lock)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
