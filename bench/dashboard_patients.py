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
"""

import argparse
import os
import statistics
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.reports import selectors  # noqa: E402
from clinic.reports.periods import Period  # noqa: E402
from clinic.reports.selectors import rollups as rollup_reads  # noqa: E402
from clinic.reports.selectors.sessions import (  # noqa: E402
    session_figures,
    sessions_by_practitioner,
)
from treatments.models import SessionTotals  # noqa: E402

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
                figures = session_figures(scope)
                rows = sessions_by_practitioner(scope)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    manager = get_user_model().objects.get(username="manager")
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today)
    scope = selectors.scope_for(user=manager, period=period)
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
