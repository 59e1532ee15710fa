class ModelLoadError(Exception):
    """A model could not be loaded."""


class ModelUnavailable(ModelLoadError):
    """The weights are not installed and cannot be fetched (offline hub, unknown path)."""


class DimensionMismatch(ModelLoadError):
    """The loaded model produces vectors of another size than its config says."""
