"""Every route of the OpenAPI schema x every kind of caller: a key with each scope, anonymous, an ordinary
user's session, a staff session. SCOPE_OF below is the expected map, written out by hand: a route added to
the schema without an entry here fails this test, and so does an entry whose route is gone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

PUBLIC = "public"  # no key needed
ANY_KEY = "any key"  # any valid key, whatever its scopes

SCOPE_OF = {
    ("get", "/api/health"): PUBLIC,
    ("get", "/api/schema/"): ANY_KEY,
    ("post", "/v1/embeddings"): "embed",
    ("post", "/api/v1/embeddings"): "embed",
    ("get", "/v1/models"): "embed",
    ("get", "/api/v1/models"): "embed",
    ("get", "/v1/models/{model}"): "embed",
    ("get", "/api/v1/models/{model}"): "embed",
    ("post", "/api/embedding/generate"): "embed",
    ("get", "/api/embedding/config"): "embed",
    ("get", "/api/chat/conversations/"): "chat",
    ("post", "/api/chat/conversations/"): "chat",
    ("get", "/api/chat/conversations/{id}/"): "chat",
    ("patch", "/api/chat/conversations/{id}/"): "chat",
    ("delete", "/api/chat/conversations/{id}/"): "chat",
    ("get", "/api/chat/conversations/{id}/messages/"): "chat",
    ("post", "/api/chat/conversations/{id}/messages/"): "chat",
    ("get", "/api/chat/messages/{id}/"): "chat",
    ("patch", "/api/chat/messages/{id}/"): "chat",
    ("delete", "/api/chat/messages/{id}/"): "chat",
    ("post", "/api/chat/search"): "chat",
    ("post", "/api/chat/context"): "chat",
    ("put", "/api/admin/embedding/config"): "admin",
    ("post", "/api/admin/embedding/configs/{config_id}/activate"): "admin",
    ("get", "/api/admin/embedding/activations/{activation_id}"): "admin",
    ("get", "/api/admin/embedding/workers"): "admin",
    ("post", "/api/admin/embedding/reembed"): "admin",
    ("get", "/api/admin/embedding/reembed/{job_id}"): "admin",
    ("post", "/api/admin/embedding/reembed/{job_id}/pause"): "admin",
    ("post", "/api/admin/embedding/reembed/{job_id}/resume"): "admin",
    ("post", "/api/admin/embedding/reembed/{job_id}/cancel"): "admin",
}

CALLERS = ["embed", "chat", "admin", "anonymous", "user session", "staff session"]


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture
def schema(db) -> dict:
    staff = get_user_model().objects.create_user("schema-reader", is_staff=True)
    client = APIClient()
    client.force_login(staff)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_route_in_the_schema_has_an_expected_scope_and_every_entry_a_route(schema):
    routes = {(method, path) for method, path, _ in _operations(schema)}

    assert sorted(routes - set(SCOPE_OF)) == [], "new routes: give each an entry in SCOPE_OF"
    assert sorted(set(SCOPE_OF) - routes) == [], "entries whose route is gone"


def _client(caller: str, make_api_key) -> APIClient:
    client = APIClient()
    if caller in {"embed", "chat", "admin"}:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key([caller])}")
    elif caller.endswith("session"):
        user = get_user_model().objects.create_user(
            caller.replace(" ", "-"), is_staff=caller == "staff session"
        )
        client.force_login(user)
    return client


def _url(path: str, operation: dict) -> str:
    """The path with each parameter filled in with something that does not exist."""
    kinds = {p["name"]: p["schema"]["type"] for p in operation.get("parameters", []) if p["in"] == "path"}
    return re.sub(r"\{(\w+)\}", lambda m: "999999" if kinds[m.group(1)] == "integer" else "no-such", path)


def _allowed(scope: str, caller: str) -> bool:
    if scope == PUBLIC or caller == "staff session":
        return True
    if scope == ANY_KEY:
        return caller in {"embed", "chat", "admin"}
    return caller == scope


def _expected(scope: str, caller: str) -> str | int:
    if _allowed(scope, caller):
        return "let through"
    return 401 if caller == "anonymous" else 403


def _outcome(status: int) -> str | int:
    """Anything but 401/403 got past authentication and permissions (400, 404, 503 are the route's own)."""
    return status if status in (401, 403) else "let through"


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_gets_through_exactly_where_the_scope_map_says(schema, make_api_key, caller):
    client = _client(caller, make_api_key)

    outcomes = {
        (method, path): _outcome(
            getattr(client, method)(_url(path, operation), {}, format="json").status_code
        )
        for method, path, operation in _operations(schema)
        if (method, path) in SCOPE_OF
    }

    assert outcomes == {route: _expected(SCOPE_OF[route], caller) for route in outcomes}
    assert len(outcomes) == len(SCOPE_OF)
