"""64 clients at once, one request each, through the real web server (granian, 2 processes) and worker.

Requests of mixed sizes and shapes (texts and token ids, `/v1/embeddings` and `/api/embedding/generate`) run
concurrently, so the worker batches requests together and the web threads overlap: every answer must be a 200
whose vectors equal the sentence-transformers reference for its own inputs, in its own order.
No timing checks.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

REQUESTS = 64  # the issue asks for at least 64 concurrent requests: one client each, all in flight at once
WORDS = (
    "vector search stores meaning as numbers so that similar sentences land near each other while "
    "unrelated ones drift apart the worker batches requests from many clients into one forward pass"
).split()


@dataclass
class Call:
    route: str
    body: dict
    reference_texts: list[str]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.choice((1, 3, 8, 20, 60, 150))))


def _calls(tokenizer, count: int, model: str = "all-MiniLM-L6-v2") -> list[Call]:
    """A fixed mix: one text or many, strings or token ids, the OpenAI route or the native one."""
    rng = random.Random(20261124)
    calls = []
    for index in range(count):
        texts = [_sentence(rng) for _ in range(rng.choice((1, 1, 2, 5, 17, 40)))]
        kind = index % 4
        if kind == 0:
            calls.append(Call("/v1/embeddings", {"model": model, "input": texts}, texts))
        elif kind == 1:
            token_ids = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in texts]
            decoded = [tokenizer.decode(ids) for ids in token_ids]
            body = {"model": model, "input": token_ids, "encoding_format": "base64"}
            calls.append(Call("/v1/embeddings", body, decoded))
        elif kind == 2:
            calls.append(Call("/api/embedding/generate", {"texts": texts}, texts))
        else:
            calls.append(Call("/api/embedding/generate", {"text": texts[0]}, texts[:1]))
    return calls


def _post(base_url: str, api_key: str, call: Call) -> tuple[int, dict, str | None]:
    request = urllib.request.Request(
        base_url + call.route,
        json.dumps(call.body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.load(response), response.headers["X-Embedding-Config"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), None


def _vectors(call: Call, body: dict) -> np.ndarray:
    if call.route == "/v1/embeddings":
        items = sorted(body["data"], key=lambda item: item["index"])
        if call.body.get("encoding_format") == "base64":
            return np.stack(
                [np.frombuffer(base64.b64decode(item["embedding"]), dtype="<f4") for item in items]
            )
        return np.asarray([item["embedding"] for item in items], dtype=np.float32)
    if "embedding" in body:
        return np.asarray([body["embedding"]], dtype=np.float32)
    return np.asarray(body["embeddings"], dtype=np.float32)


def _send_at_once(base_url: str, api_key: str, calls: list[Call]) -> list[tuple[int, dict, str | None]]:
    """Every call from a client of its own, all released at once; the answers in the calls' order."""
    start = threading.Barrier(len(calls))

    def send(call: Call) -> tuple[int, dict, str | None]:
        start.wait(timeout=60)
        return _post(base_url, api_key, call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def _failures(calls: list[Call], answers: list[tuple[int, dict, str | None]]) -> list[tuple]:
    return [
        (call.route, status, body)
        for call, (status, body, _) in zip(calls, answers, strict=True)
        if status != 200
    ]


@pytest.mark.worker
def test_concurrent_mixed_requests_all_answer_with_their_own_reference_vectors(
    web_server, served_config, make_api_key, reference_model
):
    api_key = make_api_key("admin")
    calls = _calls(reference_model.tokenizer, REQUESTS)

    answers = _send_at_once(web_server, api_key, calls)

    assert _failures(calls, answers) == []
    texts = sorted({text for call in calls for text in call.reference_texts})
    reference = dict(zip(texts, reference_model.encode(texts, batch_size=64), strict=True))
    for call, (_, body, config_header) in zip(calls, answers, strict=True):
        vectors = _vectors(call, body)
        expected = np.stack([reference[text] for text in call.reference_texts])
        assert vectors.shape == expected.shape
        cosines = np.sum(vectors * expected, axis=1) / (
            np.linalg.norm(vectors, axis=1) * np.linalg.norm(expected, axis=1)
        )
        assert cosines.min() >= 0.9999, (call.route, cosines.min())
        assert config_header == str(served_config.pk)
        if "metadata" in body:
            assert body["metadata"]["server_config_id"] == served_config.pk
