"""Browser tests of the admin: Playwright drives Debian's chromium (make install-dev installs it)."""

import os
import shutil

import pytest

# pytest-django's live_server and Playwright's sync API share the test thread's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail("the admin's browser tests need Debian's chromium: run `make install-dev`")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}
