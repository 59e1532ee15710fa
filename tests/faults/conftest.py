"""One platform of its own for the fault tests (tests/faults/stack.py), started once for the package:
tests here stop and restart its Redis and PostgreSQL and kill its workers, never the suite's."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stack import FaultStack


@pytest.fixture(scope="package")
def stack() -> Iterator[FaultStack]:
    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-faults-"))
    scratch.chmod(0o755)  # PostgreSQL runs as an unprivileged user under root
    stack = FaultStack(scratch)
    try:
        stack.start()
        stack.start_worker("steady")  # its model loads while the rest starts
        stack.start_web()
        stack.create_client()
        stack.wait_for_worker("steady")
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(scratch, ignore_errors=True)
