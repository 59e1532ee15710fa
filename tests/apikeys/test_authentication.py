"""Every API route but health needs a valid key (Authorization: Bearer) or a staff session."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from apikeys.selectors import API_KEYS
from apikeys.services import api_key_create, api_key_revoke

PROTECTED = [
    ("get", "/v1/models"),
    ("get", "/api/v1/models"),
    ("post", "/v1/embeddings"),
    ("post", "/api/v1/embeddings"),
    ("get", "/v1/models/all-MiniLM-L6-v2"),
    ("get", "/api/embedding/config"),
    ("post", "/api/embedding/generate"),
]


def _client(authorization: str | None = None) -> APIClient:
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def _call(client: APIClient, method: str, path: str):
    return getattr(client, method)(
        path, {"model": "all-MiniLM-L6-v2", "input": "hi"} if method == "post" else None, format="json"
    )


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_key_is_a_401_in_the_openai_envelope(db, method, path):
    response = _call(_client(), method, path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "error": {
            "message": "no API key provided: send it in an Authorization header using Bearer auth "
            "(Authorization: Bearer <API key>), or log in as staff",
            "type": "authentication_error",
            "param": None,
            "code": "missing_api_key",
        }
    }


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_wrong_key_is_a_401(db, method, path):
    response = _call(_client("Bearer ep-0123456789ab-not-the-secret"), method, path)

    assert response.status_code == 401
    assert response.json()["error"] == {
        "message": "incorrect API key provided",
        "type": "authentication_error",
        "param": None,
        "code": "invalid_api_key",
    }


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer sk-openai-style-key", "Bearer \u00e9t\u00e9"]
)
def test_malformed_bearer_headers_are_a_401_not_a_500(db, header):
    response = _client(header).get("/v1/models")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("owner")


def test_revoked_key_is_a_401_that_says_so(owner):
    api_key, plain = api_key_create(name="old", user=owner, scopes=["embed"])
    api_key_revoke(api_key)

    response = _client(f"Bearer {plain}").get("/v1/models")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "this API key has been revoked"
    assert response.json()["error"]["code"] == "revoked_api_key"


def test_valid_key_reads_config_and_records_last_use(active_config, owner):
    api_key, plain = api_key_create(name="reader", user=owner, scopes=["embed"])

    response = _client(f"Bearer {plain}").get("/api/embedding/config")

    assert response.status_code == 200
    assert response.json()["config_id"] == active_config.pk
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_staff_session_is_enough_and_a_plain_user_session_is_a_403(db):
    User = get_user_model()
    User.objects.create_user("boss", password="pw-boss-123", is_staff=True)
    User.objects.create_user("guest", password="pw-guest-123")
    staff, plain_user = APIClient(), APIClient()
    assert staff.login(username="boss", password="pw-boss-123")
    assert plain_user.login(username="guest", password="pw-guest-123")

    assert staff.get("/v1/models").status_code == 200
    response = plain_user.get("/v1/models")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "message": "this endpoint needs an API key with the 'embed' scope or a staff session",
        "type": "permission_error",
        "param": None,
        "code": "permission_denied",
    }


def test_health_needs_no_key(db):
    assert _client().get("/api/health").status_code == 200


def test_a_revoked_key_stops_working_on_the_next_request_though_it_was_cached(active_config, make_api_key):
    key = make_api_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/embedding/config").status_code == 200  # now cached in this process
    cached_before = API_KEYS.get(key.split("-")[1], lambda: None)

    api_key_revoke(ApiKey.objects.get())

    assert cached_before is not None
    assert client.get("/api/embedding/config").status_code == 401


def test_a_key_of_a_deactivated_user_is_a_401_though_it_was_cached(active_config, make_api_key, key_user):
    client = _client(f"Bearer {make_api_key()}")
    assert client.get("/api/embedding/config").status_code == 200  # now cached in this process

    key_user.is_active = False
    key_user.save()

    response = client.get("/api/embedding/config")
    assert response.status_code == 401
    assert response.json()["error"] == {
        "message": "this API key's user is deactivated",
        "type": "authentication_error",
        "param": None,
        "code": "inactive_api_key_user",
    }
