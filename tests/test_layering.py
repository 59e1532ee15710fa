"""The layering written in pyproject.toml ([tool.importlinter]) holds, and module imports have no cycles.

Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import graphlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
ROOT_PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-logo", "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_every_layering_contract_is_kept():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_imports_itself_through_a_cycle():
    graph = grimp.build_graph(*ROOT_PACKAGES, cache_dir=None)
    dependencies = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    sorter = graphlib.TopologicalSorter(dependencies)

    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The packages and the contracts, in a scratch folder where a test may break them."""
    for package in ROOT_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        (
            "embeddings/api/views.py",
            "from embeddings.worker import serving",
            "Web-side code never imports worker code, the runtime or a model library BROKEN",
        ),
        (
            "embeddings/runtime/runner.py",
            "from django.conf import settings",
            "The model runtime knows nothing of Django, Celery or the project BROKEN",
        ),
        (
            "embeddings/vectors/indexes.py",
            "from embeddings.configs import services",
            "No import cycles between the packages of any room, at any depth BROKEN",
        ),
        (
            "embeddings/client/fleet.py",
            "from chat import models",
            "The platform never imports its consumers (chat) BROKEN",
        ),
    ],
)
def test_the_contracts_notice_a_forbidden_import_even_inside_a_function(
    project_copy, module, bad_import, broken
):
    path = project_copy / module
    path.write_text(path.read_text() + f"\n\ndef _late_import():\n    {bad_import}  # noqa\n")

    result = lint_imports(project_copy)

    assert result.returncode != 0
    assert broken in result.stdout
