"""Request and response shapes of OpenAI's embeddings and models APIs."""

from __future__ import annotations

import threading
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from embeddings.api.fields import StrictTextField
from embeddings.api.openai.inputs import parse_embedding_input
from embeddings.client.inference import EmbeddingInputs
from embeddings.conf import embedding_setting

_TOKEN_IDS = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1, "title": "one text"},
            {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": 2048,
                "title": "texts",
            },
            {**_TOKEN_IDS, "title": "one input as token ids"},
            {
                "type": "array",
                "items": _TOKEN_IDS,
                "minItems": 1,
                "maxItems": 2048,
                "title": "inputs as token ids",
            },
        ],
        "description": "Text(s) to embed, or token ids of the model's own tokenizer. At most "
        "EMBEDDING_MAX_TEXTS_PER_REQUEST (2048) inputs; no empty strings.",
        "example": ["The cat sits on the mat.", "Embeddings turn text into vectors."],
    }
)
class EmbeddingInputField(serializers.Field):
    def to_internal_value(self, data: Any) -> EmbeddingInputs:
        return parse_embedding_input(
            data,
            max_inputs=embedding_setting("MAX_TEXTS_PER_REQUEST"),
            max_chars=embedding_setting("MAX_TEXT_CHARS"),
        )

    def to_representation(self, value: Any) -> Any:
        raise NotImplementedError("request-only field")


class EmbeddingsRequestSerializer(serializers.Serializer):
    """Unknown fields are ignored, as OpenAI does."""

    input = EmbeddingInputField()
    model = StrictTextField(
        max_length=500, help_text="The active model's name or a catalog alias of it (see GET /v1/models)."
    )
    encoding_format = serializers.ChoiceField(
        choices=["float", "base64"],
        default="float",
        help_text="base64: little-endian float32 bytes of each vector.",
    )
    dimensions = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Only for Matryoshka-trained models; the model's own size is always accepted.",
    )
    user = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Accepted for compatibility; not stored or logged.",
    )


_per_thread = threading.local()


def embeddings_request_validated(data: Any) -> dict[str, Any]:
    """A request body's fields, validated by EmbeddingsRequestSerializer (its ValidationError when invalid).

    One serializer per thread, reused: building a serializer deep-copies every field, which cost as much as
    the rest of the validation for a one-text request. Validation keeps no state on the serializer."""
    serializer = getattr(_per_thread, "embeddings", None)
    if serializer is None:
        serializer = _per_thread.embeddings = EmbeddingsRequestSerializer()
    return serializer.run_validation(data)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "number", "format": "float"}},
            {"type": "string", "format": "byte", "description": "base64 of little-endian float32"},
        ]
    }
)
class EmbeddingVectorField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class EmbeddingObjectSerializer(serializers.Serializer):
    object = serializers.CharField(help_text='Always "embedding".')
    index = serializers.IntegerField()
    embedding = EmbeddingVectorField()


class UsageSerializer(serializers.Serializer):
    prompt_tokens = serializers.IntegerField()
    total_tokens = serializers.IntegerField()


class EmbeddingsResponseSerializer(serializers.Serializer):
    object = serializers.CharField(help_text='Always "list".')
    data = EmbeddingObjectSerializer(many=True)
    model = serializers.CharField()
    usage = UsageSerializer()


class ModelObjectSerializer(serializers.Serializer):
    id = serializers.CharField()
    object = serializers.CharField(help_text='Always "model".')
    created = serializers.IntegerField(help_text="Unix time the config was created.")
    owned_by = serializers.CharField()
    dimensions = serializers.IntegerField()
    max_tokens = serializers.IntegerField(help_text="Per-input token limit (max_seq_length).")
    input_overflow = serializers.ChoiceField(choices=["truncate", "reject"])
    aliases = serializers.ListField(child=serializers.CharField())


class ModelListSerializer(serializers.Serializer):
    object = serializers.CharField(help_text='Always "list".')
    data = ModelObjectSerializer(many=True)
