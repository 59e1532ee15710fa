"""Test settings: the same stack (real PostgreSQL, Redis, Celery worker); faster hashing."""

from embedplatform.settings.base import *  # noqa: F401,F403
from embedplatform.settings.base import EMBEDDINGS

# DEBUG is off here too, so the published default key would be refused at startup.
SECRET_KEY = "embedplatform-tests-only-not-a-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMBEDDINGS = {**EMBEDDINGS, "REQUEST_TIMEOUT_SECONDS": 60.0, "WORKER_HEARTBEAT_SECONDS": 0.5}
