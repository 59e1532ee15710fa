"""OpenAI's response bodies, built from configs and embedding results."""

from __future__ import annotations

from typing import Any

from embeddings import catalog
from embeddings.client.inference import EmbeddingResult
from embeddings.models import EmbeddingConfig
from embeddings.wire.codec import vectors_to_base64

OWNER = "embedplatform"


def embedding_list(config: EmbeddingConfig, result: EmbeddingResult, encoding_format: str) -> dict[str, Any]:
    if encoding_format == "base64":
        embeddings: list[Any] = [vectors_to_base64(vector) for vector in result.vectors]
    else:
        embeddings = list(result.vectors)  # float32 rows; the renderer writes numpy arrays directly
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": embedding}
            for index, embedding in enumerate(embeddings)
        ],
        "model": config.model,
        "usage": {"prompt_tokens": result.prompt_tokens, "total_tokens": result.prompt_tokens},
    }


def model_object(config: EmbeddingConfig) -> dict[str, Any]:
    entry = catalog.find(config.model)
    return {
        "id": config.model,
        "object": "model",
        "created": int(config.created_at.timestamp()),
        "owned_by": OWNER,
        "dimensions": config.dimensions,
        "max_tokens": config.max_seq_length,
        "input_overflow": config.input_overflow,
        "aliases": list(entry.aliases) if entry and entry.name == config.model else [],
    }


def model_list(configs: list[EmbeddingConfig]) -> dict[str, Any]:
    return {"object": "list", "data": [model_object(config) for config in configs]}
