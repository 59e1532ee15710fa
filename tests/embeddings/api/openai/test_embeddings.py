"""POST /v1/embeddings against the real worker and the real MiniLM model (Django test client)."""

import base64

import numpy as np

from embeddings import catalog
from embeddings.configs.services import config_create
from tests.conftest import wait_for_model

SENTENCES = ["The cat sits on the mat.", "Embeddings turn text into vectors.", "PostgreSQL stores vectors."]
LONG_TEXT = "token " * 300


def _cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _tokens(reference_model, text: str) -> int:
    return len(reference_model.tokenizer(text)["input_ids"])


def _embed(client, **body):
    return client.post("/v1/embeddings", {"model": "all-MiniLM-L6-v2", **body}, format="json")


def test_batch_in_float_equals_reference_with_exact_usage(served_config, key_client, reference_model):
    response = _embed(key_client, input=SENTENCES)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "list"
    assert body["model"] == "all-MiniLM-L6-v2"
    assert [item["index"] for item in body["data"]] == [0, 1, 2]
    assert {item["object"] for item in body["data"]} == {"embedding"}
    for item, expected in zip(body["data"], reference_model.encode(SENTENCES), strict=True):
        assert len(item["embedding"]) == 384
        assert _cosine(item["embedding"], expected) >= 0.9999
    tokens = sum(_tokens(reference_model, text) for text in SENTENCES)
    assert body["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}


def test_base64_is_the_little_endian_float32_of_the_float_vector(served_config, key_client):
    as_float = _embed(key_client, input="The cat sits on the mat.", encoding_format="float").json()
    as_base64 = _embed(key_client, input="The cat sits on the mat.", encoding_format="base64").json()

    decoded = np.frombuffer(base64.b64decode(as_base64["data"][0]["embedding"]), dtype="<f4")
    np.testing.assert_array_equal(decoded, np.asarray(as_float["data"][0]["embedding"], dtype=np.float32))
    assert as_base64["usage"] == as_float["usage"]


def test_same_view_answers_under_api_v1(served_config, api_client):
    response = api_client.post(
        "/api/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": "hi"}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["data"][0]["embedding"]) == 384


def test_token_id_inputs_embed_like_their_text(served_config, key_client, reference_model):
    ids = [reference_model.tokenizer(text, add_special_tokens=False)["input_ids"] for text in SENTENCES[:2]]

    single = _embed(key_client, input=ids[0]).json()
    batch = _embed(key_client, input=ids).json()

    expected = reference_model.encode(SENTENCES[:2])
    assert _cosine(single["data"][0]["embedding"], expected[0]) >= 0.9999
    for item, vector in zip(batch["data"], expected, strict=True):
        assert _cosine(item["embedding"], vector) >= 0.9999


def test_token_ids_outside_the_vocabulary_are_a_400(served_config, key_client):
    response = _embed(key_client, input=[[101, 30522]])

    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "input[0] has token id 30522, outside this model's vocabulary (0 to 30521)",
        "type": "invalid_request_error",
        "param": "input",
        "code": "invalid_input",
    }


def test_catalog_alias_is_accepted_and_the_canonical_name_returned(served_config, key_client):
    response = key_client.post(
        "/v1/embeddings",
        {"model": "sentence-transformers/all-MiniLM-L6-v2", "input": "hi", "user": "u-1", "unknown_field": 1},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["model"] == "all-MiniLM-L6-v2"


def test_over_long_input_is_truncated_by_default_and_usage_counts_what_was_embedded(
    served_config, key_client, reference_model
):
    response = _embed(key_client, input=[LONG_TEXT, "short"])

    assert response.status_code == 200
    assert _cosine(response.json()["data"][0]["embedding"], reference_model.encode(LONG_TEXT)) >= 0.9999
    assert response.json()["usage"]["prompt_tokens"] == 256 + _tokens(reference_model, "short")


def test_config_that_rejects_over_long_inputs_answers_400_naming_the_limit(
    celery_worker_process, transactional_db, key_client
):
    config = config_create(model="all-MiniLM-L6-v2", input_overflow="reject", activate=True)
    wait_for_model(config.pk)

    response = _embed(key_client, input=["short", LONG_TEXT])

    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "input[1] has 302 tokens, more than this model's limit of 256 tokens; shorten it (this "
        "config rejects longer inputs instead of truncating them)",
        "type": "invalid_request_error",
        "param": "input",
        "code": "invalid_input",
    }
    assert _embed(key_client, input=["short"]).status_code == 200


def test_other_model_is_a_404_model_not_found(served_config, key_client):
    response = _embed(key_client, model="text-embedding-3-small", input="hi")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "message": "the model 'text-embedding-3-small' does not exist or is not served here; this server "
        "serves 'all-MiniLM-L6-v2' (see GET /v1/models)",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


def test_another_catalog_model_is_not_silently_served(served_config, key_client):
    response = _embed(key_client, model="paraphrase-MiniLM-L3-v2", input="hi")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"


def test_dimensions_other_than_native_is_a_400_for_this_model(served_config, key_client):
    assert _embed(key_client, input="hi", dimensions=384).status_code == 200

    response = _embed(key_client, input="hi", dimensions=128)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "model 'all-MiniLM-L6-v2' does not support dimensions: its vectors always have "
        "384 dimensions",
        "type": "invalid_request_error",
        "param": "dimensions",
        "code": "dimensions_not_supported",
    }


def test_dimensions_truncates_and_renormalizes_for_a_matryoshka_model(
    served_config, key_client, reference_model, monkeypatch
):
    entry = catalog.find("all-MiniLM-L6-v2")
    monkeypatch.setattr(
        catalog.entries, "ENTRIES", (entry.__class__(**{**entry.__dict__, "matryoshka": True}),)
    )

    response = _embed(key_client, input=SENTENCES[0], dimensions=64)

    vector = np.asarray(response.json()["data"][0]["embedding"])
    expected = reference_model.encode(SENTENCES[0])[:64]
    assert vector.shape == (64,)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-5
    assert _cosine(vector, expected) >= 0.9999


def test_no_worker_with_the_model_loaded_is_a_503(celery_worker_process, transactional_db, key_client):
    config = config_create(model="/nonexistent/model", dimensions=384, activate=True)  # no worker can load it

    response = _embed(key_client, model="/nonexistent/model", input="hi")

    assert response.status_code == 503
    assert response.json()["error"] == {
        "message": f"no embedding worker has model '/nonexistent/model' (config {config.pk}) loaded yet; "
        "start a worker or retry shortly",
        "type": "service_unavailable",
        "param": None,
        "code": "model_not_loaded",
    }


def test_no_active_config_is_a_503(db, key_client):
    response = _embed(key_client, input="hi")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_config"


def test_a_key_over_its_rate_is_refused_after_the_real_submissions_counted_it(
    served_config, key_client, settings
):
    """The fast lane takes a request's share in the script that submits it to the worker."""
    settings.API_RATE_LIMIT = "2/min"

    statuses = [_embed(key_client, input=text).status_code for text in SENTENCES]

    assert statuses == [200, 200, 429]


def test_a_key_revoked_by_another_process_is_refused_at_once_though_this_process_cached_it(
    served_config, key_client, embed_key
):
    """The fast lane reuses a cached key without reading its generation counter; the script that submits
    the request checks the counter, so a revocation made elsewhere is seen by the very next request."""
    from django.utils import timezone

    from apikeys.models import ApiKey
    from apikeys.secrets import split_key
    from apikeys.selectors import API_KEYS
    from embedplatform.redis_connection import get_redis

    assert _embed(key_client, input="cached").status_code == 200  # this process now holds the key
    # What a revocation in another process leaves behind: the row changed (no signal reaches this
    # process's cache) and the counter bumped.
    ApiKey.objects.filter(prefix=split_key(embed_key).prefix).update(revoked_at=timezone.now())
    get_redis().incr(API_KEYS.key)

    response = _embed(key_client, input="after")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_api_key"
