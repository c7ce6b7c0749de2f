"""Writes of the reports app: the export log (ReportExport)."""

from django.utils import timezone

from clinic.reports.models import ReportExport


def report_export_start(
    *, user, report: str, filters: dict, prepared: bool = False
) -> ReportExport:
    """One INSERT (no transaction needed); the row is there before the first CSV row.
    `prepared`: the file is made by the worker (clinic.reports.exports), not streamed."""
    export = ReportExport(user=user, report=report, filters=filters, prepared=prepared)
    export.full_clean()
    export.save()
    return export


def report_export_finish(*, export: ReportExport, row_count: int) -> None:
    """Called from the streaming generator after the last row (one UPDATE)."""
    ReportExport.objects.filter(pk=export.pk).update(
        row_count=row_count, finished_at=timezone.now()
    )
