"""Writes to embedding configs: create, activate, and make sure one is active."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from embeddings import catalog
from embeddings.conf import DEFAULTS, embedding_setting
from embeddings.configs.selectors import config_get_active
from embeddings.errors import ConfigError
from embeddings.models import Backend, EmbeddingConfig, Precision
from embeddings.vectors.indexes import vector_index_ensure

DEFAULT_MAX_SEQ_LENGTH = 256


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def config_build(
    *,
    model: str,
    provider: str = "local",
    backend: str | None = None,
    dimensions: int | None = None,
    precision: str | None = None,
    max_seq_length: int | None = None,
    normalize: bool | None = None,
    revision: str = "",
    input_overflow: str = "truncate",
) -> EmbeddingConfig:
    """An unsaved config; catalog models fill in what is not given (a quantized model's precision is its
    quantization; precision int8 alone picks the ONNX backend)."""
    entry = catalog.find(model)
    if entry is None and not dimensions:
        raise ConfigError(
            f"model '{model}' is not in the catalog: give its dimensions (EMBEDDING_DIMENSIONS)",
            param="dimensions",
        )
    backend = backend or _default_backend(entry, precision)
    return EmbeddingConfig(
        provider=provider,
        model=entry.name if entry else model,
        revision=revision,
        backend=backend,
        dimensions=dimensions or entry.dimensions,
        precision=precision or _default_precision(entry, backend),
        max_seq_length=max_seq_length or (entry.max_tokens if entry else DEFAULT_MAX_SEQ_LENGTH),
        normalize=(entry.normalize if entry else True) if normalize is None else normalize,
        input_overflow=input_overflow,
    )


def _default_backend(entry: catalog.CatalogEntry | None, precision: str | None) -> str:
    if entry is None:
        return Backend.ONNX if precision == Precision.INT8 else Backend.TORCH
    offered = [backend for backend, runs_as in entry.runtimes if precision in (None, runs_as)]
    return offered[0] if offered else entry.backend


def _default_precision(entry: catalog.CatalogEntry | None, backend: str) -> str:
    offered = entry.precisions(backend) if entry else ()
    return offered[0] if offered else Precision.FLOAT32


def config_create(*, activate: bool = False, **fields: Any) -> EmbeddingConfig:
    """A new config (see config_build for the fields). Never edits an existing one."""
    config = config_build(**fields)
    try:
        config.full_clean(exclude=["is_active"])
    except ValidationError as error:
        raise ConfigError(_validation_message(error)) from error
    with transaction.atomic():
        config.save()
        vector_index_ensure(config)
        if activate:
            config_activate(config)
    return config


@transaction.atomic
def config_activate(config: EmbeddingConfig) -> EmbeddingConfig:
    """Make `config` the one active config. Workers notice within a heartbeat and load it."""
    EmbeddingConfig.objects.select_for_update().filter(is_active=True).exclude(pk=config.pk).update(
        is_active=False
    )
    config.is_active = True
    config.activated_at = timezone.now()
    config.save(update_fields=["is_active", "activated_at"])
    vector_index_ensure(config)  # configs from before stored vectors existed get theirs here
    return config


def config_ensure_active() -> EmbeddingConfig:
    """The active config; when there is none, the first one comes from the EMBEDDING_* settings."""
    active = config_get_active()
    if active is not None:
        return active
    latest = EmbeddingConfig.objects.order_by("-created_at", "-id").first()
    try:
        if latest is not None:
            return config_activate(latest)
        return config_create(
            provider=embedding_setting("PROVIDER"),
            model=embedding_setting("MODEL"),
            precision=_precision_setting(),
            dimensions=embedding_setting("DIMENSIONS"),
            backend=embedding_setting("BACKEND"),
            input_overflow=embedding_setting("INPUT_OVERFLOW"),
            activate=True,
        )
    except IntegrityError:  # another process activated one at the same moment
        active = config_get_active()
        if active is None:
            raise
        return active


def _precision_setting() -> str | None:
    """EMBEDDING_PRECISION when it differs from the default; else None: the model's own precision (int8 for a
    quantized catalog model, float32 otherwise)."""
    precision = embedding_setting("PRECISION")
    return None if precision == DEFAULTS["PRECISION"] else precision
