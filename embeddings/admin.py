"""Django's admin autodiscovery imports `<app>.admin`; each room registers its own admin classes."""

from embeddings.configs import admin as configs_admin  # noqa: F401
