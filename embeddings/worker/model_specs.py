"""Turns an EmbeddingConfig into the runtime's ModelSpec, locating catalog weights on this machine.

Worker-only: the web side never builds specs (nor imports the runtime)."""

from __future__ import annotations

from embeddings import catalog
from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.runtime.errors import ModelUnavailable
from embeddings.runtime.spec import ModelSpec


def _tokenizer_path(entry: catalog.CatalogEntry) -> str:
    if not entry.tokenizer_from:
        return ""
    source = catalog.find(entry.tokenizer_from)
    path = catalog.installed_path(source) if source else None
    if path is None:
        raise ModelUnavailable(
            f"model '{entry.name}' needs the tokenizer of '{entry.tokenizer_from}', which is not installed"
        )
    return str(path / "tokenizer.json")


def spec_for_config(config: EmbeddingConfig) -> ModelSpec:
    entry = catalog.find(config.model)
    common = {
        "config_id": config.pk,
        "backend": config.backend,
        "dimensions": config.dimensions,
        "max_seq_length": config.max_seq_length,
        "normalize": config.normalize,
        "precision": config.precision,
        "revision": config.revision,
        "device": embedding_setting("DEVICE"),
        "export_dir": str(embedding_setting("MODEL_CACHE")),
    }
    if entry is None:
        return ModelSpec(name=config.model, location=config.model, **common)
    path = catalog.installed_path(entry)
    if path is None:
        if not entry.hub_id:
            raise ModelUnavailable(f"model '{entry.name}' is not installed: {entry.install_hint}")
        location = entry.hub_id  # fetched into HF_HOME when online; fails fast offline
    else:
        location = str(path)
    return ModelSpec(
        name=entry.name,
        location=location,
        pooling=entry.pooling,
        onnx_output=entry.onnx_output,
        tokenizer_path=_tokenizer_path(entry),
        **common,
    )
