"""The failed-jobs page for managers (/jobs/failed/): tasks that failed on their last
attempt, and when the worker last showed life."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic.background import worker_heartbeat_age, worker_is_stale
from clinic.jobs.models import FailedJob
from clinic.permissions import require_perm

PAGE_LIMIT = 200


@require_perm("reports.view_clinic_reports")
@require_safe
def failed_jobs(request):
    """A worker silent for longer than /healthz/ready allows is said to be stopped, with
    what waits meanwhile (a bare "20350 s ago" read as nothing wrong: browser review,
    07/12/2026)."""
    age = worker_heartbeat_age()
    return render(
        request,
        "jobs/failed.html",
        {
            "jobs": FailedJob.objects.all()[:PAGE_LIMIT],
            "heartbeat_age": age,
            "seen_at": None if age is None else timezone.now() - timedelta(seconds=age),
            "worker_stopped": worker_is_stale(age),
        },
    )
