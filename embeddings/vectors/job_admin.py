"""Re-embedding jobs in the admin: what each builds, how far it is, its rate, ETA and last errors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from embeddings.models import ReembedJob


@admin.register(ReembedJob)
class ReembedJobAdmin(admin.ModelAdmin):
    list_display = ("id", "state", "config", "source_type", "progress", "failed", "rate", "eta", "started_at")
    list_filter = ("state", "source_type")
    readonly_fields = (
        "config",
        "source_type",
        "state",
        "progress",
        "total",
        "done",
        "failed",
        "pending",
        "rate",
        "eta",
        "errors",
        "requested_via",
        "started_at",
        "updated_at",
        "finished_at",
    )

    @admin.display(description="progress")
    def progress(self, job: ReembedJob) -> str:
        percent = 100 * job.done / job.total if job.total else 100
        return format_html(
            '<progress max="100" value="{}"></progress> {} / {}', f"{percent:.0f}", job.done, job.total
        )

    @admin.display(description="ETA (s)")
    def eta(self, job: ReembedJob) -> float | None:
        return job.eta_seconds

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs start from `manage.py reembed` or POST /api/admin/embedding/reembed

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
