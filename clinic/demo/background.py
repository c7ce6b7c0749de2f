"""Background work: a finished large report export on the manager's Exports page, and one
that failed for good, as /jobs/failed/ lists it.
"""

from datetime import timedelta

from django.utils import timezone


class BackgroundWorkSeeder:
    """Report exports and a failed job, as the worker would have left them."""

    def record_background_work(self) -> None:
        """The manager's Exports page shows one finished large export (the sessions of the
        last quarter, written by the real export task) and one that failed for good three
        days ago, which /jobs/failed/ lists as a worker would have recorded it."""
        from clinic.jobs.models import FailedJob
        from clinic.reports import exports
        from clinic.reports.models import ReportExport

        manager = self.staff.get("manager")
        if manager is None or ReportExport.objects.filter(prepared=True).exists():
            return
        today = timezone.localdate()
        data = {"start": [f"{today - timedelta(days=90):%d/%m/%Y}"], "end": [f"{today:%d/%m/%Y}"]}
        asked = timezone.now() - timedelta(hours=3)
        export = ReportExport.objects.create(
            user=manager, report="sessions", filters=data, prepared=True, started_at=asked
        )
        exports.prepare_report_export.call(export.pk, data)
        failed_at = timezone.now() - timedelta(days=3)
        ReportExport.objects.create(
            user=manager,
            report="side-effects",
            filters={},
            prepared=True,
            started_at=failed_at - timedelta(minutes=2),
            failed_at=failed_at,
        )
        FailedJob.objects.create(
            task_name="prepare_report_export",
            task_path="clinic.reports.exports.prepare_report_export",
            attempts=3,
            error="OperationalError",
            failed_at=failed_at,
        )
