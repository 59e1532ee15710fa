"""What the embed task does inside the worker: ensure the model, encode, pack the reply."""

from __future__ import annotations

from typing import Any

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig
from embeddings.runtime.errors import ModelLoadError
from embeddings.vector_codec import vectors_to_base64
from embeddings.worker.holder import ensure_config_loaded, process_holder


def embed_for_task(config_id: int, texts: list[str], count_tokens: bool) -> dict[str, Any]:
    try:
        spec = ensure_config_loaded(config_id)
    except EmbeddingConfig.DoesNotExist:
        return {
            "error": {"code": "config_not_found", "message": f"embedding config {config_id} does not exist"}
        }
    except ModelLoadError as error:
        return {"error": {"code": "model_not_loaded", "message": str(error)}}
    holder = process_holder()
    vectors = holder.encode(config_id, texts, timeout=embedding_setting("REQUEST_TIMEOUT_SECONDS"))
    reply: dict[str, Any] = {
        "config_id": config_id,
        "dimensions": int(vectors.shape[1]),
        "vectors": vectors_to_base64(vectors),
    }
    if count_tokens:
        reply["token_counts"] = holder.encoder(config_id).count_tokens(texts)
    return reply
