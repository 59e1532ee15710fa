"""Django-level error pages for API paths: OpenAI's envelope instead of HTML, also for unknown URLs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from embedplatform.api.errors import error_body

API_PATH_PREFIXES = ("/v1/", "/api/")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIXES)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        message = f"invalid URL ({request.method} {request.path})"
        return JsonResponse(error_body(message, "invalid_request_error", "unknown_url"), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Requests Django refuses before any view (a Host not in ALLOWED_HOSTS, a malformed multipart body)."""
    if _is_api(request):
        return JsonResponse(error_body("bad request", "invalid_request_error", "bad_request"), status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("internal error; the failure was logged", "server_error", "internal_error"), status=500
        )
    return defaults.server_error(request)
