"""Maps every API exception to the OpenAI error envelope, with a fitting status. Never a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from embedplatform.api.errors import ApiError, error_body

logger = logging.getLogger(__name__)

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    406: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}


def _first_error(detail: Any, path: str = "") -> tuple[str, str | None]:
    """The first message of a DRF error detail, with the field path it belongs to."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        name = field if field != "non_field_errors" else ""
        return _first_error(value, f"{path}.{name}".strip(".") if name else path)
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], path)
    return str(detail), path or None


MISSING_KEY_MESSAGE = (
    "no API key provided: send it in an Authorization header using Bearer auth "
    "(Authorization: Bearer <API key>), or log in as staff"
)


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid_input"
    if isinstance(exc, exceptions.NotAuthenticated):
        return "missing_api_key"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _drf_response(exc: exceptions.APIException) -> Response:
    status_code = exc.status_code
    message, param = _first_error(exc.detail)
    if isinstance(exc, exceptions.ValidationError) and param:
        message = f"{param}: {message}"
    if isinstance(exc, exceptions.NotAuthenticated):
        message = MISSING_KEY_MESSAGE
    code = _code(exc)
    error_type = _TYPES.get(status_code, "api_error")
    response = Response(error_body(message, error_type, code, param), status=status_code)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_api_exception(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, ApiError):
        return Response(exc.body(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request body is too large", "invalid_request_error", "request_too_large"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.APIException):
        return _drf_response(exc)
    view = context.get("view")
    logger.exception("unhandled error in %s", type(view).__name__ if view else "API view")
    return Response(
        error_body("internal error; the failure was logged", "server_error", "internal_error"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
