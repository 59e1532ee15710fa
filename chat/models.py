"""Conversations and their messages. Message.content is an embedded source (see chat/apps.py)."""

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"
    SYSTEM = "system", "System"


class Conversation(models.Model):
    """Belongs to the user who created it (through an API key of theirs or a session); only they, and staff,
    see it and its messages."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        db_index=False,  # chat_conversation_owner_idx starts with it
    )
    title = models.CharField(max_length=200)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="chat_conversation_owner_idx")]

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="chat_message_timeline_idx")
        ]

    def __str__(self) -> str:
        preview = self.content if len(self.content) <= 60 else self.content[:57] + "..."
        return f"{self.role}: {preview}"
