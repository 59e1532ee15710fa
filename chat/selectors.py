"""Reads: conversations, messages with their embedding state, semantic search, chat context.

Every read takes `user`, whoever the request acts for (`request.user`): an API key (ApiKeyUser) sees only its
user's conversations, a staff session sees all, any other user only their own. Someone else's conversation or
message is reported as not existing (404), so ids do not tell what exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from apikeys.authentication import ApiKeyUser
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


def conversation_owner(user: Any) -> AbstractBaseUser:
    """The user a new conversation belongs to: an API key's user, or the session's user."""
    return user.owner if isinstance(user, ApiKeyUser) else user


def _owned_by(user: Any, path: str) -> Q:
    """Rows whose conversation (at `path`) `user` may see; a key never sees more than its user's."""
    if isinstance(user, ApiKeyUser):
        return Q(**{f"{path}owner_id": user.api_key.user_id})
    if user.is_staff and user.is_active:
        return Q()
    return Q(**{f"{path}owner_id": user.pk})


def conversation_list(*, user: Any) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(_owned_by(user, ""))
        .annotate(message_count=Count("messages"))
        .order_by("-created_at", "-id")
    )


def conversation_get_or_error(conversation_id: int, *, user: Any) -> Conversation:
    conversation = conversation_list(user=user).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} does not exist", param="conversation_id")
    return conversation


def message_list(*, user: Any, config: EmbeddingConfig | None = None, **filters: object) -> QuerySet[Message]:
    """`user`'s messages with `embedding_state` / `embedding_error` for `config` (default: the active one)."""
    config = config or config_get_active()
    messages = Message.objects.filter(_owned_by(user, "conversation__"), **filters)
    return with_vector_state(messages, config, message_source_type())


def message_list_all(config: EmbeddingConfig | None = None) -> QuerySet[Message]:
    """Every message, for staff in the Django admin."""
    return with_vector_state(Message.objects.all(), config or config_get_active(), message_source_type())


def message_get_or_error(message_id: int, *, user: Any) -> Message:
    message = message_list(user=user, pk=message_id).first()
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
    user: Any,
    query: str,
    k: int,
    conversation_id: int | None = None,
    role: str | None = None,
    min_score: float | None = None,
) -> SearchOutcome:
    """The k messages of `user`'s conversations nearest in meaning to `query`, under the active config
    only."""
    config = config_get_active_or_error()
    visible = _owned_by(user, "conversation__")
    scope, filtered = Message.objects.filter(visible), bool(visible)
    if conversation_id is not None:
        conversation_get_or_error(conversation_id, user=user)
        scope, filtered = scope.filter(conversation_id=conversation_id), True
    if role:
        scope, filtered = scope.filter(role=role), True
    results = message_search_by_vector(config, embed_query(config, query), k, scope if filtered else None)
    if min_score is not None:
        results = [result for result in results if result.score >= min_score]
    return SearchOutcome(results, config.pk, vector_coverage(config, message_source_type(), scope))


def message_context(
    *, user: Any, conversation_id: int, query: str, k: int, recent: int
) -> tuple[list[ContextMessage], int]:
    """What a chat model should see next: the `recent` latest messages plus the `k` most relevant
    older ones, each once, in conversation order."""
    config = config_get_active_or_error()
    conversation = conversation_get_or_error(conversation_id, user=user)
    latest = list(conversation.messages.order_by("-created_at", "-id")[:recent])
    chosen = {message.pk: ContextMessage(message, "recent", None) for message in latest}
    if k > 0:
        older = conversation.messages.exclude(pk__in=list(chosen))
        for result in message_search_by_vector(config, embed_query(config, query), k, older):
            chosen[result.message.pk] = ContextMessage(result.message, "relevant", result.score)
    ordered = sorted(chosen.values(), key=lambda item: (item.message.created_at, item.message.pk))
    return ordered, config.pk
