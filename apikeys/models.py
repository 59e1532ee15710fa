from django.db import models


class ApiKeyScope(models.TextChoices):
    EMBED = "embed", "Embed: call the embedding and read-only endpoints"
    ADMIN = "admin", "Admin: also change configs and start jobs"


class ApiKey(models.Model):
    """A bearer credential for the API. Only a hash of the secret is stored: a lost key is replaced, not
    recovered. The prefix is public (shown in the admin and in the key itself) and finds the row."""

    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False, help_text="SHA-256 hex of the secret.")
    scope = models.CharField(max_length=16, choices=ApiKeyScope.choices, default=ApiKeyScope.EMBED)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        state = " (revoked)" if self.revoked_at else ""
        return f"{self.name} [{self.prefix}, {self.scope}]{state}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_admin(self) -> bool:
        return self.scope == ApiKeyScope.ADMIN
