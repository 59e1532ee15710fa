"""Where an installed distribution's files are, without importing it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path


def package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def distribution_file(distribution: str, suffix: str) -> Path | None:
    """A file of an installed distribution whose import name is not a valid module name."""
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith(suffix):
            return Path(str(file.locate())).resolve()
    return None
