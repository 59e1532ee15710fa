"""The admin's side of switching models: confirm an activation, follow it live, see the workers.

- "Activate" on a config leads to a confirmation page that says what will happen (model and dimension
  change, stored vectors of the current and the new config); confirming starts an activation;
- an activation's page shows each worker's progress, refreshed from a small JSON view;
- the worker panel shows each live worker: loaded configs, state, RSS, last load and how long it took.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from embeddings.client.fleet import worker_list
from embeddings.configs.activation import activation_advance, activation_start
from embeddings.configs.selectors import config_get_active
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig
from embeddings.vectors.selectors import config_coverage, config_texts_to_build, vector_counts
from embedplatform import admin_badges

STATE_COLOURS = {
    ActivationState.REQUESTED: "#777",
    ActivationState.BUILDING: "#1565c0",
    ActivationState.LOADING: "#b36b00",
    ActivationState.ACTIVE: "#2e7d32",
    ActivationState.FAILED: "#c62828",
    ActivationState.SUPERSEDED: "#777",
}


def state_badge(state: str, label: str) -> str:
    return admin_badges.state_badge("activation-state", state, label, STATE_COLOURS)


def activation_confirm_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, config_id: int
) -> HttpResponse:
    """GET: what activating this config will do. POST: start the activation, then follow it."""
    config = get_object_or_404(EmbeddingConfig, pk=config_id)
    active = config_get_active()
    if request.method == "POST":
        when_built = False if "now" in request.POST else None
        activation = activation_start(config, requested_by=request.user, when_built=when_built)
        model_admin.message_user(request, f"Activation of config {config.pk} started.", messages.INFO)
        return redirect(reverse("admin:embeddings_configactivation_change", args=[activation.pk]))
    counts = vector_counts([pk for pk in (config.pk, active.pk if active else None) if pk])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Activate config {config.pk}?",
        "opts": model_admin.model._meta,
        "config": config,
        "active": active,
        "model_changes": bool(active and active.model != config.model),
        "dimensions_change": bool(active and active.dimensions != config.dimensions),
        "new_counts": counts.get(config.pk, {}),
        "active_counts": counts.get(active.pk, {}) if active else {},
        "already_active": bool(active and active.pk == config.pk),
        "coverage": config_coverage(config),
        "to_build": config_texts_to_build(config),
    }
    return TemplateResponse(request, "admin/embeddings/activation_confirm.html", context)


@admin.register(ConfigActivation)
class ConfigActivationAdmin(admin.ModelAdmin):
    list_display = ("id", "state_label", "config", "previous_config", "requested_at", "finished_at")
    list_filter = ("state",)
    readonly_fields = (
        "config",
        "previous_config",
        "state",
        "error",
        "workers",
        "timeout_seconds",
        "build_first",
        "built_at",
        "requested_by",
        "requested_via",
        "requested_at",
        "finished_at",
    )
    change_form_template = "admin/embeddings/activation_change_form.html"
    change_list_template = "admin/embeddings/activation_change_list.html"

    @admin.display(description="state", ordering="state")
    def state_label(self, activation: ConfigActivation) -> str:
        return state_badge(activation.state, activation.get_state_display())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an activation starts from a config's "Activate"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:activation_id>/progress/",
                wrap(self.progress_view),
                name="embeddings_activation_progress",
            ),
            path("workers/", wrap(self.workers_view), name="embeddings_workers"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, activation_id: int) -> JsonResponse:
        """The activation, moved on, for its page's live refresh."""
        activation = activation_advance(get_object_or_404(ConfigActivation, pk=activation_id))
        return JsonResponse(
            {
                "state": activation.state,
                "state_label": activation.get_state_display(),
                "error": activation.error,
                "workers": activation.workers,
                "jobs": [
                    {
                        "id": job.pk,
                        "source": job.source_type,
                        "state": job.state,
                        "done": job.done,
                        "total": job.total,
                        "percent": job.percent,
                        "url": reverse("admin:embeddings_reembedjob_change", args=[job.pk]),
                    }
                    for job in activation.jobs.order_by("pk")
                ],
                "finished": not activation.is_pending,
            }
        )

    def workers_view(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Embedding workers",
            "opts": self.model._meta,
            "workers": worker_list(),
            "active": config_get_active(),
        }
        return TemplateResponse(request, "admin/embeddings/workers.html", context)
