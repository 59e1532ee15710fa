"""What the embed task does inside the worker: ensure the model, turn token ids into text, check input
lengths, encode, pack the reply. Input problems come back as an error payload the web side maps to a 400."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig, InputOverflow
from embeddings.runtime.encoder import Encoder
from embeddings.runtime.errors import ModelLoadError
from embeddings.wire.codec import vectors_to_base64
from embeddings.wire.replies import ReplyErrorCode, error_reply
from embeddings.worker.process_models import ensure_config_loaded, process_holder


class InputRejected(Exception):
    """An input the model cannot take; the message names the input's index and the limit."""


def texts_from_token_ids(encoder: Encoder, token_id_lists: Sequence[Sequence[int]]) -> list[str]:
    """The text each token-id list stands for in this model's tokenizer; refuses ids outside its vocabulary
    (a 400, not a tokenizer crash)."""
    last_id = encoder.vocabulary_size - 1
    for index, token_ids in enumerate(token_id_lists):
        for token_id in token_ids:
            if not 0 <= token_id <= last_id:
                raise InputRejected(
                    f"input[{index}] has token id {token_id}, outside this model's vocabulary "
                    f"(0 to {last_id})"
                )
    return [encoder.decode(token_ids) for token_ids in token_id_lists]


def check_lengths(token_counts: Sequence[int], max_seq_length: int) -> None:
    """For configs that reject over-long inputs instead of truncating them."""
    for index, count in enumerate(token_counts):
        if count > max_seq_length:
            raise InputRejected(
                f"input[{index}] has {count} tokens, more than this model's limit of "
                f"{max_seq_length} tokens; shorten it (this config rejects longer inputs "
                "instead of truncating them)"
            )


def embed_for_task(
    config_id: int,
    inputs: list[Any],
    count_tokens: bool,
    inputs_are_token_ids: bool = False,
    input_overflow: str = InputOverflow.TRUNCATE,
) -> dict[str, Any]:
    try:
        spec = ensure_config_loaded(config_id)
    except EmbeddingConfig.DoesNotExist:
        return error_reply(ReplyErrorCode.CONFIG_NOT_FOUND, f"embedding config {config_id} does not exist")
    except ModelLoadError as error:
        return error_reply(ReplyErrorCode.MODEL_NOT_LOADED, str(error))
    holder = process_holder()
    encoder = holder.encoder(config_id)
    rejecting = input_overflow == InputOverflow.REJECT
    try:
        texts = texts_from_token_ids(encoder, inputs) if inputs_are_token_ids else inputs
        token_counts = encoder.count_tokens(texts) if count_tokens or rejecting else None
        if rejecting:
            check_lengths(token_counts, spec.max_seq_length)
    except InputRejected as error:
        return error_reply(ReplyErrorCode.INVALID_INPUT, str(error), param="input")
    vectors = holder.encode(config_id, texts, timeout=embedding_setting("REQUEST_TIMEOUT_SECONDS"))
    reply: dict[str, Any] = {
        "config_id": config_id,
        "dimensions": int(vectors.shape[1]),
        "vectors": vectors_to_base64(vectors),
    }
    if count_tokens:
        reply["token_counts"] = token_counts
    return reply
