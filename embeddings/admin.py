"""Django's admin autodiscovery imports `<app>.admin`; each room registers its own admin classes."""

from embeddings.configs import activation_admin  # noqa: F401
from embeddings.configs import admin as configs_admin  # noqa: F401
from embeddings.vectors import job_admin  # noqa: F401
