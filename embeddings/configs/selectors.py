"""Reads of embedding configs: the active one, and which config a model name means."""

from __future__ import annotations

from embeddings import catalog
from embeddings.errors import ModelNotFound, NoActiveConfig
from embeddings.models import EmbeddingConfig
from embedplatform.generations import GenerationCache

# Read on every API request; every save or delete of a config bumps it (embeddings.configs.receivers).
ACTIVE_CONFIG: GenerationCache[EmbeddingConfig | None] = GenerationCache("embedding-configs")


def config_get_active() -> EmbeddingConfig | None:
    return ACTIVE_CONFIG.get("active", EmbeddingConfig.objects.active)


def config_get_active_or_error() -> EmbeddingConfig:
    config = config_get_active()
    if config is None:
        raise NoActiveConfig("no embedding config is active; run `manage.py embedding_config ensure`")
    return config


def model_name_matches(config: EmbeddingConfig, name: str) -> bool:
    """Whether `name` is the config's model: its exact name, or a catalog alias of it (case-insensitive)."""
    if name.strip().lower() == config.model.lower():
        return True
    entry = catalog.find(name)
    return entry is not None and entry.name == config.model


def config_get_for_model_name(name: str) -> EmbeddingConfig:
    """The active config when `name` names its model. Anything else is an error, never a silent embedding
    with another model."""
    config = config_get_active_or_error()
    if not model_name_matches(config, name):
        raise ModelNotFound(
            f"the model '{name}' does not exist or is not served here; this server serves "
            f"'{config.model}' (see GET /v1/models)",
            param="model",
        )
    return config


def config_list() -> list[EmbeddingConfig]:
    return list(EmbeddingConfig.objects.all())
