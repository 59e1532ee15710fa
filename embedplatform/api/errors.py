"""The API's one error type and its envelope, OpenAI's: {"error": {"message", "type", "param", "code"}}.

Apps raise ApiError (or a subclass) from services and selectors; the exception handler maps it to HTTP.
"""

from __future__ import annotations

from typing import Any


def error_body(
    message: str, error_type: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


class ApiError(Exception):
    status_code = 400
    error_type = "invalid_request_error"
    code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.error_type, self.code, self.param)


class InvalidInput(ApiError):
    code = "invalid_input"


class NotFound(ApiError):
    status_code = 404
    error_type = "not_found_error"
    code = "not_found"


class ServiceUnavailable(ApiError):
    status_code = 503
    error_type = "service_unavailable"
    code = "service_unavailable"
