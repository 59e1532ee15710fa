"""Fixtures of the embeddings tests: captured tasks and commits; the admin in a real browser (Playwright
drives Debian's chromium, which make install-dev installs)."""

import os
import shutil

import pytest
from playwright.sync_api import Page, expect

# pytest-django's live_server and Playwright's sync API share the test thread's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail("the admin's browser tests need Debian's chromium: run `make install-dev`")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture
def admin_login(live_server, page: Page, django_user_model) -> Page:
    """A browser page logged in to the admin as a superuser."""
    django_user_model.objects.create_superuser("admin", "admin@example.invalid", "admin-password")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-password")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks of the block (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(monkeypatch):
    """The embedding tasks that would reach the broker: (source type, ids, config id, live), then the job id
    for a job's chunks and "refresh" for a forced re-embedding of current vectors."""
    calls = []

    def send(*args, live=False, job_id=None, refresh=False):
        extra = ((job_id,) if job_id is not None else ()) + (("refresh",) if refresh else ())
        calls.append((*args, live, *extra))

    monkeypatch.setattr("embeddings.vectors.services.send_embed_sources", send)
    return calls


@pytest.fixture
def planned(monkeypatch):
    """The job ids whose planning task would reach the broker (a worker runs reembed_job_plan)."""
    calls = []
    monkeypatch.setattr("embeddings.vectors.jobs.send_reembed_job_plan", calls.append)
    return calls
