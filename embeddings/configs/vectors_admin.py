"""The admin's side of a config's stored vectors: coverage, "Build vectors" and "Purge vectors".

Both ask first, saying what will happen and how many texts or rows it touches (Django's delete_selected is
the model); building starts a re-embedding job per source and leads to its live progress page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from embeddings.errors import ConfigError
from embeddings.models import EmbeddingConfig, StoredVector
from embeddings.vectors.jobs import reembed_job_start
from embeddings.vectors.registry import registry
from embeddings.vectors.selectors import config_coverage, config_texts_to_build
from embeddings.vectors.services import vectors_purge


def coverage_summary(config: EmbeddingConfig) -> str:
    """One line per source: fresh / stale / missing of total."""
    return format_html_join(
        mark_safe("<br>"),  # noqa: S308 - a constant
        '<span class="coverage" data-source="{}">{}: {} fresh, {} stale, {} missing of {}</span>',
        (
            (label, label, counts.fresh, counts.stale, counts.missing, counts.total)
            for label, counts in config_coverage(config).items()
        ),
    )


def vectors_build_view(model_admin: admin.ModelAdmin, request: HttpRequest, config_id: int) -> HttpResponse:
    """GET: how many texts each source would build. POST: a job per source, then its progress page."""
    config = get_object_or_404(EmbeddingConfig, pk=config_id)
    to_build = config_texts_to_build(config)
    if request.method == "POST":
        via = f"admin: {request.user.get_username()}"
        jobs = [reembed_job_start(config, registry.get(label), requested_via=via) for label in to_build]
        if not jobs:
            model_admin.message_user(request, f"Every stored text has a fresh vector of config {config.pk}.")
            return redirect(reverse("admin:embeddings_embeddingconfig_changelist"))
        model_admin.message_user(request, f"Building the vectors of config {config.pk}.", messages.INFO)
        if len(jobs) == 1:
            return redirect(reverse("admin:embeddings_reembedjob_change", args=[jobs[0].pk]))
        return redirect(reverse("admin:embeddings_reembedjob_changelist") + f"?config__id__exact={config.pk}")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Build the vectors of config {config.pk}?",
        "opts": model_admin.model._meta,
        "config": config,
        "coverage": config_coverage(config),
        "to_build": to_build,
    }
    return TemplateResponse(request, "admin/embeddings/vectors_build_confirm.html", context)


def vectors_purge_view(model_admin: admin.ModelAdmin, request: HttpRequest, config_id: int) -> HttpResponse:
    """GET: how many rows would go. POST: delete them (refused for the active config and one in use)."""
    config = get_object_or_404(EmbeddingConfig, pk=config_id)
    if request.method == "POST":
        try:
            deleted = vectors_purge(config)
        except ConfigError as error:
            model_admin.message_user(request, f"Nothing purged: {error.message}.", messages.ERROR)
        else:
            model_admin.message_user(request, f"Deleted {deleted} stored vectors of config {config.pk}.")
        return redirect(reverse("admin:embeddings_embeddingconfig_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Purge the stored vectors of config {config.pk}?",
        "opts": model_admin.model._meta,
        "config": config,
        "rows": StoredVector.objects.filter(config=config).count(),
    }
    return TemplateResponse(request, "admin/embeddings/vectors_purge_confirm.html", context)
