"""The OpenAPI schema is valid, warning-free and complete; Swagger UI renders from local assets."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.db import connection

AUTHENTICATED_ERRORS = {"401", "403", "413", "429"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    out = StringIO()
    with django_db_blocker.unblock():
        try:
            call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
        finally:
            # Generating the schema reads the active config outside any test's transaction. Left open, that
            # connection outlived the suite and kept the test database from being dropped ("being accessed
            # by other users").
            connection.close()
    return yaml.safe_load(out.getvalue())


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_documented_route_is_present(schema):
    assert {
        "/v1/embeddings",
        "/api/v1/embeddings",
        "/v1/models",
        "/v1/models/{model}",
        "/api/v1/models",
        "/api/embedding/generate",
        "/api/embedding/config",
        "/api/health",
    } <= set(schema["paths"])


def test_bearer_scheme_is_declared_and_required_everywhere_but_health_and_docs(schema):
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    for path, method, operation in _operations(schema):
        if path == "/api/health" or path.startswith("/api/schema"):
            continue
        assert {"ApiKeyAuth": []} in operation["security"], (path, method)


def test_every_protected_operation_documents_its_errors_in_the_envelope(schema):
    envelope = "#/components/schemas/ErrorEnvelope"
    for path, method, operation in _operations(schema):
        if path == "/api/health" or path.startswith("/api/schema"):
            continue
        responses = operation["responses"]
        assert AUTHENTICATED_ERRORS <= set(responses), (path, method)
        for status in {code for code in responses if not code.startswith("2")}:
            assert responses[status]["content"]["application/json"]["schema"]["$ref"] == envelope


def test_embeddings_request_documents_all_input_shapes(schema):
    request = schema["components"]["schemas"]["EmbeddingsRequestRequest"]
    assert [shape["title"] for shape in request["properties"]["input"]["oneOf"]] == [
        "one text",
        "texts",
        "one input as token ids",
        "inputs as token ids",
    ]
    assert request["required"] == ["input", "model"]


def test_swagger_ui_renders_with_local_assets_for_a_staff_session(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr" not in page
    assert (
        client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    )


def test_schema_needs_a_key_or_staff_session_by_default(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 401
    assert b"missing_api_key" in response.content


def test_docs_send_a_browser_without_a_staff_session_to_the_admin_login(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/api/docs/"


def test_schema_serves_with_an_api_key(client, embed_key):
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {embed_key}")

    assert response.status_code == 200
    assert b"/v1/embeddings" in response.content
