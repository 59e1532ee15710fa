"""Writes to conversations and messages. Saving a message queues its embedding (see vectors.registry)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from chat import demo
from chat.models import Conversation, Message
from chat.selectors import conversation_owner
from embeddings.configs.selectors import config_get_active
from embeddings.models import EmbeddingConfig
from embeddings.vectors.registry import registry
from embeddings.vectors.services import vectors_reembed, vectors_request


def conversation_create(*, user: Any, title: str, metadata: dict[str, Any] | None = None) -> Conversation:
    """A conversation owned by whoever `user` acts for (an API key's user, or the session's user)."""
    return Conversation.objects.create(owner=conversation_owner(user), title=title, metadata=metadata or {})


def conversation_update(conversation: Conversation, **fields: Any) -> Conversation:
    for name in ("title", "metadata"):
        if name in fields:
            setattr(conversation, name, fields[name])
    conversation.save()
    return conversation


@transaction.atomic
def message_create(*, conversation: Conversation, role: str, content: str) -> Message:
    """A new message; its vector for the active config is made by a worker after commit."""
    return Message.objects.create(conversation=conversation, role=role, content=content)


@transaction.atomic
def message_update(message: Message, **fields: Any) -> Message:
    for name in ("role", "content"):
        if name in fields:
            setattr(message, name, fields[name])
    message.save()  # a changed content is embedded again; an unchanged one is not
    return message


def message_delete(message: Message) -> None:
    message.delete()  # its stored vectors go with it (embeddings.vectors.registry)


def messages_reembed(message_ids: list[int], config: EmbeddingConfig) -> list[int]:
    """Queue these messages for embedding with `config` again, whatever their state."""
    with transaction.atomic():
        return vectors_reembed(registry.for_model(Message), message_ids, config)


def demo_seed(
    *, owner: AbstractBaseUser, conversations: int = 120, messages_per_conversation: int = 45
) -> tuple[int, int]:
    """Load the demo corpus for `owner` (idempotent: conversations already there are kept); embedding is
    queued in batches for the active config. Returns (conversations created, messages created)."""
    existing = set(
        Conversation.objects.filter(owner=owner, metadata__demo=True).values_list(
            "metadata__demo_index", flat=True
        )
    )
    wanted = [index for index in range(conversations) if index not in existing]
    created_messages: list[Message] = []
    with transaction.atomic():
        for index in wanted:
            conversation = Conversation.objects.create(
                owner=owner,
                title=demo.conversation_title(index),
                metadata={"demo": True, "demo_index": index},
            )
            created_messages += Message.objects.bulk_create(
                Message(conversation=conversation, role=role, content=content)
                for role, content in demo.demo_messages(index, messages_per_conversation)
            )
        config = config_get_active()
        if config is not None and created_messages:
            vectors_request(
                registry.for_model(Message), {m.pk: m.content for m in created_messages}, config, force=True
            )
    return len(wanted), len(created_messages)
