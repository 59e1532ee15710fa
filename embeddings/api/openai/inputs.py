"""OpenAI's `input`: a string, an array of strings, an array of token ids, or an array of token-id arrays."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from embeddings.api.fields import text_error
from embeddings.client.inference import EmbeddingInputs

SHAPES = "a string, an array of strings, an array of token ids or an array of token-id arrays"


def _fail(message: str, index: int | None = None) -> None:
    raise serializers.ValidationError({str(index): [message]} if index is not None else message)


def _is_token_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(text: str, index: int, max_chars: int) -> None:
    error = text_error(text, max_chars=max_chars, noun="an input", blank="reject-empty")
    if error:
        _fail(error, index)


def _check_token_ids(token_ids: Any, index: int, max_tokens: int) -> None:
    if not isinstance(token_ids, list) or not token_ids:
        _fail("must be a non-empty array of token ids.", index)
    if len(token_ids) > max_tokens:
        _fail(f"an input may have at most {max_tokens} token ids, got {len(token_ids)}.", index)
    for token_id in token_ids:
        if not _is_token_id(token_id):
            _fail(f"token ids must be non-negative integers, got {type(token_id).__name__}.", index)
        if token_id < 0:
            _fail(f"token ids must be non-negative integers, got {token_id}.", index)


def parse_embedding_input(value: Any, *, max_inputs: int, max_chars: int) -> EmbeddingInputs:
    """Validated inputs, or a ValidationError naming the first bad element. Never echoes input text."""
    if isinstance(value, str):
        _check_text(value, 0, max_chars)
        return EmbeddingInputs(texts=[value])
    if not isinstance(value, list):
        _fail(f"must be {SHAPES}, not {type(value).__name__}.")
    if not value:
        _fail("must not be an empty array.")
    if all(_is_token_id(item) for item in value):
        _check_token_ids(value, 0, max_chars)
        return EmbeddingInputs(token_ids=[value])
    if len(value) > max_inputs:
        _fail(f"at most {max_inputs} inputs per request, got {len(value)}.")
    if all(isinstance(item, str) for item in value):
        for index, text in enumerate(value):
            _check_text(text, index, max_chars)
        return EmbeddingInputs(texts=value)
    if all(isinstance(item, list) for item in value):
        for index, token_ids in enumerate(value):
            _check_token_ids(token_ids, index, max_chars)
        return EmbeddingInputs(token_ids=value)
    _fail(f"must be {SHAPES}; arrays must not mix strings, numbers and arrays.")
    raise AssertionError("unreachable")
