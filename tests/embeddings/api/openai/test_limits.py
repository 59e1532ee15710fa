"""Request limits and bad input on /v1/embeddings: each a clear 4xx in OpenAI's envelope, never a 500.

None of these reach a worker, so they run without one."""

import pytest


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def post(active_config, key_client):
    def post(body, **kwargs):
        return key_client.post("/v1/embeddings", body, format="json", **kwargs)

    return post


def test_2049_inputs_is_a_400(post):
    error = _error(post({"model": "all-MiniLM-L6-v2", "input": ["x"] * 2049}), 400)

    assert error == {
        "message": "input: at most 2048 inputs per request, got 2049.",
        "type": "invalid_request_error",
        "param": "input",
        "code": "invalid_input",
    }


def test_input_count_limit_comes_from_settings(post, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "MAX_TEXTS_PER_REQUEST": 2}

    error = _error(post({"model": "all-MiniLM-L6-v2", "input": ["a", "b", "c"]}), 400)

    assert error["message"] == "input: at most 2 inputs per request, got 3."


@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        ({"model": "all-MiniLM-L6-v2", "input": ""}, "input.0: must not be an empty string.", "input.0"),
        (
            {"model": "all-MiniLM-L6-v2", "input": ["a", ""]},
            "input.1: must not be an empty string.",
            "input.1",
        ),
        ({"model": "all-MiniLM-L6-v2", "input": []}, "input: must not be an empty array.", "input"),
        (
            {"model": "all-MiniLM-L6-v2", "input": [[1, 2], [-5]]},
            "input.1: token ids must be non-negative integers, got -5.",
            "input.1",
        ),
        ({"model": "all-MiniLM-L6-v2"}, "input: This field is required.", "input"),
        ({"input": "hi"}, "model: This field is required.", "model"),
        ({"model": 5, "input": "hi"}, "model: must be a string, not int.", "model"),
        (
            {"model": "all-MiniLM-L6-v2", "input": "hi", "encoding_format": "int8"},
            'encoding_format: "int8" is not a valid choice.',
            "encoding_format",
        ),
        (
            {"model": "all-MiniLM-L6-v2", "input": "hi", "dimensions": 0},
            "dimensions: Ensure this value is greater than or equal to 1.",
            "dimensions",
        ),
        (
            {"model": "all-MiniLM-L6-v2", "input": "hi", "dimensions": "many"},
            "dimensions: A valid integer is required.",
            "dimensions",
        ),
    ],
)
def test_bad_fields_are_a_400_naming_the_field(post, body, message, param):
    error = _error(post(body), 400)

    assert (error["message"], error["param"], error["type"]) == (message, param, "invalid_request_error")


def test_a_json_array_body_is_a_400(post):
    error = _error(post(["not", "an", "object"]), 400)

    assert error["message"] == "Invalid data. Expected a dictionary, but got list."


def test_malformed_json_is_a_400(post, key_client):
    response = key_client.post("/v1/embeddings", "{nope", content_type="application/json")

    assert _error(response, 400)["message"].startswith("JSON parse error")


def test_a_body_over_the_limit_is_a_413(post, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

    error = _error(post({"model": "all-MiniLM-L6-v2", "input": ["x" * 1000] * 10_500}), 413)

    assert error["type"] == "invalid_request_error"
    assert error["code"] == "request_too_large"
    assert error["message"].endswith("the limit is 10485760 bytes")


def test_get_on_embeddings_is_a_405(key_client, db):
    error = _error(key_client.get("/v1/embeddings"), 405)

    assert error["message"] == 'Method "GET" not allowed.'


@pytest.mark.parametrize("path", ["/v1/nope", "/api/v1/embeddings/extra", "/api/nothing"])
def test_unknown_urls_under_the_api_are_a_404_in_the_envelope(client, db, path):
    error = _error(client.get(path), 404)

    assert error == {
        "message": f"invalid URL (GET {path})",
        "type": "invalid_request_error",
        "param": None,
        "code": "unknown_url",
    }
