"""Dashboard, report pages with their CSV downloads, and change-history pages.

Thin: access (clinic.permissions), the audit row (clinic.audit: every page view, print
and download), the filters, one selector, render. Each report gets its own view
functions (page, CSV, and the POST that has a large CSV prepared in the background) so
that each URL declares its own permission.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinic.audit import audited, patient_of
from clinic.background import private_storage
from clinic.csv_export import csv_response
from clinic.db_router import reads_from_replica  # issue 12: a read replica when configured
from clinic.flash import NAMES_NOBODY
from clinic.idempotency import OnceForm, press_once
from clinic.listing import paginate
from clinic.permissions import require_perm
from clinic.reports import exports, history, selectors, services
from clinic.reports.exports import query_string
from clinic.reports.filters import DashboardFilterSet
from clinic.reports.periods import default_period, presets
from clinic.reports.registry import BY_SLUG, REPORTS, Report

PAGE_SIZE = 50
EXPORTS_SHOWN = 50  # prepared exports listed on the Exports page
# Query parameters that select a page or a print layout, not what the report is about.
NOT_FILTERS = {"page", "sort", "print"}


def _filters_for(request, filterset_class):
    """The filters as sent; with no period, the default one, so the form shows its dates."""
    model = filterset_class._meta.model
    data = request.GET.copy()
    uses_period = "start" not in filterset_class.unused
    if uses_period and not (data.get("start") or data.get("end")):
        data.update(default_period().as_params())
    if "eligible_from" in filterset_class.base_filters and not (
        data.get("eligible_from") or data.get("eligible_to")
    ):
        today = timezone.localdate()
        low = today - timedelta(days=selectors.RECALL_LAPSE_DAYS)
        high = today + timedelta(days=selectors.RECALL_LOOKAHEAD_DAYS)
        data.update({"eligible_from": f"{low:%d/%m/%Y}", "eligible_to": f"{high:%d/%m/%Y}"})
    return filterset_class(data, queryset=model.objects.none(), user=request.user, request=request)


def _filter_params(request) -> dict:
    return {k: v for k, v in request.GET.items() if k not in NOT_FILTERS}


def _preset_links(request, fs) -> list[dict]:
    """Quick periods, keeping the other filters."""
    base = _filter_params(request)
    current = fs.period()
    return [
        {
            "label": label,
            "query": query_string({**base, **period.as_params()}),
            "active": period == current,
        }
        for label, period in presets()
    ]


def _scope_params(scope: selectors.Scope) -> dict:
    params = scope.period.as_params()
    if scope.practitioner_id and not scope.own_only:
        params["practitioner"] = str(scope.practitioner_id)
    if scope.indication_id:
        params["indication"] = str(scope.indication_id)
    if scope.product_id:
        params["product"] = str(scope.product_id)
    return params


def _printing(request) -> bool:
    if request.GET.get("print") == "1":
        request.audit_action = "report.print"
        return True
    return False


@require_perm("reports.view_dashboard")
@audited("dashboard.view")
@require_safe
@reads_from_replica
def dashboard(request):
    fs = _filters_for(request, DashboardFilterSet)
    scope = fs.scope()
    whole_clinic = selectors.sees_whole_clinic(request.user)
    printing = _printing(request)
    # On screen the two heaviest panels load with their own requests (dashboard_panel),
    # so the page shows its figures without waiting for them; a print has everything.
    board = selectors.dashboard(scope=scope, whole_clinic=whole_clinic, deferred=not printing)
    params = _scope_params(scope)
    context = {
        "filter": fs,
        "board": board,
        "scope": scope,
        "previous": scope.period.compared(),
        "whole_clinic": whole_clinic,
        "presets": _preset_links(request, fs),
        "q": query_string(params),
        "params": params,
        "print_query": query_string({**_filter_params(request), "print": "1"}),
        "printing": printing,
        "charts": _chart_data(board),
        "labels": DASHBOARD_LABELS,
        "responder_chart": _responder_chart(board.responders or []),
    }
    return render(request, "reports/dashboard.html", context)


DASHBOARD_LABELS = {
    "unsigned": f"Unsigned after {selectors.CHART_COMPLETION_HOURS} hours",
    "signed_late": f"Signed after {selectors.CHART_COMPLETION_HOURS} hours",
    "overdue": f"Eligible in the last {selectors.RECALL_LAPSE_DAYS} days, not treated since",
    "due": f"Eligible in the next {selectors.RECALL_LOOKAHEAD_DAYS} days",
}


@require_perm("reports.view_dashboard")
@require_safe
@reads_from_replica
def dashboard_panel(request, panel):
    """A deferred panel of the dashboard (htmx, on page load), for the same filters: the
    page's own request is the one logged as the dashboard view."""
    if panel not in selectors.DASHBOARD_PANELS:
        raise Http404("No such panel")
    fs = _filters_for(request, DashboardFilterSet)
    scope = fs.scope()
    whole_clinic = selectors.sees_whole_clinic(request.user)
    board = selectors.dashboard_panel(scope=scope, panel=panel, whole_clinic=whole_clinic)
    return render(
        request,
        f"reports/includes/dashboard_{panel}.html",
        {
            "board": board,
            "scope": scope,
            "whole_clinic": whole_clinic,
            "q": query_string(_scope_params(scope)),
            "labels": DASHBOARD_LABELS,
            "responder_chart": _responder_chart(board.get("responders") or []),
        },
    )


def _responder_chart(responders: list[dict]) -> str:
    """The responder chart's data, for a data-chart attribute (reports.js draws it)."""
    return json.dumps(
        {
            "labels": [row["indication"] for row in responders],
            "good": [row["good"] for row in responders],
            "partial": [row["partial"] for row in responders],
            "none": [row["none"] for row in responders],
        }
    )


def _chart_data(board: selectors.Dashboard) -> dict:
    """What clinic/static/clinic/reports.js draws (through json_script, no inline script)."""
    return {
        "sessions": {
            "labels": [row["label"] for row in board.sessions_over_time],
            # The week or month under way is no point on the line (its few sessions so far
            # drew a steep fall): the page gives it apart (board.sessions_so_far).
            "values": [
                None if row["under_way"] else row["sessions"] for row in board.sessions_over_time
            ],
        },
        "practitioners": {
            "labels": [row["practitioner"] for row in board.sessions_by_practitioner],
            "values": [row["sessions"] for row in board.sessions_by_practitioner],
            "previous": [row["sessions_previous"] for row in board.sessions_by_practitioner],
        },
        "side_effects": {
            "labels": [row["name"] for row in board.side_effects_by_indication],
            "values": [float(row["per_100"] or 0) for row in board.side_effects_by_indication],
        },
    }


@require_perm("reports.view_reports")
@audited("report.index")
@require_safe
def report_index(request):
    visible = [r for r in REPORTS if request.user.has_perm(r.permission)]
    return render(
        request,
        "reports/index.html",
        {"reports": visible, "can_export": request.user.has_perm("reports.export_reports")},
    )


def _report_rows(report: Report, fs, scope):
    data = report.rows(fs, scope)
    if isinstance(data, QuerySet):
        fs.queryset = data
        return fs.qs  # the report's own filters (status, decision, consent ...)
    return data


def report_page(request, report: Report):
    """The report for its filters. Filters the form refuses (a date that does not exist,
    an end before the start) show what to correct and no table: a table of the default
    period beside the dates typed read as those dates' figures (browser review, 07/12)."""
    fs = _filters_for(request, report.filterset)
    scope = fs.scope()
    table, note = None, ""
    if fs.is_valid():
        rows = _report_rows(report, fs, scope)
        note = report.note(rows) if report.note else ""
        extra = report.table_kwargs(fs, scope) if report.table_kwargs else {}
        table = report.table(rows, user=request.user, **extra)
        paginate(request, table, page_size=PAGE_SIZE)
    filters = _filter_params(request)
    context = {
        "report": report,
        "filter": fs,
        "table": table,
        "scope": scope,
        "cut_off": report.cut_off(fs) if table is not None and report.cut_off else "",
        "note": note,
        "presets": _preset_links(request, fs) if "start" in fs.filters else [],
        "can_export": request.user.has_perm("reports.export_reports"),
        "csv_url": reverse(f"reports:{report.slug}_csv") + query_string(filters),
        "print_query": query_string({**filters, "print": "1"}),
        "printing": _printing(request),
    }
    return render(request, "reports/report.html", context)


def report_csv(request, report: Report):
    fs = _filters_for(request, report.filterset)
    if not fs.is_valid():
        # Filters the form refused (a date out of range, an end before the start): no
        # file of other dates than asked for; the report's page shows what to correct,
        # with what was typed. Nothing was downloaded, so no download is logged.
        request.audit_skip = True
        messages.error(
            request,
            "The CSV was not downloaded: correct the filters below, then download it again.",
            extra_tags=NAMES_NOBODY,
        )
        return redirect(reverse(f"reports:{report.slug}") + query_string(_filter_params(request)))
    scope = fs.scope()
    rows = _report_rows(report, fs, scope)
    if exports.is_large(rows):  # issue 12.2: prepared by the worker, not held here
        return _offer_export(request, report, fs, scope)
    export = services.report_export_start(
        user=request.user, report=report.slug, filters=_filter_params(request)
    )
    period = scope.period
    filename = f"{report.slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    return csv_response(
        rows,
        report.csv_columns,
        filename=filename,
        on_finish=lambda count: services.report_export_finish(export=export, row_count=count),
    )


def _offer_export(request, report: Report, fs, scope):
    """Too many rows to stream: a page with the button that has the file prepared in the
    background (a POST, report_prepare). This GET writes nothing: a reload, a prefetch or
    a link preview of the CSV link must not queue an export. Nothing was downloaded, so
    no download is logged."""
    request.audit_skip = True
    query = query_string(_filter_params(request))
    return render(
        request,
        "reports/export_offer.html",
        {
            "report": report,
            "filter": fs,
            "scope": scope,
            "threshold": settings.REPORT_EXPORT_ASYNC_ROWS,
            "form": OnceForm(),
            "prepare_url": reverse(f"reports:{report.slug}_csv_prepare") + query,
            "report_url": reverse(f"reports:{report.slug}") + query,
        },
    )


def report_prepare(request, report: Report):
    """The offer's button (POST, with its one-time token): the export recorded and its
    job queued once per token, so a double-click or a resent form makes one export. The
    filters come in the query string, as for the direct download. The access event is
    written only when this request queued an export."""
    request.audit_skip = True
    fs = _filters_for(request, report.filterset)
    query = query_string(_filter_params(request))
    if not fs.is_valid():
        messages.error(
            request,
            "The export was not prepared: correct the filters below, then ask for it again.",
            extra_tags=NAMES_NOBODY,
        )
        return redirect(reverse(f"reports:{report.slug}") + query)
    exports_url = reverse("reports:exports")

    def prepare() -> str:
        services.report_export_prepare(
            user=request.user,
            report=report.slug,
            filters=_filter_params(request),
            filter_data=exports.filter_data(fs, drop=NOT_FILTERS),
        )
        return exports_url

    outcome = press_once(request, prepare, back=exports_url, extra_tags=NAMES_NOBODY)
    if outcome is None:  # a busy database, or a token unreadable or not this user's
        return redirect(reverse(f"reports:{report.slug}_csv") + query)  # a fresh button
    if not outcome.replayed:
        request.audit_skip = False
        messages.info(
            request,
            "Your export is being prepared. It will be listed here, ready to download, "
            "in a minute or two.",
            extra_tags=NAMES_NOBODY,
        )
    return redirect(outcome.url)


@require_perm("reports.export_reports")
@audited("report.exports")
@require_safe
def export_list(request):
    """The user's own prepared exports (issue 12.2), newest first."""
    rows = exports.exports_listed(user=request.user, limit=EXPORTS_SHOWN)
    return render(request, "reports/exports.html", {"exports": rows})


@require_perm("reports.export_reports")
@audited("report.export_download")
@require_safe
def export_download(request, pk):
    """A prepared export, for the user who asked for it only (404 for anyone else)."""
    export = get_object_or_404(exports.exports_for(user=request.user), pk=pk)
    if not export.is_ready:
        return redirect("reports:exports")
    try:
        file = private_storage().open(export.file_name, "rb")
    except FileNotFoundError:
        # The row outlived its file (removed from private storage, a restore without
        # the files): nothing was sent, so no download is logged.
        request.audit_skip = True
        report = BY_SLUG.get(export.report)
        messages.warning(
            request,
            f"The file of that {report.title if report else 'report'} export is no longer "
            "available. To have it again, open the report and press Download CSV: it will "
            "be prepared afresh.",
            extra_tags=NAMES_NOBODY,
        )
        return redirect("reports:exports")
    return FileResponse(
        file,
        as_attachment=True,
        filename=exports.download_name(export),
        content_type="text/csv; charset=utf-8",
    )


def _views_for(report: Report):
    """The page, CSV and prepare-the-CSV views of one report, each with its own permission."""

    @require_perm(report.permission)
    @audited("report.view")
    @require_safe
    @reads_from_replica
    def page(request):
        return report_page(request, report)

    @require_perm("reports.export_reports")
    @audited("report.download")
    @require_safe
    def download(request):
        return report_csv(request, report)

    @require_perm("reports.export_reports")
    @audited("report.export_queued")
    @require_POST
    def prepare(request):
        return report_prepare(request, report)

    name = report.slug.replace("-", "_")
    page.__name__ = page.__qualname__ = f"report_{name}"
    download.__name__ = download.__qualname__ = f"report_{name}_csv"
    prepare.__name__ = prepare.__qualname__ = f"report_{name}_csv_prepare"
    return page, download, prepare


REPORT_VIEWS = {report.slug: _views_for(report) for report in REPORTS}


# Change history ------------------------------------------------------------------------


@require_perm("reports.view_change_history")
@audited("history.index")
@require_safe
def history_index(request):
    return render(request, "reports/history_index.html", history.recent_changes())


@require_perm("reports.view_change_history")
@audited("session.history", patient=patient_of("treatments.TreatmentSession"))
@require_safe
def session_history(request, public_id):
    session = history.session_get(public_id=public_id)
    return render(
        request,
        "reports/session_history.html",
        {"session": session, "entries": history.session_history(session=session)},
    )


@require_perm("reports.view_change_history")
@audited("vial.history")
@require_safe
def vial_history(request, pk):
    vial = history.vial_get(pk=pk)
    return render(
        request,
        "reports/vial_history.html",
        {"vial": vial, "entries": history.vial_history(vial=vial)},
    )
