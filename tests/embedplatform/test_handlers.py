"""Django-level error pages: API paths get OpenAI's envelope, other paths Django's pages."""

import json

from django.http import Http404
from django.test import RequestFactory

from embedplatform.api.handlers import not_found, server_error


def test_server_error_on_an_api_path_is_an_envelope():
    response = server_error(RequestFactory().post("/v1/embeddings"))

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": {
            "message": "internal error; the failure was logged",
            "type": "server_error",
            "param": None,
            "code": "internal_error",
        }
    }


def test_pages_outside_the_api_keep_django_defaults():
    assert server_error(RequestFactory().get("/admin/")).content.startswith(b"\n<!doctype html>")
    response = not_found(RequestFactory().get("/elsewhere"), Http404())
    assert response.status_code == 404
    assert b"Not Found" in response.content
