"""POST /v1/embeddings with an API key, answered before the rest of the middleware and DRF's dispatch.

Under 32 clients of one text each, the web process spent over half as much CPU per request as the worker's
forward pass, much of it in machinery an API-key request does not use: sessions, CSRF, messages and axes
middleware, DRF's request wrapping, content negotiation, per-request serializer copies and response
finalising (issue 8; bench/ab.py --name fast-lane). This middleware answers the common request itself, with
EmbeddingsView's own parts: ApiKeyAuthentication, the embed scope, the JSON parser, the serializer's
validation, the rate limiter, embeddings_answer() and the JSON renderer.

It only decides what is cheap to decide. Anything else goes on, unchanged, to EmbeddingsView: no Bearer key
or a bad one, a key without the scope, another content type or Accept header, a body that does not parse or
validate, a request over its rate limit, an unknown model. So every error but those of a submitted request
(no worker, input the model refuses, a worker that failed) comes from the view.

The lane's only Redis round trip before the worker's answer is the script that submits the request
(embeddings.client.embedding). The key and the active config come from this process's caches without
reading their generation counters (embedplatform.generations.assuming_cached_generations); the script
checks those counters, then takes the request's rate-limit share, then submits. A key or config that
changed since, or a request over its limit, is refused there with nothing submitted and nothing counted,
and goes on to the view: the view reads the counters, sees the change (a revoked key is a 401), and
refuses an over-limit request with its Retry-After. An embedding error raised before the submission (an
unknown model, say) also goes to the view, which answers it afresh and counts it. So every request counts
once, whichever path answers it, and none is answered from a cache that a write has outdated.

It sits after the middleware every response needs (metrics, body limit, generation snapshot, security
headers, X-Frame-Options); API_FAST_LANE=false turns it off.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.exceptions import APIException

from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from embeddings.api.openai.answers import embeddings_answer
from embeddings.api.openai.serializers import embeddings_request_validated
from embeddings.api.openai.views import EmbeddingsView
from embedplatform.api.errors import ApiError
from embedplatform.api.parsers import DepthLimitedJSONParser
from embedplatform.api.throttling import RateLimited, RateLimitShare, api_key_identity
from embedplatform.generations import StaleGenerations, assuming_cached_generations

JSON = "application/json"
ACCEPT_HEADERS = frozenset({"", "*/*", JSON})  # Accept headers DRF's negotiation surely answers with JSON


@cache
def embeddings_paths() -> frozenset[str]:
    """Where EmbeddingsView is routed (/v1/embeddings and /api/v1/embeddings)."""
    return frozenset({reverse("openai:embeddings"), reverse("api-openai:embeddings")})


@cache
def allow_header() -> str:
    return ", ".join(EmbeddingsView().allowed_methods)  # what DRF sends: "POST, OPTIONS"


class EmbeddingsFastLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.API_FAST_LANE and request.method == "POST" and request.path_info in embeddings_paths():
            with assuming_cached_generations():
                taken = take(request)
                response = answer(*taken) if taken is not None else None
            if response is not None:
                return response
        return self.get_response(request)


def take(request: HttpRequest) -> tuple[dict[str, Any], ApiKey] | None:
    """The validated request and its key when the lane may answer it, else None."""
    if not _plain_json(request):
        return None
    api_key = _api_key_with_scope(request)
    if api_key is None:
        return None
    try:
        data = DepthLimitedJSONParser().parse(io.BytesIO(request.body), JSON, {"encoding": "utf-8"})
        return embeddings_request_validated(data), api_key
    except (APIException, ApiError):  # ParseError, ValidationError
        return None


def _plain_json(request: HttpRequest) -> bool:
    charset = request.content_params.get("charset", "utf-8").lower()
    accept = request.META.get("HTTP_ACCEPT", "").strip()
    return request.content_type == JSON and charset == "utf-8" and accept in ACCEPT_HEADERS


def _api_key_with_scope(request: HttpRequest) -> ApiKey | None:
    try:
        authenticated = ApiKeyAuthentication().authenticate(request)  # type: ignore[arg-type]
    except APIException:
        return None
    if authenticated is None:
        return None
    api_key = authenticated[1]
    return api_key if api_key.has_scope(EmbeddingsView.required_scope) else None


def answer(validated: dict[str, Any], api_key: ApiKey) -> HttpResponse | None:
    """What EmbeddingsView answers: the vectors, or the embedding's own error in OpenAI's envelope. None
    for what the view must answer: a request over its rate limit, one whose cached key or config changed,
    an error raised before the submission."""
    share = RateLimitShare(api_key_identity(api_key))
    try:
        result = embeddings_answer(validated, share)
        body, headers, status = result.body, result.headers, 200
    except (RateLimited, StaleGenerations):
        return None
    except ApiError as error:
        if not share.taken:  # nothing was submitted or counted
            return None
        body, headers, status = error.body(), {}, error.status_code
    response = HttpResponse(ORJSONRenderer().render(body, JSON), content_type=JSON, status=status)
    for name, value in headers.items():
        response[name] = value
    response["Allow"] = allow_header()
    response["Content-Length"] = str(len(response.content))  # CommonMiddleware's job, further in
    return response
