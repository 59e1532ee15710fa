"""Reads: conversations, messages with their embedding state, semantic search, chat context."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, QuerySet

from chat.models import Conversation, Message
from embeddings.client.embedding import embed_texts
from embeddings.configs.selectors import config_get_active, config_get_active_or_error
from embeddings.errors import WorkerFailed
from embeddings.models import EmbeddingConfig
from embeddings.vectors.registry import registry
from embeddings.vectors.selectors import Coverage, vector_coverage, vector_search, with_vector_state
from embedplatform.api.errors import NotFound


@dataclass(frozen=True)
class ScoredMessage:
    message: Message
    score: float


@dataclass(frozen=True)
class SearchOutcome:
    results: list[ScoredMessage]
    config_id: int
    coverage: Coverage


@dataclass(frozen=True)
class ContextMessage:
    message: Message
    reason: str  # "recent" or "relevant"
    score: float | None


def message_source_type() -> str:
    return registry.for_model(Message).label


def conversation_list() -> QuerySet[Conversation]:
    return Conversation.objects.annotate(message_count=Count("messages")).order_by("-created_at", "-id")


def conversation_get_or_error(conversation_id: int) -> Conversation:
    conversation = conversation_list().filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} does not exist", param="conversation_id")
    return conversation


def message_list(config: EmbeddingConfig | None = None, **filters: object) -> QuerySet[Message]:
    """Messages with `embedding_state` / `embedding_error` for `config` (default: the active one)."""
    config = config or config_get_active()
    return with_vector_state(Message.objects.filter(**filters), config, message_source_type())


def message_get_or_error(message_id: int) -> Message:
    message = message_list(pk=message_id).first()
    if message is None:
        raise NotFound(f"message {message_id} does not exist", param="message_id")
    return message


def embed_query(config: EmbeddingConfig, query: str) -> np.ndarray:
    """The query's vector, made by the very config whose vectors it is compared with."""
    batch = embed_texts(config, [query])
    if batch.config_id != config.pk:
        raise WorkerFailed(f"the worker embedded the query with config {batch.config_id}, not {config.pk}")
    return batch.vectors[0]


def message_search_by_vector(
    config: EmbeddingConfig, vector: np.ndarray, k: int, scope: QuerySet[Message] | None = None
) -> list[ScoredMessage]:
    hits = vector_search(config, message_source_type(), vector, k, restrict_to=scope)
    messages = Message.objects.in_bulk([hit.source_id for hit in hits])
    return [ScoredMessage(messages[hit.source_id], hit.score) for hit in hits if hit.source_id in messages]


def message_search(
    *,
    query: str,
    k: int,
    conversation_id: int | None = None,
    role: str | None = None,
    min_score: float | None = None,
) -> SearchOutcome:
    """The k messages nearest in meaning to `query`, under the active config only."""
    config = config_get_active_or_error()
    scope, filtered = Message.objects.all(), False
    if conversation_id is not None:
        conversation_get_or_error(conversation_id)
        scope, filtered = scope.filter(conversation_id=conversation_id), True
    if role:
        scope, filtered = scope.filter(role=role), True
    results = message_search_by_vector(config, embed_query(config, query), k, scope if filtered else None)
    if min_score is not None:
        results = [result for result in results if result.score >= min_score]
    return SearchOutcome(results, config.pk, vector_coverage(config, message_source_type(), scope))


def message_context(
    *, conversation_id: int, query: str, k: int, recent: int
) -> tuple[list[ContextMessage], int]:
    """What a chat model should see next: the `recent` latest messages plus the `k` most relevant
    older ones, each once, in conversation order."""
    config = config_get_active_or_error()
    conversation = conversation_get_or_error(conversation_id)
    latest = list(conversation.messages.order_by("-created_at", "-id")[:recent])
    chosen = {message.pk: ContextMessage(message, "recent", None) for message in latest}
    if k > 0:
        older = conversation.messages.exclude(pk__in=list(chosen))
        for result in message_search_by_vector(config, embed_query(config, query), k, older):
            chosen[result.message.pk] = ContextMessage(result.message, "relevant", result.score)
    ordered = sorted(chosen.values(), key=lambda item: (item.message.created_at, item.message.pk))
    return ordered, config.pk
