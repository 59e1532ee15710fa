"""Re-embedding jobs in the admin: what each builds, how far it is (a live progress bar), its rate, ETA and
last errors, and pause / resume / cancel, on its page and as list actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from embeddings.errors import JobStateError
from embeddings.models import JobState, ReembedJob
from embeddings.vectors.jobs import JOB_ACTIONS, reembed_job_advance
from embedplatform.admin_badges import state_badge

STATE_COLOURS = {
    JobState.QUEUED: "#777",
    JobState.RUNNING: "#1565c0",
    JobState.PAUSED: "#b36b00",
    JobState.CANCELLED: "#777",
    JobState.FAILED: "#c62828",
    JobState.COMPLETED: "#2e7d32",
}


def job_progress(job: ReembedJob) -> dict[str, Any]:
    """What the job's page shows and refreshes."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "pending": job.pending,
        "percent": job.percent,
        "rate": job.rate,
        "eta_seconds": job.eta_seconds,
        "errors": job.errors,
        "error": job.error,
        "open": job.is_open,
    }


@admin.register(ReembedJob)
class ReembedJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "state_label",
        "config",
        "source_type",
        "progress",
        "failed",
        "rate",
        "eta",
        "started_at",
    )
    list_filter = ("state", "source_type", "config")
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
        "error",
        "requested_via",
        "started_at",
        "updated_at",
        "finished_at",
    )
    actions = ["pause_selected", "resume_selected", "cancel_selected"]
    change_form_template = "admin/embeddings/job_change_form.html"

    @admin.display(description="state", ordering="state")
    def state_label(self, job: ReembedJob) -> str:
        return state_badge("job-state", job.state, job.get_state_display(), STATE_COLOURS)

    @admin.display(description="progress")
    def progress(self, job: ReembedJob) -> str:
        return format_html(
            '<progress max="100" value="{}"></progress> {} / {}', f"{job.percent:.0f}", job.done, job.total
        )

    @admin.display(description="ETA (s)")
    def eta(self, job: ReembedJob) -> float | None:
        return job.eta_seconds

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a job starts from a config's "Build vectors", the API or `manage.py reembed`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history: a finished job says what was built, when and by whom

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", wrap(self.progress_view), name="embeddings_reembedjob_progress"),
            *(
                path(
                    f"<int:job_id>/{action}/",
                    wrap(self.action_view),
                    {"action": action},
                    name=f"embeddings_reembedjob_{action}",
                )
                for action in JOB_ACTIONS
            ),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):  # noqa: ANN201
        labels = {"pause": "Pause", "resume": "Resume", "cancel": "Cancel the job"}
        extra = {**(extra_context or {}), "job_actions": list(labels.items())}
        return super().change_view(request, object_id, form_url, extra)

    def progress_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        return JsonResponse(job_progress(reembed_job_advance(get_object_or_404(ReembedJob, pk=job_id))))

    def action_view(self, request: HttpRequest, job_id: int, action: str) -> HttpResponse:
        """POST pause / resume / cancel from the job's page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(ReembedJob, pk=job_id)
        self._act(request, action, [job])
        return redirect(reverse("admin:embeddings_reembedjob_change", args=[job.pk]))

    def _act(self, request: HttpRequest, action: str, jobs: Any) -> None:
        for job in jobs:
            try:
                JOB_ACTIONS[action](job)
            except JobStateError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                self.message_user(request, f"Job {job.pk}: {action} done.", messages.INFO)

    @admin.action(description="Pause the selected jobs")
    def pause_selected(self, request: HttpRequest, queryset: QuerySet[ReembedJob]) -> None:
        self._act(request, "pause", queryset)

    @admin.action(description="Resume the selected jobs")
    def resume_selected(self, request: HttpRequest, queryset: QuerySet[ReembedJob]) -> None:
        self._act(request, "resume", queryset)

    @admin.action(description="Cancel the selected jobs")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[ReembedJob]) -> None:
        self._act(request, "cancel", queryset)
