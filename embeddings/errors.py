"""Embedding failures, as API errors (the exception handler in embedplatform/api maps them to HTTP)."""

from __future__ import annotations

from embedplatform.api.errors import InvalidInput, ServiceUnavailable


class ConfigError(InvalidInput):
    code = "invalid_config"


class ModelNotFound(InvalidInput):
    status_code = 404
    code = "model_not_found"


class NoActiveConfig(ServiceUnavailable):
    code = "no_active_config"


class ModelNotReady(ServiceUnavailable):
    """No worker has the model loaded, or the workers did not answer in time."""

    code = "model_not_loaded"


class WorkerFailed(ServiceUnavailable):
    code = "worker_error"


class JobStateError(InvalidInput):
    """Pausing a job that is not running, resuming one that is not paused, cancelling one that ended."""

    status_code = 409
    code = "job_state_conflict"
