"""A second `make run` does not reinstall when nothing changed."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_plan(target: str) -> str:
    """What `make` would run, as a user typing it would see it (not as a sub-make of `make test`)."""
    env = {key: value for key, value in os.environ.items() if key not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    command = ["make", "--no-print-directory", "-n", target]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout


def test_make_run_skips_the_install_when_pyproject_is_unchanged():
    plan = make_plan("run")

    assert "pip install" not in plan
    assert plan.strip().splitlines()[-1].endswith("python scripts/run.py")


def test_make_test_skips_the_install_when_pyproject_is_unchanged():
    plan = make_plan("test")

    assert "pip install" not in plan
