from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class ApiKeyScope(models.TextChoices):
    EMBED = "embed", "Embed: embedding routes (/v1/embeddings, /v1/models, /api/embedding/...)"
    CHAT = "chat", "Chat: read, write and search the key's user's own conversations"
    ADMIN = "admin", "Admin: configs, activations, re-embed jobs and workers (/api/admin/...)"


def default_scopes() -> list[str]:
    return [ApiKeyScope.EMBED.value]


class ApiKey(models.Model):
    """A bearer credential for the API, acting for its user within its scopes (never with staff powers).
    Only a hash of the secret is stored: a lost key is replaced, not recovered. The prefix is public
    (shown in the admin and in the key itself) and finds the row."""

    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="Whose conversations the key reads and writes (its chat scope).",
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False, help_text="SHA-256 hex of the secret.")
    scopes = ArrayField(
        models.CharField(max_length=16, choices=ApiKeyScope.choices),
        default=default_scopes,
        help_text="What the key may call; one or more of: " + ", ".join(ApiKeyScope.values) + ".",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scopes__len__gt=0) & models.Q(scopes__contained_by=ApiKeyScope.values),
                name="apikeys_apikey_scopes_known_and_not_empty",
                violation_error_message="an API key needs one or more of the scopes "
                + ", ".join(ApiKeyScope.values),
            )
        ]

    def __str__(self) -> str:
        state = " (revoked)" if self.revoked_at else ""
        return f"{self.name} [{self.prefix}, {', '.join(self.scopes)}]{state}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
