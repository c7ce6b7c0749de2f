"""Writes of the reports app: the export log (ReportExport)."""

from django.db import transaction
from django.utils import timezone

from clinic.reports import exports
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


@transaction.atomic
def report_export_prepare(
    *, user, report: str, filters: dict, filter_data: dict[str, list[str]]
) -> ReportExport:
    """A large export asked for (a POST, once per submission token): its row, and the
    worker's job queued once the row is committed (clinic.reports.exports). `filters`:
    as the user typed them, for the log; `filter_data`: as the form read them, default
    period included, for the worker."""
    export = report_export_start(user=user, report=report, filters=filters, prepared=True)
    transaction.on_commit(lambda: exports.prepare_report_export.enqueue(export.pk, filter_data))
    return export


def report_export_finish(*, export: ReportExport, row_count: int) -> None:
    """Called from the streaming generator after the last row (one UPDATE)."""
    ReportExport.objects.filter(pk=export.pk).update(
        row_count=row_count, finished_at=timezone.now()
    )
