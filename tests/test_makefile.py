"""A second `make run` does not reinstall when nothing changed."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_skips_the_install_when_pyproject_is_unchanged():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert "pip install" not in plan
    assert plan.strip().splitlines()[-1].endswith("python scripts/run.py")


def test_make_test_skips_the_install_when_pyproject_is_unchanged():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert "pip install" not in plan
