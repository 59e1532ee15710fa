"""The error codes a worker may answer an embed request with (the web side maps each to an API error)."""

from __future__ import annotations

from enum import StrEnum


class ReplyErrorCode(StrEnum):
    CONFIG_NOT_FOUND = "config_not_found"
    MODEL_NOT_LOADED = "model_not_loaded"
    INVALID_INPUT = "invalid_input"
    WORKER_ERROR = "worker_error"
