"""The one error envelope of the API, OpenAI's: {"error": {"message", "type", "param", "code"}}."""

from __future__ import annotations

from typing import Any


def error_body(
    message: str, error_type: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}
