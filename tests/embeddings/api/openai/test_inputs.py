"""Parsing OpenAI's four `input` shapes, without a database or a model."""

import pytest
from rest_framework import serializers

from embeddings.api.openai.inputs import parse_embedding_input
from embeddings.client.inference import EmbeddingInputs


def _parse(value, max_inputs=4, max_chars=20):
    return parse_embedding_input(value, max_inputs=max_inputs, max_chars=max_chars)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello", EmbeddingInputs(texts=["hello"])),
        ("   ", EmbeddingInputs(texts=["   "])),
        (["a", "b"], EmbeddingInputs(texts=["a", "b"])),
        ([1, 2, 3], EmbeddingInputs(token_ids=[[1, 2, 3]])),
        ([[1, 2], [0]], EmbeddingInputs(token_ids=[[1, 2], [0]])),
        ([7] * 10, EmbeddingInputs(token_ids=[[7] * 10])),  # one input of 10 ids, not 10 inputs
    ],
)
def test_each_openai_input_shape_parses(value, expected):
    assert _parse(value) == expected


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("", {"0": ["must not be an empty string."]}),
        (["ok", ""], {"1": ["must not be an empty string."]}),
        ([], "must not be an empty array."),
        (
            None,
            "must be a string, an array of strings, an array of token ids or an array of token-id arrays, "
            "not NoneType.",
        ),
        (
            {"text": "x"},
            "must be a string, an array of strings, an array of token ids or an array of token-id "
            "arrays, not dict.",
        ),
        (["a", "b", "c", "d", "e"], "at most 4 inputs per request, got 5."),
        (
            ["a", 1],
            "must be a string, an array of strings, an array of token ids or an array of token-id arrays; "
            "arrays must not mix strings, numbers and arrays.",
        ),
        ([1, -2], {"0": ["token ids must be non-negative integers, got -2."]}),
        (
            [1, True],
            "must be a string, an array of strings, an array of token ids or an array of token-id arrays; "
            "arrays must not mix strings, numbers and arrays.",
        ),
        ([[1], []], {"1": ["must be a non-empty array of token ids."]}),
        ([[1], [2.5]], {"1": ["token ids must be non-negative integers, got float."]}),
        ([[1], ["a secret"]], {"1": ["token ids must be non-negative integers, got str."]}),
        ([[[1]]], {"0": ["token ids must be non-negative integers, got list."]}),
        ("a\x00b", {"0": ["must not contain NUL characters (\\u0000)."]}),
        (
            ["ok", "\ud800"],
            {"1": ["must not contain surrogate code points (U+D800 to U+DFFF); send valid UTF-8."]},
        ),
        ("x" * 21, {"0": ["an input may have at most 20 characters, got 21."]}),
        ([1] * 21, {"0": ["an input may have at most 20 token ids, got 21."]}),
    ],
)
def test_bad_inputs_name_the_problem_and_the_index(value, detail):
    with pytest.raises(serializers.ValidationError) as caught:
        _parse(value)

    expected = serializers.ValidationError(detail).detail
    assert caught.value.detail == expected
