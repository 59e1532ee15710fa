"""Times every request, labelled by the URL pattern it matched (never the raw path: bounded labels)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from prometheus_client import Histogram

UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "embedplatform_http_request_duration_seconds",
    "Seconds from a request reaching Django to its response, by URL pattern, method and status code",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def route_label(request: HttpRequest) -> str:
    """The matched pattern ("/v1/embeddings", "/admin/<path:object_id>/"), or "unmatched".

    A response made before URL resolution (a middleware's 413, a redirect) is resolved here."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    return "/" + match.route


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(route_label(request), method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
