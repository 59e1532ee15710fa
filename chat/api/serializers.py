from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.models import Conversation, Message, Role
from embeddings.api.fields import StorableJSONField, StrictTextField
from embeddings.conf import embedding_setting
from embeddings.models import VectorState
from embedplatform.api.serializers import ClosedSerializer

MAX_K = 100


def _max_text_chars() -> int:
    return embedding_setting("MAX_TEXT_CHARS")


class ConversationSerializer(serializers.ModelSerializer):
    message_count = serializers.IntegerField(read_only=True, default=0)
    title = StrictTextField(max_chars=200, noun="a title")
    metadata = StorableJSONField(required=False)

    class Meta:
        model = Conversation
        fields = ["id", "title", "metadata", "created_at", "message_count"]
        read_only_fields = ["id", "created_at", "message_count"]

    def validate_metadata(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError("must be a JSON object.")
        return value


class EmbeddingStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=VectorState.choices)
    error = serializers.CharField(allow_blank=True)
    config_id = serializers.IntegerField(allow_null=True)


class MessageSerializer(serializers.ModelSerializer):
    embedding = serializers.SerializerMethodField()
    content = StrictTextField(max_chars=_max_text_chars, noun="a message")

    class Meta:
        model = Message
        fields = ["id", "conversation_id", "role", "content", "created_at", "embedding"]
        read_only_fields = ["id", "conversation_id", "created_at", "embedding"]

    @extend_schema_field(EmbeddingStateSerializer)
    def get_embedding(self, message: Message) -> dict[str, Any]:
        """The message's embedding state for the active config (`config_id` in the serializer context)."""
        return {
            "state": getattr(message, "embedding_state", VectorState.PENDING),
            "error": getattr(message, "embedding_error", ""),
            "config_id": self.context.get("config_id"),
        }


class SearchRequestSerializer(ClosedSerializer):
    query = StrictTextField(max_chars=_max_text_chars, noun="a query")
    k = serializers.IntegerField(min_value=1, max_value=MAX_K, default=10)
    conversation_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_null=True)
    min_score = serializers.FloatField(required=False, allow_null=True, min_value=-1.0, max_value=1.0)


class ContextRequestSerializer(ClosedSerializer):
    conversation_id = serializers.IntegerField(min_value=1)
    query = StrictTextField(max_chars=_max_text_chars, noun="a query")
    k = serializers.IntegerField(min_value=0, max_value=MAX_K, default=5)
    recent = serializers.IntegerField(min_value=0, max_value=MAX_K, default=10)


class SearchResultSerializer(serializers.Serializer):
    message_id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    role = serializers.CharField()
    content = serializers.CharField()
    score = serializers.FloatField()


class CoverageSerializer(serializers.Serializer):
    embedded = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()
    stale = serializers.IntegerField(
        help_text="Vectors made from an older text of the message: not searched."
    )
    total = serializers.IntegerField()


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
    config_id = serializers.IntegerField()
    coverage = CoverageSerializer()


class ContextMessageSerializer(serializers.Serializer):
    message_id = serializers.IntegerField()
    role = serializers.CharField()
    content = serializers.CharField()
    created_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=["recent", "relevant"])
    score = serializers.FloatField(allow_null=True)


class ContextResponseSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    config_id = serializers.IntegerField()
    messages = ContextMessageSerializer(many=True)
