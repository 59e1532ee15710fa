"""The fast lane (embeddings.api.openai.fast_lane): POST /v1/embeddings with a key, answered ahead of DRF.

What it answers must be exactly what EmbeddingsView answers, and everything it does not take must reach the
view unchanged. The embedding itself is faked here (a deterministic vector per input) so that each case
compares the two paths on the same request; tests/embeddings/api/openai/test_embeddings.py and
test_concurrency.py send their key requests through the lane to the real worker and model.
"""

from __future__ import annotations

import numpy as np
import pytest
from rest_framework.test import APIClient

from embeddings.api.openai import answers
from embeddings.api.openai.views import EmbeddingsView
from embeddings.client.inference import EmbeddingInputs, EmbeddingResult
from embeddings.errors import ModelNotReady
from embedplatform.api import throttling
from embedplatform.metrics.middleware import REQUEST_SECONDS

MODEL = "all-MiniLM-L6-v2"
VARYING_HEADERS = {"Date"}


@pytest.fixture
def view_calls(monkeypatch) -> list[str]:
    """Paths of the requests that reached EmbeddingsView (the lane answered the others)."""
    calls: list[str] = []
    original = EmbeddingsView.dispatch

    def dispatch(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(request.path)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(EmbeddingsView, "dispatch", dispatch)
    return calls


@pytest.fixture
def config(db):
    from embeddings.configs.services import config_ensure_active

    return config_ensure_active()


@pytest.fixture
def fake_embedding(monkeypatch, config):
    """One unit vector per input, derived from its text; the embed scope's usual answer without a worker.
    A rate-limit share is taken as the real submission takes it (tests/embeddings/client/test_embedding.py
    has the real one)."""

    def embed_inputs(
        config, inputs: EmbeddingInputs, dimensions=None, rate_limit_share=None
    ) -> EmbeddingResult:  # noqa: ANN001
        if rate_limit_share is not None:
            retry_after = throttling.rate_limit_check(rate_limit_share.identity)
            if retry_after is not None:
                raise throttling.RateLimited(retry_after)
            rate_limit_share.taken = True
        rows = [np.full(config.dimensions, float(len(text)), dtype=np.float32) for text in inputs.texts or []]
        vectors = np.stack([row / np.linalg.norm(row) for row in rows])
        return EmbeddingResult(vectors, 3 * len(rows), config.pk, {"model": 1.5, "worker": 2.25})

    monkeypatch.setattr(answers, "embed_inputs", embed_inputs)
    return config


def _client(plain_key: str | None, **headers: str) -> APIClient:
    client = APIClient()
    if plain_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain_key}", **headers)
    elif headers:
        client.credentials(**headers)
    return client


def _both_ways(settings, client: APIClient, path: str = "/v1/embeddings", **kwargs):  # noqa: ANN202
    """The same request with the lane on, then off."""
    settings.API_FAST_LANE = True
    through_lane = client.post(path, **kwargs)
    settings.API_FAST_LANE = False
    through_view = client.post(path, **kwargs)
    return through_lane, through_view


def _headers(response) -> dict[str, str]:  # noqa: ANN001
    return {name: value for name, value in response.headers.items() if name not in VARYING_HEADERS}


@pytest.mark.parametrize("path", ["/v1/embeddings", "/api/v1/embeddings"])
@pytest.mark.parametrize(
    "body",
    [
        {"model": MODEL, "input": "one text"},
        {"model": MODEL, "input": ["a", "bb", "ccc"], "encoding_format": "base64", "user": "u-1"},
        {"model": MODEL, "input": ["text"], "encoding_format": "float", "dimensions": None},
        {"model": MODEL, "input": ["text"], "dimensions": 384, "unknown": {"ignored": [1, 2]}},
        {"model": MODEL, "input": "text", "dimensions": "384"},  # the serializer's IntegerField takes it
    ],
)
def test_a_key_request_is_answered_by_the_lane_exactly_as_the_view_answers_it(
    settings, fake_embedding, embed_key, view_calls, path, body
):
    through_lane, through_view = _both_ways(settings, _client(embed_key), path, data=body, format="json")

    assert through_lane.status_code == through_view.status_code == 200
    assert through_lane.content == through_view.content
    assert _headers(through_lane) == _headers(through_view)
    assert through_lane["X-Embedding-Config"] == str(fake_embedding.pk)
    assert through_lane["Allow"] == "POST, OPTIONS"
    assert through_lane["X-Frame-Options"] == "DENY"
    assert view_calls == [path]  # only the request sent with the lane off reached the view


def test_an_error_of_the_embedding_itself_is_the_views_error(
    settings, config, embed_key, view_calls, monkeypatch
):
    def no_worker(config, inputs, dimensions=None, rate_limit_share=None):  # noqa: ANN001, ANN202
        if rate_limit_share is not None:  # taken, as by the real submission before it finds no worker
            rate_limit_share.taken = True
        raise ModelNotReady("no embedding worker has the model loaded yet; retry shortly")

    monkeypatch.setattr(answers, "embed_inputs", no_worker)

    through_lane, through_view = _both_ways(
        settings, _client(embed_key), data={"model": MODEL, "input": "hi"}, format="json"
    )

    assert through_lane.status_code == through_view.status_code == 503
    assert through_lane.content == through_view.content
    assert _headers(through_lane) == _headers(through_view)
    assert view_calls == ["/v1/embeddings"]


def test_an_unknown_model_is_the_views_404(settings, fake_embedding, embed_key, view_calls):
    through_lane, through_view = _both_ways(
        settings, _client(embed_key), data={"model": "no-such-model", "input": "hi"}, format="json"
    )

    assert through_lane.status_code == through_view.status_code == 404
    assert through_lane.json()["error"]["code"] == "model_not_found"
    assert through_lane.content == through_view.content


def _json(body: dict) -> dict:
    return {"data": body, "format": "json"}


def _raw(body: bytes, content_type: str = "application/json") -> dict:
    return {"data": body, "content_type": content_type}


def _plain_key(make_api_key, key_scope: str | None) -> str | None:  # noqa: ANN001
    if key_scope is None:
        return None
    return "ep-000000000000-wrong" if key_scope == "bad" else make_api_key(key_scope)


HI = {"model": MODEL, "input": "hi"}
DEEP = b'{"model": "m", "input": "hi", "x": ' + b"[" * 40 + b"]" * 40 + b"}"


@pytest.mark.parametrize(
    ("case", "key_scope", "headers", "request_kwargs", "status"),
    [
        ("no key", None, {}, _json(HI), 401),
        ("a key without the embed scope", "chat", {}, _json(HI), 403),
        ("a malformed key", "bad", {}, _json(HI), 401),
        ("input that does not validate", "embed", {}, _json({"model": MODEL, "input": [""]}), 400),
        ("a missing model", "embed", {}, _json({"input": "hi"}), 400),
        ("a body that is not JSON", "embed", {}, _raw(b"{not json"), 400),
        ("another content type", "embed", {}, _raw(b"input=hi", "application/x-www-form-urlencoded"), 415),
        ("an Accept the API cannot answer", "embed", {"HTTP_ACCEPT": "text/html"}, _json(HI), 406),
        ("JSON nested too deep", "embed", {}, _raw(DEEP), 400),
    ],
)
def test_what_the_lane_does_not_take_reaches_the_view_unchanged(
    settings, fake_embedding, make_api_key, view_calls, case, key_scope, headers, request_kwargs, status
):
    through_lane, through_view = _both_ways(
        settings, _client(_plain_key(make_api_key, key_scope), **headers), **request_kwargs
    )

    assert through_lane.status_code == through_view.status_code == status, case
    assert through_lane.content == through_view.content, case
    assert _headers(through_lane) == _headers(through_view), case
    assert view_calls == ["/v1/embeddings", "/v1/embeddings"], case


def test_a_staff_session_goes_through_the_view(settings, fake_embedding, api_client, view_calls):
    settings.API_FAST_LANE = True

    response = api_client.post("/v1/embeddings", {"model": MODEL, "input": "hi"}, format="json")

    assert response.status_code == 200
    assert view_calls == ["/v1/embeddings"]


def test_each_request_counts_once_against_the_rate_limit_whichever_path_answers_it(
    settings, fake_embedding, embed_key, view_calls
):
    settings.API_FAST_LANE, settings.API_RATE_LIMIT = True, "3/min"
    client = _client(embed_key)

    refused_by_view = client.post("/v1/embeddings", {"model": MODEL, "input": [""]}, format="json")
    answered = [client.post("/v1/embeddings", HI, format="json") for _ in range(2)]
    over = client.post("/v1/embeddings", HI, format="json")

    assert refused_by_view.status_code == 400
    assert [response.status_code for response in answered] == [200, 200]
    assert over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 60
    assert over.json()["error"]["code"] == "throttled"
    # the invalid request and the throttled one went to the view; the lane answered the two it took
    assert view_calls == ["/v1/embeddings", "/v1/embeddings"]


def test_an_error_before_the_submission_goes_to_the_view_and_counts_against_the_rate_limit(
    settings, fake_embedding, embed_key, view_calls
):
    """An unknown model never reaches the submission that takes a share: the view answers and counts it."""
    settings.API_FAST_LANE, settings.API_RATE_LIMIT = True, "2/min"
    client = _client(embed_key)

    unknown = client.post("/v1/embeddings", {"model": "no-such-model", "input": "hi"}, format="json")
    answered = client.post("/v1/embeddings", HI, format="json")
    over = client.post("/v1/embeddings", {"model": "no-such-model", "input": "hi"}, format="json")

    assert [unknown.status_code, answered.status_code, over.status_code] == [404, 200, 429]
    assert view_calls == ["/v1/embeddings", "/v1/embeddings"]  # the lane answered the one it submitted


def test_lane_requests_are_timed_under_their_route(settings, fake_embedding, embed_key):
    settings.API_FAST_LANE = True
    labels = {"route": "/v1/embeddings", "method": "POST", "status": "200"}
    before = _observations(labels)

    _client(embed_key).post("/v1/embeddings", {"model": MODEL, "input": "hi"}, format="json")

    assert _observations(labels) == before + 1


def _observations(labels: dict[str, str]) -> float:
    for metric in REQUEST_SECONDS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels == labels:
                return sample.value
    return 0.0


def test_the_lane_serves_the_real_worker_with_the_reference_vectors(
    settings, served_config, key_client, reference_model, view_calls
):
    settings.API_FAST_LANE = True
    texts = ["The cat sits on the mat.", "Embeddings turn text into vectors."]

    response = key_client.post("/v1/embeddings", {"model": MODEL, "input": texts}, format="json")

    assert response.status_code == 200, response.content
    assert view_calls == []
    vectors = np.asarray([item["embedding"] for item in response.json()["data"]])
    expected = reference_model.encode(texts)
    cosines = (vectors * expected).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(expected, axis=1)
    )
    assert cosines.min() >= 0.9999
    assert response["X-Embedding-Config"] == str(served_config.pk)
