"""The statements this change replaced, against their replacements, on one database
(issue 14.5): the 12-month dashboard's "registered" count (patients' created_at against
DailyRegistrations), the re-treatment counts (LatestCourse rows against
DailyCourseRollup), and the recall report's first page (the sessions' anti-join against
LatestCourse in performed_at order). Each pair alternately, medians of --rounds, and a
check that both give the same figures.

    DATABASE_URL=postgres://... .venv/bin/python bench/print_statements.py [--rounds 7]
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

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count, Q, Value  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.reports import selectors  # noqa: E402
from clinic.reports.periods import Period  # noqa: E402
from clinic.reports.selectors import retreatment  # noqa: E402
from clinic.reports.selectors.scope import session_q  # noqa: E402
from patients.models import Patient  # noqa: E402
from treatments.models import LatestCourse  # noqa: E402


def registered_from_patients(period: Period) -> dict:
    """As the dashboard counted before: the patients created in the two periods."""
    previous = period.previous()
    return Patient.objects.filter(
        created_at__gte=previous.start_at, created_at__lt=period.end_at
    ).aggregate(
        current=Count("id", filter=Q(created_at__gte=period.start_at)),
        previous=Count("id", filter=Q(created_at__lt=previous.end_at)),
    )


def retreatment_from_courses(scope, today) -> dict:
    """As the panel counted before: LatestCourse's rows in the eligibility envelope."""
    intervals = retreatment.retreatment_intervals()
    low = today - timedelta(days=retreatment.RECALL_LAPSE_DAYS)
    high = today + timedelta(days=retreatment.RECALL_LOOKAHEAD_DAYS)
    condition, envelope = retreatment.eligible_days_between(intervals, low, high)
    overdue, _ = retreatment.eligible_days_between(intervals, low, today - timedelta(days=1))
    return (
        LatestCourse.objects.filter(envelope, condition, patient_active=True)
        .filter(session_q(scope))
        .order_by()
        .aggregate(total=Count("id"), overdue=Count("id", filter=overdue) if overdue else Value(0))
    )


def recall_page_from_sessions(scope, low, high) -> list:
    """The recall report's first page as it was read before: the sessions' anti-join."""
    rows = selectors.retreatment_due(
        scope, eligible_from=low, eligible_to=high, from_sessions=True
    ).values("performed_at", "patient__record_number", "indication_id")
    return list(rows.order_by("performed_at", "patient__record_number")[:51])


def recall_page(scope, low, high) -> list:
    rows = selectors.recall_rows(scope, eligible_from=low, eligible_to=high)
    return [
        {k: r[k] for k in ("performed_at", "patient__record_number", "indication_id")}
        for r in rows[:51]
    ]


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    today = timezone.localdate()
    manager = get_user_model().objects.get(username="manager")
    period = Period(today - timedelta(days=364), today)
    scope = selectors.scope_for(user=manager, period=period)
    low = today - timedelta(days=retreatment.RECALL_LAPSE_DAYS)
    high = today + timedelta(days=retreatment.RECALL_LOOKAHEAD_DAYS)
    pairs = {
        "registered, 12 months": (
            lambda: registered_from_patients(period),
            lambda: selectors.registered_patients(period),
        ),
        "re-treatment counts": (
            lambda: retreatment_from_courses(scope, today),
            lambda: {
                k: v
                for k, v in selectors.retreatment_counts(scope, today).items()
                if k in ("total", "overdue")
            },
        ),
        "recall report, first page": (
            lambda: recall_page_from_sessions(scope, low, high),
            lambda: recall_page(scope, low, high),
        ),
    }
    print(f"load before: {os.getloadavg()}")
    differ = 0
    for name, (before, after) in pairs.items():
        times = {"before": [], "after": []}
        for _ in range(args.rounds):
            for way, fn in (("before", before), ("after", after)):
                elapsed, result = timed(fn)
                times[way].append(elapsed)
                if way == "before":
                    expected = result
                elif result != expected:
                    differ += 1
                    print(f"  DIFFERENT {name}: {expected} / {result}")
        print(
            f"{name:<28} before {statistics.median(times['before']):8.1f} ms   "
            f"after {statistics.median(times['after']):8.1f} ms   (medians of {args.rounds})"
        )
    print(f"load after: {os.getloadavg()}")
    print("figures: " + ("the same both ways" if not differ else f"{differ} DIFFERENCES"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
