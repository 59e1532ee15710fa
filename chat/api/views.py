"""Thin views: parse, call one service or selector, format. Each passes `request.user` on: the selectors
show it only its own conversations (chat.selectors)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKeyScope
from chat import selectors, services
from chat.api.pagination import ChatPagination
from chat.api.serializers import (
    ContextRequestSerializer,
    ContextResponseSerializer,
    ConversationSerializer,
    MessageSerializer,
    SearchRequestSerializer,
    SearchResponseSerializer,
)
from chat.models import Conversation, Message
from embeddings.configs.selectors import config_get_active


class ConversationListView(generics.ListCreateAPIView):
    required_scope = ApiKeyScope.CHAT
    serializer_class = ConversationSerializer
    pagination_class = ChatPagination

    def get_queryset(self):
        return selectors.conversation_list(user=self.request.user)

    def perform_create(self, serializer: ConversationSerializer) -> None:
        serializer.instance = services.conversation_create(
            user=self.request.user, **serializer.validated_data
        )


class ConversationDetailView(generics.RetrieveUpdateDestroyAPIView):
    required_scope = ApiKeyScope.CHAT
    serializer_class = ConversationSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Conversation:
        return selectors.conversation_get_or_error(self.kwargs["pk"], user=self.request.user)

    def perform_update(self, serializer: ConversationSerializer) -> None:
        serializer.instance = services.conversation_update(serializer.instance, **serializer.validated_data)


class _MessageViewMixin:
    required_scope = ApiKeyScope.CHAT
    serializer_class = MessageSerializer

    def get_serializer_context(self) -> dict:
        config = config_get_active()
        return {**super().get_serializer_context(), "config_id": config.pk if config else None}


class ConversationMessagesView(_MessageViewMixin, generics.ListCreateAPIView):
    """A conversation's messages, oldest first; POST adds one (embedded asynchronously)."""

    pagination_class = ChatPagination

    def get_queryset(self):
        conversation = selectors.conversation_get_or_error(self.kwargs["pk"], user=self.request.user)
        return selectors.message_list(user=self.request.user, conversation=conversation).order_by(
            "created_at", "id"
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        conversation = selectors.conversation_get_or_error(self.kwargs["pk"], user=request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_create(conversation=conversation, **serializer.validated_data)
        body = self.get_serializer(selectors.message_get_or_error(message.pk, user=request.user)).data
        return Response(body, status=status.HTTP_201_CREATED)


class MessageDetailView(_MessageViewMixin, generics.RetrieveUpdateDestroyAPIView):
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Message:
        return selectors.message_get_or_error(self.kwargs["pk"], user=self.request.user)

    def perform_update(self, serializer: MessageSerializer) -> None:
        services.message_update(serializer.instance, **serializer.validated_data)
        serializer.instance = selectors.message_get_or_error(serializer.instance.pk, user=self.request.user)

    def perform_destroy(self, instance: Message) -> None:
        services.message_delete(instance)


class SearchView(APIView):
    required_scope = ApiKeyScope.CHAT

    @extend_schema(request=SearchRequestSerializer, responses={200: SearchResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = SearchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = selectors.message_search(user=request.user, **serializer.validated_data)
        results = [
            {
                "message_id": item.message.pk,
                "conversation_id": item.message.conversation_id,
                "role": item.message.role,
                "content": item.message.content,
                "score": round(item.score, 6),
            }
            for item in outcome.results
        ]
        coverage = outcome.coverage
        return Response(
            {
                "results": results,
                "config_id": outcome.config_id,
                "coverage": {
                    "embedded": coverage.embedded,
                    "pending": coverage.pending,
                    "failed": coverage.failed,
                    "stale": coverage.stale,
                    "total": coverage.total,
                },
            }
        )


class ContextView(APIView):
    required_scope = ApiKeyScope.CHAT

    @extend_schema(request=ContextRequestSerializer, responses={200: ContextResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = ContextRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        messages, config_id = selectors.message_context(user=request.user, **data)
        return Response(
            {
                "conversation_id": data["conversation_id"],
                "config_id": config_id,
                "messages": [
                    {
                        "message_id": item.message.pk,
                        "role": item.message.role,
                        "content": item.message.content,
                        "created_at": item.message.created_at,
                        "reason": item.reason,
                        "score": None if item.score is None else round(item.score, 6),
                    }
                    for item in messages
                ],
            }
        )
