"""POST /api/embedding/generate against the real worker and the real MiniLM model."""

import numpy as np
import pytest

SENTENCES = [
    "The cat sits on the mat.",
    "A quick brown fox jumps over the lazy dog.",
    "Embeddings turn text into vectors.",
    "PostgreSQL stores the vectors with pgvector.",
]


def _cosine(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_single_text_returns_normalized_384d_vector_equal_to_reference(
    served_config, api_client, reference_model
):
    response = api_client.post("/api/embedding/generate", {"text": SENTENCES[0]}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    vector = np.asarray(body["embedding"])
    assert vector.shape == (384,)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-4
    assert _cosine(vector, reference_model.encode(SENTENCES[0])) >= 0.9999
    assert body["metadata"] == {
        "provider": "local",
        "model": "all-MiniLM-L6-v2",
        "backend": "torch",
        "dimensions": 384,
        "precision": "float32",
        "server_config_id": served_config.pk,
    }


def test_batch_vectors_equal_reference_in_order(served_config, api_client, reference_model):
    response = api_client.post(
        "/api/embedding/generate", {"texts": SENTENCES, "client_hint": "tests"}, format="json"
    )

    assert response.status_code == 200, response.content
    vectors = response.json()["embeddings"]
    reference = reference_model.encode(SENTENCES)
    assert len(vectors) == len(SENTENCES)
    for got, expected in zip(vectors, reference, strict=True):
        assert _cosine(got, expected) >= 0.9999


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "give exactly one of 'text'"),
        ({"text": ""}, "text: must not be empty or only whitespace."),
        ({"text": "a\x00b"}, "text: must not contain NUL characters (\\u0000)."),
        ({"texts": ["ok", "x" * 100_001]}, "texts.1: a text may have at most 100000 characters, got 100001."),
        ({"text": "   "}, "text: must not be empty or only whitespace."),
        ({"text": 42}, "text: must be a string, not int."),
        ({"texts": "not a list"}, 'texts: Expected a list of items but got type "str".'),
        ({"texts": []}, "texts: This list may not be empty."),
        ({"texts": ["ok", 7]}, "texts.1: must be a string, not int."),
        ({"texts": ["ok", ""]}, "texts.1: must not be empty or only whitespace."),
        ({"text": "a", "texts": ["b"]}, "give exactly one of 'text'"),
        ({"txt": "typo"}, "unknown field(s): txt"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(db, api_client, body, message):
    response = api_client.post("/api/embedding/generate", body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"


def test_too_many_texts_is_a_400(db, api_client, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "MAX_TEXTS_PER_REQUEST": 3}

    response = api_client.post("/api/embedding/generate", {"texts": ["a", "b", "c", "d"]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "texts: at most 3 texts per request, got 4."


def test_malformed_json_is_a_400(db, api_client):
    response = api_client.post("/api/embedding/generate", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["error"]["message"]


def test_oversized_body_is_a_413_before_it_is_read(db, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"text": "x" * 2000}

    response = api_client.post("/api/embedding/generate", body, format="json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "the limit is 1000 bytes" in response.json()["error"]["message"]


def test_generate_without_active_config_is_a_503(db, api_client):
    response = api_client.post("/api/embedding/generate", {"text": "hello"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_config"
