from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from embeddings import catalog
from embeddings.configs.activation_admin import activation_confirm_view, state_badge
from embeddings.configs.vectors_admin import coverage_summary, vectors_build_view, vectors_purge_view
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
        "coverage",
        "actions_links",
        "created_at",
        "activated_at",
    )
    list_filter = ("is_active", "backend", "precision", "provider")
    search_fields = ("model",)
    readonly_fields = ("is_active", "created_at", "activated_at", "catalog_runtimes", "coverage")
    actions = ["activate_selected"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: EmbeddingConfig | None = None
    ) -> tuple[str, ...]:
        # A saved config is history: a change is a new config.
        if obj is not None:
            return (*EmbeddingConfig.IDENTITY_FIELDS, *self.readonly_fields)
        return self.readonly_fields

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:config_id>/activate/",
                wrap(self.activate_view),
                name="embeddings_embeddingconfig_activate",
            ),
            path("<int:config_id>/build/", wrap(self.build_view), name="embeddings_embeddingconfig_build"),
            path("<int:config_id>/purge/", wrap(self.purge_view), name="embeddings_embeddingconfig_purge"),
            *super().get_urls(),
        ]

    def activate_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        return activation_confirm_view(self, request, config_id)

    def build_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        return vectors_build_view(self, request, config_id)

    def purge_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        return vectors_purge_view(self, request, config_id)

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

    @admin.display(description="stored texts' vectors")
    def coverage(self, obj: EmbeddingConfig) -> str:
        return coverage_summary(obj)

    @admin.display(description="")
    def actions_links(self, obj: EmbeddingConfig) -> str:
        links = [("build", "Build vectors")]
        if not obj.is_active:
            links = [("activate", "Activate"), *links, ("purge", "Purge vectors")]
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse(f"admin:embeddings_embeddingconfig_{name}", args=[obj.pk]), label)
                for name, label in links
            ),
        )

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
