"""The one domain error type of the platform. The API's exception handler maps it to HTTP."""

from __future__ import annotations


class EmbeddingError(Exception):
    status_code = 400
    error_type = "invalid_request_error"
    code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code


class InvalidInput(EmbeddingError):
    code = "invalid_input"


class ConfigError(EmbeddingError):
    code = "invalid_config"


class ModelNotFound(EmbeddingError):
    status_code = 404
    code = "model_not_found"


class NoActiveConfig(EmbeddingError):
    status_code = 503
    error_type = "service_unavailable"
    code = "no_active_config"


class ModelNotReady(EmbeddingError):
    """No worker has the model loaded, or the workers did not answer in time."""

    status_code = 503
    error_type = "service_unavailable"
    code = "model_not_loaded"


class WorkerFailed(EmbeddingError):
    status_code = 503
    error_type = "service_unavailable"
    code = "worker_error"


class NotFound(EmbeddingError):
    status_code = 404
    error_type = "not_found_error"
    code = "not_found"
