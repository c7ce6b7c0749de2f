"""The failed-jobs page with the worker stopped, as a manager sees it, passes axe-core
(manager review, 07/12/2026: "manage.py worker" in the yellow warning was Bootstrap's pink
code colour, too faint on the yellow: serious)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.jobs.models import FailedJob, WorkerHeartbeat
from tests.e2e.helpers import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_failed_jobs_page_with_the_worker_stopped_is_accessible(
    page: Page, live_server, manager, login
):
    # One size: a colour's contrast is the same at every width (the suite's time, issue 14).
    page.set_viewport_size({"width": 1366, "height": 768})
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now() - timedelta(hours=2))
    FailedJob.objects.create(
        task_name="prepare_report_export",
        task_path="clinic.reports.tasks.prepare_report_export",
        attempts=3,
        error="OperationalError",
    )
    login(page, live_server, "marcus")
    page.goto(f"{live_server.url}/jobs/failed/")
    expect(page.get_by_test_id("worker-stopped")).to_be_visible()
    check_accessibility(page, "failed jobs, worker stopped")
