"""A worker's answer to an embed request: vectors, or an error with one of these codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ReplyErrorCode(StrEnum):
    CONFIG_NOT_FOUND = "config_not_found"
    MODEL_NOT_LOADED = "model_not_loaded"
    INVALID_INPUT = "invalid_input"


def error_reply(code: ReplyErrorCode, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"code": str(code), "message": message, "param": param}}
