"""Per-key rate limiting (a sliding window in Redis), answered with 429 in OpenAI's envelope."""

import pytest
import redis
from rest_framework.test import APIClient

from embedplatform.api import throttling
from embedplatform.redis_connection import client_options


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


@pytest.fixture
def redis_unreachable(monkeypatch):
    unreachable = redis.Redis(host="127.0.0.1", port=1, **client_options())  # the platform's retry policy
    monkeypatch.setattr(
        throttling, "_script", lambda: unreachable.register_script(throttling._SLIDING_WINDOW)
    )


def test_with_redis_unreachable_the_limiter_fails_open_by_default(
    db, make_api_key, settings, redis_unreachable
):
    settings.API_RATE_LIMIT = "1/min"
    client = _client(make_api_key())

    assert {client.get("/v1/models").status_code for _ in range(3)} == {200}


def test_a_limiter_told_to_fail_closed_refuses_with_a_503(db, make_api_key, settings, redis_unreachable):
    settings.API_RATE_LIMIT, settings.API_RATE_LIMIT_FAIL_OPEN = "1/min", False

    response = _client(make_api_key()).get("/v1/models")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "rate_limiter_unavailable"


def test_requests_refused_by_the_limit_do_not_use_up_the_window(db, make_api_key, settings):
    """A sliding log: a client hammering a limited key does not push its own window further out."""
    settings.API_RATE_LIMIT = "2/s"
    client = _client(make_api_key())
    assert [client.get("/v1/models").status_code for _ in range(4)] == [200, 200, 429, 429]

    import time

    time.sleep(1.05)

    assert client.get("/v1/models").status_code == 200
