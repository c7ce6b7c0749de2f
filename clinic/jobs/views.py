"""The failed-jobs page for managers (/jobs/failed/): tasks that failed on their last
attempt, and when the worker last showed life."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from clinic.background import worker_heartbeat_age
from clinic.jobs.models import FailedJob
from clinic.permissions import require_perm

PAGE_LIMIT = 200


@require_perm("reports.view_clinic_reports")
@require_safe
def failed_jobs(request):
    return render(
        request,
        "jobs/failed.html",
        {
            "jobs": FailedJob.objects.all()[:PAGE_LIMIT],
            "heartbeat_age": worker_heartbeat_age(),
        },
    )
