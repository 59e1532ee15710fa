from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from embeddings.configs.services import config_activate
from embeddings.models import EmbeddingConfig


@admin.register(EmbeddingConfig)
class EmbeddingConfigAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "model",
        "backend",
        "dimensions",
        "precision",
        "max_seq_length",
        "is_active",
        "created_at",
        "activated_at",
    )
    list_filter = ("is_active", "backend", "provider")
    search_fields = ("model",)
    readonly_fields = ("is_active", "created_at", "activated_at")
    actions = ["activate_selected"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: EmbeddingConfig | None = None
    ) -> tuple[str, ...]:
        # A saved config is history: a change is a new config.
        if obj is not None:
            return (*EmbeddingConfig.IDENTITY_FIELDS, *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: EmbeddingConfig | None = None) -> bool:
        return False

    @admin.action(description="Activate the selected config")
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[EmbeddingConfig]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one config to activate.", messages.ERROR)
            return
        config = config_activate(queryset.get())
        self.message_user(
            request,
            f"Config {config.pk} ({config.model}) is now active; workers load it within a few seconds.",
            messages.SUCCESS,
        )
