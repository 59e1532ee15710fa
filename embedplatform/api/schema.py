"""OpenAPI pieces shared by every view: the error envelope and the error responses each route can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    message = serializers.CharField()
    type = serializers.CharField(
        help_text="invalid_request_error, authentication_error, permission_error, "
        "not_found_error, rate_limit_error, service_unavailable, server_error"
    )
    param = serializers.CharField(allow_null=True, help_text="The request field at fault, if any.")
    code = serializers.CharField(allow_null=True, help_text="A stable machine-readable code.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "Invalid request (type `invalid_request_error`).",
    401: "Missing, incorrect or revoked API key (type `authentication_error`).",
    403: "The key or user may not do this (type `permission_error`).",
    404: "Unknown model (code `model_not_found`) or resource.",
    409: "The resource's state does not allow it, e.g. resuming a running job (code `job_state_conflict`).",
    413: "Request body over the size limit (code `request_too_large`).",
    415: "The body is not `application/json` (code `unsupported_media_type`).",
    429: "Rate limit exceeded (type `rate_limit_error`); see the `Retry-After` header.",
    503: "No active config, or no worker has the model loaded yet (type `service_unavailable`).",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for extend_schema(responses=...), all in the one envelope."""
    return {
        code: OpenApiResponse(ErrorEnvelopeSerializer, description=_DESCRIPTIONS[code])
        for code in status_codes
    }


AUTHENTICATED_ERRORS = (401, 403, 413, 429)


class EnvelopeAutoSchema(AutoSchema):
    """Adds the error responses every route can give, so no view has to list them.

    Routes that need a key get 401/403/413/429; routes that take a body also get 400 and 415. A view's own
    extend_schema(responses=...) entries (404, 503, ...) stay as they are.
    """

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = set(AUTHENTICATED_ERRORS) if self._requires_authentication() else set()
        if self.method in ("POST", "PUT", "PATCH"):
            codes.update((400, 415))
        for code, response in error_responses(*sorted(codes)).items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses

    def _requires_authentication(self) -> bool:
        return bool(self.view.get_permissions())
