"""Per-key rate limiting (DRF throttling in the Redis cache), answered with 429 in OpenAI's envelope."""

import pytest
from rest_framework.test import APIClient


def _client(plain_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain_key}")
    return client


def test_a_key_over_its_rate_gets_429_with_retry_after(db, make_api_key, settings):
    settings.API_RATE_LIMIT = "2/min"
    client = _client(make_api_key())

    statuses = [client.get("/v1/models").status_code for _ in range(2)]
    response = client.get("/v1/models")

    assert statuses == [200, 200]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"] == {
        "message": f"Request was throttled. Expected available in {response['Retry-After']} seconds.",
        "type": "rate_limit_error",
        "param": None,
        "code": "throttled",
    }


def test_each_key_has_its_own_budget(db, make_api_key, settings):
    settings.API_RATE_LIMIT = "1/min"
    first, second = _client(make_api_key()), _client(make_api_key())

    assert first.get("/v1/models").status_code == 200
    assert first.get("/v1/models").status_code == 429
    assert second.get("/v1/models").status_code == 200


def test_staff_sessions_are_limited_per_user(api_client, settings):
    settings.API_RATE_LIMIT = "1/min"

    assert api_client.get("/v1/models").status_code == 200
    assert api_client.get("/v1/models").status_code == 429


@pytest.mark.parametrize("rate", ["", None])
def test_an_empty_rate_turns_limiting_off(db, make_api_key, settings, rate):
    settings.API_RATE_LIMIT = rate
    client = _client(make_api_key())

    assert {client.get("/v1/models").status_code for _ in range(5)} == {200}


def test_health_is_never_limited(db, settings):
    settings.API_RATE_LIMIT = "1/min"

    assert {APIClient().get("/api/health").status_code for _ in range(3)} == {200}
