"""The real `openai` package against the real server (live_server) and the real worker: what users run."""

import base64
from collections.abc import Iterator

import numpy as np
import openai
import pytest
from openai import OpenAI

SENTENCES = [
    "The cat sits on the mat.",
    "A quick brown fox jumps over the lazy dog.",
    "Embeddings turn text into vectors.",
]


def _cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def sdk(live_server, served_config, embed_key) -> Iterator[OpenAI]:
    # Closing the client ends its keep-alive connection: the server thread then releases its database link.
    with OpenAI(base_url=live_server.url + "/v1", api_key=embed_key, max_retries=0, timeout=60) as client:
        yield client


@pytest.mark.parametrize("encoding_format", [None, "float", "base64"])
def test_batch_equals_reference_in_every_encoding(sdk, reference_model, encoding_format):
    """None: the SDK's default, which asks for base64 and decodes it itself."""
    options = {"encoding_format": encoding_format} if encoding_format else {}

    result = sdk.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES, **options)

    vectors = [item.embedding for item in result.data]
    if encoding_format == "base64":
        vectors = [np.frombuffer(base64.b64decode(vector), dtype="<f4") for vector in vectors]
    assert [item.index for item in result.data] == [0, 1, 2]
    for vector, expected in zip(vectors, reference_model.encode(SENTENCES), strict=True):
        assert len(vector) == 384
        assert _cosine(vector, expected) >= 0.9999
    tokens = sum(len(ids) for ids in reference_model.tokenizer(SENTENCES)["input_ids"])
    assert (result.model, result.usage.prompt_tokens, result.usage.total_tokens) == (
        "all-MiniLM-L6-v2",
        tokens,
        tokens,
    )


@pytest.mark.parametrize("encoding_format", ["float", "base64"])
def test_single_string_equals_reference(sdk, reference_model, encoding_format):
    result = sdk.embeddings.create(
        model="all-MiniLM-L6-v2", input=SENTENCES[0], encoding_format=encoding_format
    )

    vector = result.data[0].embedding
    if encoding_format == "base64":
        vector = np.frombuffer(base64.b64decode(vector), dtype="<f4")
    assert len(result.data) == 1
    assert _cosine(vector, reference_model.encode(SENTENCES[0])) >= 0.9999


def test_sdk_default_and_float_give_the_same_numbers(sdk):
    default = sdk.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES[1]).data[0].embedding
    as_float = (
        sdk.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES[1], encoding_format="float")
        .data[0]
        .embedding
    )

    np.testing.assert_array_equal(
        np.asarray(default, dtype=np.float32), np.asarray(as_float, dtype=np.float32)
    )


def test_models_list_shows_the_active_model(sdk):
    models = sdk.models.list()

    assert [model.id for model in models.data] == ["all-MiniLM-L6-v2"]
    assert sdk.models.retrieve("all-MiniLM-L6-v2").owned_by == "embedplatform"


def test_wrong_key_raises_authentication_error(live_server, served_config):
    with (
        OpenAI(base_url=live_server.url + "/v1", api_key="ep-0123456789ab-wrong", max_retries=0) as client,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        client.embeddings.create(model="all-MiniLM-L6-v2", input="hi")

    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.type == "authentication_error"


def test_2049_inputs_raise_bad_request(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.embeddings.create(model="all-MiniLM-L6-v2", input=["x"] * 2049)

    assert caught.value.message.endswith("input: at most 2048 inputs per request, got 2049.")
    assert caught.value.param == "input"


def test_unknown_model_raises_not_found(sdk):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.embeddings.create(model="text-embedding-3-small", input="hi")

    assert caught.value.code == "model_not_found"


def test_too_large_body_raises_413_in_the_envelope(sdk, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

    with pytest.raises(openai.APIStatusError) as caught:
        sdk.embeddings.create(model="all-MiniLM-L6-v2", input=["y" * 1000] * 10_500)

    assert caught.value.status_code == 413
    assert caught.value.code == "request_too_large"
