"""The dashboard's distinct-patient counts over 12 months, read from the return rollup
against COUNT DISTINCT over the per-session totals, interleaved on one database.

    DATABASE_URL=... .venv/bin/python bench/dashboard_patients.py [--rounds 7]

Each round times, in alternation, the selectors with the return rollup
(clinic.reports.selectors.rollups.counts_from_returns as it is) and without it (patched
to False: the COUNT DISTINCT the rollup replaced), and the 12-month dashboard's
selectors both ways: the page (its heavy panels deferred to their own requests) and the
print (everything in one); prints medians, the statement counts, and checks that
both ways give the same figures. Timings on a shared machine are noisy: read them with
the load average printed beside them.

With --panels: the page's three deferred panels over the same 12 months (issue 14.5),
each read from its summaries (as the app does) and from the raw rows (as before:
re-treatment from the sessions, responder rates from the scores, wastage from the
vials), interleaved, with p50 / p95 and a check that both ways give the same figures;
then the page (panels deferred) and the print, as the app reads them.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.reports import selectors  # noqa: E402
from clinic.reports.periods import Period  # noqa: E402
from clinic.reports.selectors import outcomes as outcome_reads  # noqa: E402
from clinic.reports.selectors import retreatment  # noqa: E402
from clinic.reports.selectors import rollups as rollup_reads  # noqa: E402
from clinic.reports.selectors.sessions import session_summary  # noqa: E402
from treatments.models import SessionTotals, Vial  # noqa: E402

WITH_ROLLUP = rollup_reads.counts_from_returns


def run(scope, *, rollup: bool, whole: bool, deferred: bool = False):
    rollup_reads.counts_from_returns = WITH_ROLLUP if rollup else (lambda *a: False)
    try:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            if whole:
                board = selectors.dashboard(scope=scope, whole_clinic=True, deferred=deferred)
                result = (board.active_patients, board.new_patients)
            else:
                summary = session_summary(scope)
                figures, rows = summary["figures"], summary["by_practitioner"]
                result = (
                    figures["active"],
                    figures["active_previous"],
                    figures["new"],
                    sorted((r["practitioner_id"], r["patients"]) for r in rows),
                )
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, len(ctx.captured_queries), result
    finally:
        rollup_reads.counts_from_returns = WITH_ROLLUP


def _raw_retreatment(scope):
    """The re-treatment counts as read before the summaries: the recall's anti-join."""
    today = timezone.localdate()
    intervals = retreatment.retreatment_intervals()
    since = today - timedelta(days=retreatment.RECALL_LAPSE_DAYS)
    overdue, _ = retreatment.eligible_between(intervals, since, today - timedelta(days=1))
    due = retreatment.retreatment_due(
        scope,
        eligible_from=since,
        eligible_to=today + timedelta(days=retreatment.RECALL_LOOKAHEAD_DAYS),
        intervals=intervals,
        from_sessions=True,
    )
    counts = due.aggregate(total=Count("id"), overdue=Count("id", filter=overdue))
    return {"overdue": counts["overdue"], "due_soon": counts["total"] - counts["overdue"]}


def _raw_wastage(scope, *, by_lot, limit=None):
    """Vial wastage as read before the summaries: the discarded vials grouped."""
    group = ["product__brand"] + (["lot"] if by_lot else [])
    qs = (
        Vial.objects.filter(
            discarded_at__gte=scope.period.start_at, discarded_at__lt=scope.period.end_at
        )
        .values(*group)
        .annotate(n=Count("id"), held=Sum("presentation_units"), wasted=Sum("wasted_units"))
        .order_by("-wasted", *group)
    )
    return [tuple(row.values()) for row in (qs[:limit] if limit else qs)]


def _panel(scope, name: str, *, summaries: bool):
    """(elapsed ms, statements, figures) of one deferred panel, either way."""
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        if name == "re-treatment":
            if summaries:
                counts = selectors.dashboard_panel(scope=scope, panel="retreatment")
                counts = counts["retreatment"]
                result = {"overdue": counts["overdue"], "due_soon": counts["due_soon"]}
            else:
                result = _raw_retreatment(scope)
        elif name == "responders":
            with mock.patch.object(
                outcome_reads,
                "responders_from_rollup",
                outcome_reads.responders_from_rollup if summaries else (lambda s: False),
            ):
                rows = selectors.dashboard_panel(scope=scope, panel="outcomes")["responders"]
            result = [(r["indication"], r["series"], r["good"], r["partial"]) for r in rows]
        else:  # wastage, as the stock panel shows it for the whole clinic
            if summaries:
                panel = selectors.dashboard_panel(scope=scope, panel="stock", whole_clinic=True)
                result = (
                    [
                        (r["product"], r["vials"], r["presentation"], r["wasted"])
                        for r in panel["wastage_by_product"]
                    ],
                    [
                        (r["product"], r["lot"], r["vials"], r["presentation"], r["wasted"])
                        for r in panel["wastage_by_lot"]
                    ],
                )
            else:
                selectors.units_by_product(scope)
                result = (
                    _raw_wastage(scope, by_lot=False),
                    _raw_wastage(scope, by_lot=True, limit=8),
                )
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(ctx.captured_queries), result


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def panels(scope, rounds: int) -> int:
    """The deferred panels both ways, then the page and the print as the app reads them."""
    names = ("re-treatment", "responders", "wastage")
    times = {(n, way): [] for n in names for way in ("summaries", "raw rows")}
    times.update({("page", "summaries"): [], ("print", "summaries"): []})
    differ = 0
    for _ in range(rounds):
        for name in names:
            figures = {}
            for way in ("summaries", "raw rows"):
                elapsed, statements, figures[way] = _panel(
                    scope, name, summaries=way == "summaries"
                )
                times[(name, way)].append(elapsed)
                print(f"  {name:<13} {way:<10} {elapsed:9.1f} ms  {statements} statements")
            if figures["summaries"] != figures["raw rows"]:
                differ += 1
                print(f"  DIFFERENT {name}: {figures}")
        for name, deferred in (("page", True), ("print", False)):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                selectors.dashboard(scope=scope, whole_clinic=True, deferred=deferred)
                elapsed = (time.perf_counter() - started) * 1000
            times[(name, "summaries")].append(elapsed)
            print(
                f"  {name:<13} summaries  {elapsed:9.1f} ms  {len(ctx.captured_queries)} statements"
            )
    print(f"load after: {os.getloadavg()}")
    for (name, way), values in times.items():
        print(
            f"{name:<13} {way:<10} p50 {statistics.median(values):9.1f} ms  "
            f"p95 {_p95(values):9.1f} ms (of {len(values)})"
        )
    print("figures: " + ("the same both ways" if not differ else f"{differ} DIFFERENCES"))
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--panels", action="store_true", help="the deferred panels both ways")
    args = parser.parse_args()
    manager = get_user_model().objects.get(username="manager")
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today)
    scope = selectors.scope_for(user=manager, period=period)
    if args.panels:
        print(f"per-session rows: {SessionTotals.objects.count():,}; load: {os.getloadavg()}")
        return panels(scope, args.rounds)
    print(f"per-session rows: {SessionTotals.objects.count():,}; load: {os.getloadavg()}")
    keys = ("rollup", "distinct", "rollup, page", "distinct, page")
    keys += ("rollup, print", "distinct, print")
    times = {key: [] for key in keys}
    for _ in range(args.rounds):
        for key in times:
            elapsed, statements, result = run(
                scope,
                rollup=key.startswith("rollup"),
                whole="," in key,
                deferred=key.endswith("page"),
            )
            times[key].append(elapsed)
            print(f"  {key:<16} {elapsed:9.1f} ms  {statements} statements  {result}")
    print(f"load after: {os.getloadavg()}")
    for key, values in times.items():
        print(f"{key:<16} median {statistics.median(values):9.1f} ms (of {len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
