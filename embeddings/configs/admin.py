from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from embeddings import catalog
from embeddings.configs.activation_admin import activation_confirm_view, state_badge
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig


@admin.register(EmbeddingConfig)
class EmbeddingConfigAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "model",
        "backend",
        "precision",
        "dimensions",
        "max_seq_length",
        "state",
        "activate_link",
        "created_at",
        "activated_at",
    )
    list_filter = ("is_active", "backend", "precision", "provider")
    search_fields = ("model",)
    readonly_fields = ("is_active", "created_at", "activated_at", "catalog_runtimes")
    actions = ["activate_selected"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: EmbeddingConfig | None = None
    ) -> tuple[str, ...]:
        # A saved config is history: a change is a new config.
        if obj is not None:
            return (*EmbeddingConfig.IDENTITY_FIELDS, *self.readonly_fields)
        return self.readonly_fields

    def get_urls(self) -> list:
        confirm = self.admin_site.admin_view(self.activate_view)
        return [
            path("<int:config_id>/activate/", confirm, name="embeddings_embeddingconfig_activate"),
            *super().get_urls(),
        ]

    def activate_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        return activation_confirm_view(self, request, config_id)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmbeddingConfig]:
        pending = ConfigActivation.objects.filter(config=OuterRef("pk"), state__in=ActivationState.pending())
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_activation_id=Subquery(pending.values("pk")[:1]),
                pending_activation_state=Subquery(pending.values("state")[:1]),
            )
        )

    @admin.display(description="state")
    def state(self, obj: EmbeddingConfig) -> str:
        if obj.is_active:
            return format_html('<span class="config-active">{}</span>', state_badge("active", "Active"))
        activation_id = getattr(obj, "pending_activation_id", None)
        if activation_id is not None:
            url = reverse("admin:embeddings_configactivation_change", args=[activation_id])
            badge = state_badge(obj.pending_activation_state, "Activating")
            return format_html('<a href="{}">{}</a>', url, badge)
        return "-"

    @admin.display(description="")
    def activate_link(self, obj: EmbeddingConfig) -> str:
        if obj.is_active:
            return ""
        url = reverse("admin:embeddings_embeddingconfig_activate", args=[obj.pk])
        return format_html('<a class="button" href="{}">Activate</a>', url)

    @admin.display(description="Catalog model runs as")
    def catalog_runtimes(self, obj: EmbeddingConfig) -> str:
        entry = catalog.find(obj.model) if obj.model else None
        if entry is None:
            return "not a catalog model"
        return ", ".join(f"{backend}/{precision}" for backend, precision in entry.runtimes)

    def has_delete_permission(self, request: HttpRequest, obj: EmbeddingConfig | None = None) -> bool:
        return False

    @admin.action(description="Activate the selected config…")
    def activate_selected(
        self, request: HttpRequest, queryset: QuerySet[EmbeddingConfig]
    ) -> HttpResponseRedirect | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one config to activate.", messages.ERROR)
            return None
        url = reverse("admin:embeddings_embeddingconfig_activate", args=[queryset.get().pk])
        return HttpResponseRedirect(url)  # the confirmation page says what will happen
