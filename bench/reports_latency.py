"""Server time and query count of the dashboard, the reports, a one-year CSV export, the
patient list and page, and the admin's session changelist, on a large seeded database.

    DATABASE_URL=postgres://... .venv/bin/python bench/reports_latency.py

Runs the pages in-process through Django's test client as the demo `manager` (the whole
middleware stack, templates and queries; no network), with CaptureQueriesContext for the
query count. Each page is requested BENCH_WARMUP times unmeasured, then BENCH_REQUESTS
times. For the CSV, time to first byte is the time until the response's first chunk
(the view has run and the header row is out); total is until the last row is read.

Prints a table, writes bench/results/reports_latency.json, and exits 1 when a dashboard
or report page has p95 >= 300 ms or the one-year CSV's first byte takes >= 1 s.
Usually run by bench/reports_latency.sh (make bench-reports).
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.reports.registry import REPORTS  # noqa: E402
from patients.models import Patient  # noqa: E402
from treatments.models import InjectionPoint, OutcomeAssessment, SideEffect, TreatmentSession  # noqa: E402

PAGE_P95_MS = 300
DASHBOARD_12_MONTHS_MS = 300  # issue 14: at 1M patients / 5M sessions
CSV_TTFB_MS = 1000


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(client, urls, requests, warmup):
    """urls: a list cycled through (one URL, or a sample of patient pages)."""
    for n in range(warmup):
        response = client.get(urls[n % len(urls)])
        if response.streaming:
            b"".join(response.streaming_content)
    times, queries, statuses = [], [], set()
    for n in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(urls[n % len(urls)])
            body = (
                response.content if not response.streaming else b"".join(response.streaming_content)
            )
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(ctx.captured_queries))
        statuses.add(response.status_code)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "queries": sorted(set(queries)),
        "statuses": sorted(statuses),
        "bytes": len(body),
        "samples": [round(t, 1) for t in times],
    }


def measure_csv(client, url, requests):
    ttfb, first_rows, total, rows, queries, size = [], [], [], 0, [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            if response.status_code in (301, 302):
                # A large export is prepared by the worker (issue 12.2): the request only
                # queues it and redirects to the user's exports.
                ttfb.append((time.perf_counter() - started) * 1000)
                total.append(ttfb[-1])
                queries.append(len(ctx.captured_queries))
                continue
            chunks = iter(response.streaming_content)
            first = next(chunks)
            ttfb.append((time.perf_counter() - started) * 1000)
            size = len(first)
            lines = first.count(b"\n")
            for n, chunk in enumerate(chunks):
                if n == 0:  # the first batch of data rows (after the header)
                    first_rows.append((time.perf_counter() - started) * 1000)
                size += len(chunk)
                lines += chunk.count(b"\n")
            total.append((time.perf_counter() - started) * 1000)
        queries.append(len(ctx.captured_queries))
        rows = lines - 1
    return {
        "ttfb_p50_ms": round(statistics.median(ttfb), 1),
        "ttfb_max_ms": round(max(ttfb), 1),
        "first_rows_p50_ms": round(statistics.median(first_rows), 1) if first_rows else None,
        "first_rows_max_ms": round(max(first_rows), 1) if first_rows else None,
        "total_p50_ms": round(statistics.median(total), 1),
        "total_max_ms": round(max(total), 1),
        "rows": rows,
        "bytes": size,
        "queries": sorted(set(queries)),
        "status": response.status_code,
        "queued": response.status_code in (301, 302),
        "location": response.get("Location", ""),
    }


def bench_superuser():
    """A superuser for the admin's pages (the admin is superuser-only): the first one, or
    one made for the bench (a bench database only)."""
    users = get_user_model().objects
    found = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if found is not None:
        return found
    return users.create_superuser("bench-superuser", email="", password=None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 40)))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 3)))
    parser.add_argument("--csv-requests", type=int, default=3)
    parser.add_argument(
        "--out", default=os.environ.get("BENCH_OUT", ROOT / "bench/results/reports_latency.json")
    )
    args = parser.parse_args()

    manager = get_user_model().objects.get(username="manager")
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    today = timezone.localdate()
    year = f"start={today - timedelta(days=364):%Y-%m-%d}&end={today:%Y-%m-%d}"
    rng = random.Random(20261121)
    patient_ids = list(Patient.objects.values_list("public_id", flat=True)[:5000])
    patient_pages = [
        f"/patients/{pid}/" for pid in rng.sample(patient_ids, min(50, len(patient_ids)))
    ]

    # The dashboard page, and the three panels it loads on their own requests (htmx): each is
    # gated. Ungated, for the record: all of it in one request (the print layout) and a
    # 12-month range (the acceptance is the default month).
    pages = [("dashboard, this month", ["/dashboard/"], True)]
    pages.append(("dashboard panel: units and wastage", ["/dashboard/panels/stock/"], True))
    pages.append(("dashboard panel: responder rates", ["/dashboard/panels/outcomes/"], True))
    pages.append(("dashboard panel: re-treatment", ["/dashboard/panels/retreatment/"], True))
    pages.append(("dashboard, whole page in one (print)", ["/dashboard/?print=1"], False))
    pages.append(("dashboard, last 12 months", [f"/dashboard/?{year}"], False))
    # Issue 14.5: the page is seen with its panels, so each 12-month panel is timed too.
    for name, slug in (("units and wastage", "stock"), ("responder rates", "outcomes")):
        pages.append((f"panel: {name}, 12 months", [f"/dashboard/panels/{slug}/?{year}"], False))
    pages.append(
        ("panel: re-treatment, 12 months", [f"/dashboard/panels/retreatment/?{year}"], False)
    )
    pages.append(("dashboard, 12 months, print", [f"/dashboard/?{year}&print=1"], False))
    for report in REPORTS:
        pages.append((f"report: {report.slug}", [f"/reports/{report.slug}/"], True))
    pages += [
        ("report: sessions, 12 months", [f"/reports/sessions/?{year}"], True),
        ("report: side-effects, 12 months", [f"/reports/side-effects/?{year}"], True),
    ]
    # Every other report over the same year, for the record (not gated: a report's default
    # period is what the acceptance names; a year is what a manager asks at appraisal time).
    pages += [
        (f"report: {report.slug}, 12 months", [f"/reports/{report.slug}/?{year}"], False)
        for report in REPORTS
        if report.slug not in ("sessions", "side-effects")
    ]
    pages += [
        ("patient list", ["/patients/"], False),
        ("patient page (50 patients)", patient_pages, False),
    ]
    # The admin is for superusers only (not the manager): its own client.
    admin_pages = [("admin: session changelist", ["/admin/treatments/treatmentsession/"], False)]
    data = {
        "patients": Patient.objects.count(),
        "sessions": TreatmentSession.objects.count(),
        "injection_points": InjectionPoint.objects.count(),
        "side_effects": SideEffect.objects.count(),
        "outcome_scores": OutcomeAssessment.objects.count(),
    }
    print("Data: " + ", ".join(f"{k} {v:,}" for k, v in data.items()))
    results, failures = {}, []
    print(f"\n{'page':<42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  queries  status")
    admin = Client(SERVER_NAME="localhost")
    admin.force_login(bench_superuser())
    for (name, urls, gated), who in [(p, client) for p in pages] + [
        (p, admin) for p in admin_pages
    ]:
        result = measure(who, urls, args.requests, args.warmup)
        results[name] = result
        print(
            f"{name:<42} {result['p50_ms']:>8} {result['p95_ms']:>8} {result['max_ms']:>8}  "
            f"{','.join(map(str, result['queries'])):>7}  {result['statuses']}"
        )
        if gated and (result["p95_ms"] >= PAGE_P95_MS or result["statuses"] != [200]):
            failures.append(name)
    csv_results = {}
    for slug in ("sessions", "side-effects"):
        url = f"/reports/{slug}/csv/?{year}"
        result = measure_csv(client, url, args.csv_requests)
        csv_results[slug] = result
        if result["queued"]:
            print(
                f"\nCSV {slug}, 12 months: queued for the worker (large export, issue 12.2), "
                f"redirect to {result['location']} in p50 {result['ttfb_p50_ms']} ms "
                f"(max {result['ttfb_max_ms']}), queries {result['queries']}"
            )
            if result["ttfb_max_ms"] >= CSV_TTFB_MS:
                failures.append(f"csv {slug}")
            continue
        print(
            f"\nCSV {slug}, 12 months: {result['rows']:,} rows, {result['bytes'] / 1e6:.1f} MB; "
            f"first byte p50 {result['ttfb_p50_ms']} ms (max {result['ttfb_max_ms']}), "
            f"first 500 rows p50 {result['first_rows_p50_ms']} ms "
            f"(max {result['first_rows_max_ms']}), "
            f"total p50 {result['total_p50_ms']} ms (max {result['total_max_ms']}), "
            f"queries {result['queries']}"
        )
        slowest_start = max(result["ttfb_max_ms"], result["first_rows_max_ms"] or 0)
        if slowest_start >= CSV_TTFB_MS or result["status"] != 200:
            failures.append(f"csv {slug}")
    # Issue 14's goal: the 12-month dashboard in one request within 300 ms (p95), read
    # from the rollups (treatments.models.rollups) rather than the sessions.
    # The page, each of its panels and the print, each against the goal.
    print()
    for name in (
        "dashboard, last 12 months",
        "panel: units and wastage, 12 months",
        "panel: responder rates, 12 months",
        "panel: re-treatment, 12 months",
        "dashboard, 12 months, print",
    ):
        twelve = results[name]
        verdict = "meets" if twelve["p95_ms"] <= DASHBOARD_12_MONTHS_MS else "misses"
        print(
            f"{name}: p50 {twelve['p50_ms']} ms, p95 {twelve['p95_ms']} ms: {verdict} the "
            f"{DASHBOARD_12_MONTHS_MS} ms goal at {data['patients']:,} patients / "
            f"{data['sessions']:,} sessions"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True, text=True, cwd=ROOT, check=False,
    ).stdout.strip()  # fmt: skip
    out.write_text(
        json.dumps(
            {
                "data": data,
                "pages": results,
                "csv": csv_results,
                "requests": args.requests,
                "load_average": os.getloadavg(),
                "python": platform.python_version(),
                "commit": commit,
                "failures": failures,
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nWritten to {out}")
    if failures:
        print(f"FAIL: {failures}")
        return 1
    print(f"PASS: every dashboard and report page p95 < {PAGE_P95_MS} ms, CSV first byte < 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
