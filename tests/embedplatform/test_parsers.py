"""Request bodies: JSON nested too deep, bytes that are not UTF-8, wrong content types and refused hosts all
get a 4xx in the error envelope, before any view code runs."""

import pytest

from embedplatform.api.parsers import nesting_exceeds


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        (_nested(3), 3, False),
        (_nested(4), 3, True),
        ('{"a": {"b": [1]}}', 3, False),
        ('{"a": {"b": [[1]]}}', 3, True),
        ('["[[[[[[", "]]]]"]', 1, False),  # brackets inside strings do not count
        ('["\\"[[[[", "\\\\"]', 1, False),  # escaped quotes and backslashes inside strings
        ("[[], [], [], []]", 2, False),  # siblings, not nesting
    ],
)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(text, limit, expected):
    assert nesting_exceeds(text, limit) is expected


def test_a_body_nested_deeper_than_the_limit_is_a_400_before_parsing(key_client):
    body = '{"model": "all-MiniLM-L6-v2", "input": ' + _nested(32) + "}"  # 33 levels with the object

    response = key_client.post("/v1/embeddings", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "JSON nested deeper than 32 levels",
            "type": "invalid_request_error",
            "param": None,
            "code": "json_too_deep",
        }
    }


def test_a_body_at_the_limit_is_parsed(api_client):
    metadata = "{" + '"a": {' * 30 + '"b": 1' + "}" * 30 + "}"  # 31 levels, 32 with the body
    body = '{"title": "deep but allowed", "metadata": ' + metadata + "}"

    response = api_client.post("/api/chat/conversations/", body, content_type="application/json")

    assert response.status_code == 201, response.json()


def test_the_depth_limit_is_a_setting(api_client, settings):
    settings.API_MAX_JSON_DEPTH = 2

    response = api_client.post(
        "/api/chat/conversations/", '{"title": "t", "metadata": {"a": [1]}}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "JSON nested deeper than 2 levels"


def test_bytes_that_are_not_utf8_are_a_parse_error(api_client):
    response = api_client.post("/api/chat/search", b'{"query": "\xff"}', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 11: "
        "invalid start byte",
        "type": "invalid_request_error",
        "param": None,
        "code": "parse_error",
    }


@pytest.mark.parametrize("path", ["/v1/embeddings", "/api/chat/search", "/api/embedding/generate"])
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_a_body_that_is_not_json_is_a_415_in_the_envelope(api_client, path, content_type):
    response = api_client.post(path, b"input=hello", content_type=content_type)

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "message": f'Unsupported media type "{content_type}" in request.',
            "type": "invalid_request_error",
            "param": None,
            "code": "unsupported_media_type",
        }
    }


def test_a_host_not_allowed_gets_the_envelope_on_api_paths(anonymous_client):
    response = anonymous_client.get("/api/health", HTTP_HOST="attacker.invalid")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "bad request",
            "type": "invalid_request_error",
            "param": None,
            "code": "bad_request",
        }
    }
