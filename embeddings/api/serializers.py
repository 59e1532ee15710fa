from __future__ import annotations

from typing import Any

from rest_framework import serializers

from embeddings.api.fields import StrictTextField
from embeddings.conf import embedding_setting
from embeddings.models import Backend, Precision
from embedplatform.api.serializers import ClosedSerializer


def _max_text_chars() -> int:
    return embedding_setting("MAX_TEXT_CHARS")


class GenerateRequestSerializer(ClosedSerializer):
    text = StrictTextField(required=False, max_chars=_max_text_chars)
    texts = serializers.ListField(
        child=StrictTextField(max_chars=_max_text_chars), required=False, allow_empty=False
    )
    client_hint = StrictTextField(required=False, allow_blank=True, max_chars=200)

    def validate_texts(self, value: list[str]) -> list[str]:
        limit = embedding_setting("MAX_TEXTS_PER_REQUEST")
        if len(value) > limit:
            raise serializers.ValidationError(f"at most {limit} texts per request, got {len(value)}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if ("text" in attrs) == ("texts" in attrs):
            raise serializers.ValidationError("give exactly one of 'text' (a string) or 'texts' (a list).")
        return attrs


class EmbeddingMetadataSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    backend = serializers.ChoiceField(choices=Backend.choices)
    dimensions = serializers.IntegerField()
    precision = serializers.ChoiceField(choices=Precision.choices)
    server_config_id = serializers.IntegerField()


class GenerateResponseSerializer(serializers.Serializer):
    embedding = serializers.ListField(child=serializers.FloatField(), required=False)
    embeddings = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()), required=False
    )
    metadata = EmbeddingMetadataSerializer()


class RuntimeSerializer(serializers.Serializer):
    backend = serializers.ChoiceField(choices=Backend.choices)
    precision = serializers.ChoiceField(choices=Precision.choices)


class QuantizedVariantSerializer(serializers.Serializer):
    name = serializers.CharField()
    quantization = serializers.CharField()
    backend = serializers.ChoiceField(choices=Backend.choices)
    precision = serializers.ChoiceField(choices=Precision.choices)
    installed = serializers.BooleanField()


class ConfigResponseSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    revision = serializers.CharField(allow_blank=True)
    backend = serializers.ChoiceField(choices=Backend.choices)
    dimensions = serializers.IntegerField()
    precision = serializers.ChoiceField(choices=Precision.choices)
    max_seq_length = serializers.IntegerField()
    normalize = serializers.BooleanField()
    config_id = serializers.IntegerField()
    supports_browser = serializers.BooleanField()
    browser_model = serializers.CharField(allow_blank=True)
    runtimes = RuntimeSerializer(many=True, help_text="The backend/precision pairs this model runs as.")
    quantized_variants = QuantizedVariantSerializer(many=True)


class WorkerSerializer(serializers.Serializer):
    name = serializers.CharField()
    config_id = serializers.IntegerField(allow_null=True)
    loaded = serializers.BooleanField()
    loaded_config_ids = serializers.ListField(child=serializers.IntegerField())
    rss_mb = serializers.FloatField()
    errors = serializers.DictField(child=serializers.CharField())


_DETAIL = "Staff sessions and admin-scope keys only."


class HealthResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "degraded"])
    embedding_model_loaded = serializers.BooleanField(help_text="Ready: a worker has the active model.")
    provider = serializers.CharField(allow_null=True, required=False, help_text=_DETAIL)
    model = serializers.CharField(allow_null=True, required=False, help_text=_DETAIL)
    config_id = serializers.IntegerField(allow_null=True, required=False, help_text=_DETAIL)
    workers = WorkerSerializer(many=True, required=False, help_text=_DETAIL)
