"""Shapes of the API's answers, built from configs and catalog entries."""

from __future__ import annotations

from typing import Any

from embeddings import catalog
from embeddings.models import EmbeddingConfig


def embedding_metadata(config: EmbeddingConfig) -> dict[str, Any]:
    return {
        "provider": config.provider,
        "model": config.model,
        "backend": config.backend,
        "dimensions": config.dimensions,
        "precision": config.precision,
        "server_config_id": config.pk,
    }


PUBLIC_HEALTH_FIELDS = ("status", "embedding_model_loaded")


def public_health(report: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of /api/health: whether the platform is up and ready. Model names, workers'
    host names, PIDs and load errors are for staff and admin keys only."""
    return {field: report[field] for field in PUBLIC_HEALTH_FIELDS}


def runtimes(entry: catalog.CatalogEntry | None) -> list[dict[str, str]]:
    """The backend/precision pairs a catalog model runs as (none known for a model outside the catalog)."""
    pairs = entry.runtimes if entry else ()
    return [{"backend": backend, "precision": precision} for backend, precision in pairs]


def config_description(config: EmbeddingConfig) -> dict[str, Any]:
    entry = catalog.find(config.model)
    variants = catalog.quantized_variants(config.model)
    return {
        "provider": config.provider,
        "model": config.model,
        "revision": config.revision,
        "backend": config.backend,
        "dimensions": config.dimensions,
        "precision": config.precision,
        "max_seq_length": config.max_seq_length,
        "normalize": config.normalize,
        "config_id": config.pk,
        "supports_browser": bool(entry and entry.browser_model),
        "browser_model": entry.browser_model if entry else "",
        "runtimes": runtimes(entry),
        "quantized_variants": [
            {
                "name": variant.name,
                "quantization": variant.quantization,
                "backend": variant.backend,
                "precision": variant.quantization,
                "installed": catalog.installed_path(variant) is not None,
            }
            for variant in variants
        ],
    }
