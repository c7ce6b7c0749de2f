"""Large CSV exports, prepared by the background worker (issue 12.2; the pattern is in
clinic/background.py).

A download whose rows exceed settings.REPORT_EXPORT_ASYNC_ROWS is not streamed: the CSV
URL (a GET, which writes nothing) shows a page with a "Prepare the export" button; its
POST, once per one-time submission token, records the ReportExport (prepared=True) and
queues `prepare_report_export` with its id and the filters as the form read them (the
default period included, so the file covers the period the user saw;
clinic.reports.services.report_export_prepare). The worker writes the same bytes the
streamed download would (clinic.csv_export.stream: formula-safe cells, byte-order mark)
into private storage; the owner downloads it from the Exports page (reports:exports),
through a view that checks the permission and the owner and writes an access event (a
file gone from storage sends them back to that page with a message). Smaller downloads
stream as before.
"""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.core.files import File
from django.db import NotSupportedError
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from clinic.background import background_task, private_storage
from clinic.csv_export import stream
from clinic.reports.models import ReportExport
from clinic.reports.registry import BY_SLUG, Report

FOLDER = "reports"


def report_rows(report: Report, fs, scope):
    data = report.rows(fs, scope)
    if isinstance(data, QuerySet):
        fs.queryset = data
        return fs.qs  # the report's own filters (status, decision, consent ...)
    return data


def is_large(rows) -> bool:
    """More rows than the threshold? Counts at most threshold + 1 rows."""
    limit = settings.REPORT_EXPORT_ASYNC_ROWS
    if isinstance(rows, QuerySet):
        try:
            return rows[: limit + 1].count() > limit
        except NotSupportedError:
            # SQLite cannot wrap an ordered aggregate (the sessions' site list) in the
            # COUNT subquery: count the rows themselves, at most threshold + 1 of them.
            return sum(1 for _ in rows[: limit + 1].iterator()) > limit
    return len(rows) > limit


def filter_data(fs, *, drop=()) -> dict[str, list[str]]:
    """The filterset's data (as the view completed it) in a JSON-safe form."""
    return {key: fs.data.getlist(key) for key in fs.data if key not in drop}


def csv_filename(report: Report, scope) -> str:
    period = scope.period
    return f"{report.slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"


def exports_for(*, user) -> QuerySet[ReportExport]:
    """The user's own prepared exports, newest first (the index reportexport_prepared_idx)."""
    return ReportExport.objects.filter(user=user, prepared=True).order_by("-started_at", "-id")


def query_string(params: dict) -> str:
    """ "?a=1&b=2" of the filters given (empty ones left out), or "" when none."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(clean)}" if clean else ""


def exports_listed(*, user, limit: int) -> list[ReportExport]:
    """The user's prepared exports as the Exports page lists them, newest first, each with
    its report's `title`, `report_url` (the report with the filters it was asked with:
    where a failed or removed export is asked for again) and `file_gone` (ready, but its
    file is no longer in private storage: removed, or a restore without the files, so no
    download that could only fail is offered). One query, one stat per ready row."""
    rows = list(exports_for(user=user)[:limit])
    storage = private_storage()
    for export in rows:
        report = BY_SLUG.get(export.report)
        export.title = report.title if report else export.report
        query = query_string(export.filters or {})
        export.report_url = reverse(f"reports:{report.slug}") + query if report else ""
        export.file_gone = export.is_ready and not storage.exists(export.file_name)
    return rows


def download_name(export: ReportExport) -> str:
    """The file's name without its folder and the export's id prefix."""
    return export.file_name.rsplit("/", 1)[-1].split("-", 1)[-1]


def _mark_failed(export_id: int, data: dict) -> None:
    ReportExport.objects.filter(pk=export_id).update(failed_at=timezone.now())


@background_task(on_give_up=_mark_failed)
def prepare_report_export(export_id: int, data: dict) -> int:
    """Write the export's CSV into private storage; returns the number of rows."""
    export = ReportExport.objects.select_related("user").get(pk=export_id)
    if export.is_ready:  # already done (a retry after a late failure): nothing to do
        return export.row_count or 0
    report = BY_SLUG[export.report]
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    model = report.filterset._meta.model
    fs = report.filterset(query, queryset=model.objects.none(), user=export.user, request=None)
    scope = fs.scope()
    rows = report_rows(report, fs, scope)
    counted: list[int] = []
    with tempfile.TemporaryFile() as tmp:
        for chunk in stream(rows, report.csv_columns, on_finish=counted.append):
            tmp.write(chunk.encode("utf-8"))
        tmp.seek(0)
        name = private_storage().save(
            f"{FOLDER}/{export.pk}-{csv_filename(report, scope)}", File(tmp)
        )
    ReportExport.objects.filter(pk=export.pk).update(
        file_name=name, row_count=counted[0], finished_at=timezone.now(), failed_at=None
    )
    return counted[0]
