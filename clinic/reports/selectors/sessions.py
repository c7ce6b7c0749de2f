"""Sessions: the dashboard's session figures, registrations, sessions over time and by
practitioner; the sessions and practitioner-activity reports' rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from clinic.reports.periods import Period, add_months, month_start
from clinic.reports.selectors.expressions import ZERO, total_units_subquery
from clinic.reports.selectors.rollups import (
    days_of,
    rollup_rows,
    session_summary_rows,
)
from clinic.reports.selectors.scope import (
    Scope,
    performed_in,
    session_q,
    staff_label,
)
from patients.models import DailyRegistrations
from treatments.models import SessionTotals, TreatmentSession
from treatments.selectors.aggregates import further_lots_subquery

# Periods longer than this (about four months) are charted per month, shorter ones per
# week: the one place the choice is made (the dashboard reads "per" and the labels).
WEEKLY_UP_TO_DAYS = 122


def session_summary(scope: Scope) -> dict:
    """The dashboard's session tiles in one statement (rollups.session_summary_rows):
    "figures" (sessions in the period and the previous one; distinct patients active in
    both, new in the period), "over_time" (sessions per week, per month for periods over
    WEEKLY_UP_TO_DAYS; every week or month of the period, 0 where nobody was treated, so
    that the chart does not draw a line across empty months; None for those not begun
    yet; each with its display label, bucket_labels, and whether it is under way),
    "so_far" (the week or month under way: its first day and sessions so far; None when
    the period has none under way), "per" ("week" or "month") and
    "by_practitioner" (sessions in both periods and distinct patients in the period,
    busiest first)."""
    monthly = scope.period.days > WEEKLY_UP_TO_DAYS
    today = timezone.localdate()
    summary = session_summary_rows(scope, TruncMonth if monthly else TruncWeek)
    buckets: dict = dict.fromkeys(_buckets(scope.period, monthly=monthly), 0)
    staff: dict[int, dict] = {}
    for row in summary["rows"]:
        if row["sessions"] is not None:  # a bucket with days in the period
            buckets[row["bucket"]] = buckets.get(row["bucket"], 0) + row["sessions"]
        line = staff.setdefault(
            row["practitioner_id"],
            {
                "practitioner_id": row["practitioner_id"],
                "practitioner": staff_label(row["first"], row["last"], row["username"]),
                "last": row["last"],
                "sessions": 0,
                "sessions_previous": 0,
                "patients": row["patients"],
            },
        )
        line["sessions"] += row["sessions"] or 0
        line["sessions_previous"] += row["sessions_previous"]
    # As ORDER BY sessions DESC, last_name, id gave (code-point order, as on SQLite and
    # the C.UTF-8 databases).
    by_practitioner = sorted(
        staff.values(), key=lambda line: (-line["sessions"], line["last"], line["practitioner_id"])
    )
    for line in by_practitioner:
        del line["last"]
    over_time = [
        {
            "bucket": bucket,
            "label": label + _part_said(bucket, scope.period, today, monthly),
            "sessions": None if bucket > today else buckets[bucket],
            "under_way": _under_way(bucket, today, monthly),
        }
        for bucket, label in bucket_labels(sorted(buckets), monthly=monthly)
    ]
    return {
        "figures": {
            "sessions": sum(line["sessions"] for line in by_practitioner),
            "sessions_previous": sum(line["sessions_previous"] for line in by_practitioner),
            "active": summary["active"],
            "active_previous": summary["active_previous"],
            "new": summary["new"],
        },
        # A week or month that has not begun has no figure (None: no point on the chart,
        # "to come" in its table), not a 0 a manager would read as "nobody treated":
        # "last 3 months" runs to the end of the current month.
        # The week or month under way is labelled so, and marked `under_way`: the chart
        # leaves it off its line and gives it apart ("so_far"), as its few sessions so far
        # read as a fall otherwise (browser review, 07/12/2026: a Monday morning plotted
        # as 0, a steep drop).
        "over_time": over_time,
        "so_far": next(
            (
                {"since": row["bucket"], "sessions": row["sessions"]}
                for row in over_time
                if row["under_way"]
            ),
            None,
        ),
        "per": "month" if monthly else "week",
        "by_practitioner": by_practitioner,
    }


def _part_said(bucket: date, period, today: date, monthly: bool) -> str:
    """What a week or month only partly counted says beside its name: under way ("so
    far"), or cut by the period's first or last day ("from 08/12", "to 15/03"). The last
    12 months begin on a day like 8 December: that month's 9 sessions read as a fall in
    the chart's first point (manager review, 07/12/2026)."""
    if _under_way(bucket, today, monthly):
        return " (so far)"
    last = (add_months(bucket, 1) if monthly else bucket + timedelta(days=7)) - timedelta(days=1)
    cut = [
        f"from {period.start:%d/%m}" if bucket < period.start else "",
        f"to {period.end:%d/%m}" if period.end < last else "",
    ]
    said = " ".join(part for part in cut if part)
    return f" ({said})" if said else ""


def _under_way(bucket: date, today: date, monthly: bool) -> bool:
    ends = add_months(bucket, 1) if monthly else bucket + timedelta(days=7)
    return bucket <= today < ends


def _buckets(period: Period, *, monthly: bool) -> list[date]:
    """The first day of every month (Monday of every week) the period touches."""
    if monthly:
        first, step = month_start(period.start), lambda day: add_months(day, 1)
    else:
        first = period.start - timedelta(days=period.start.weekday())
        step = lambda day: day + timedelta(days=7)  # noqa: E731
    days = []
    while first <= period.end:
        days.append(first)
        first = step(first)
    return days


def bucket_labels(days: list[date], *, monthly: bool) -> list[tuple[date, str]]:
    """Each bucket's first day with what a manager reads: "May 2026" for a month, "w/c 4
    May" for the week commencing that Monday ("w/c 29 Dec 2025" when the weeks run into
    a second year, so that no label is ambiguous)."""
    if monthly:
        return [(day, f"{day:%b %Y}") for day in days]
    with_year = len({day.year for day in days}) > 1
    return [
        (day, f"w/c {day.day} {day:%b %Y}" if with_year else f"w/c {day.day} {day:%b}")
        for day in days
    ]


def compliance_sums(rows: list[dict]) -> dict:
    """Sessions signed late, without consent, without a lot in the period, from
    rollups.period_sums_by_indication_and_product's rows."""
    return {
        key: sum(row[f"n_{key}"] for row in rows)
        for key in ("signed_late", "without_consent", "without_lot")
    }


def registered_patients(period: Period) -> dict:
    """Registrations in the period and the previous one (managers only: not a figure
    that belongs to one practitioner): one sum over the registrations rollup's days
    (patients.models.DailyRegistrations; the periods are whole UK days)."""
    previous = period.compared()
    counts = DailyRegistrations.objects.filter(
        day__gte=previous.start, day__lte=period.end
    ).aggregate(
        current=Sum("patients", filter=Q(day__gte=period.start)),
        previous=Sum("patients", filter=Q(day__lte=previous.end)),
    )
    return {key: value or 0 for key, value in counts.items()}


def session_rows(scope: Scope, *, any_date: bool = False) -> QuerySet:
    """Sessions of the period (signed and drafts; `any_date`: whatever their date),
    pseudonymised: the record number, not the name."""
    qs = TreatmentSession.objects.filter(session_q(scope))
    if not any_date:
        qs = qs.filter(performed_in(scope.period))
    return (
        qs.annotate(
            total_units=total_units_subquery(),
            record_number=F("patient__record_number"),
            practitioner_first=F("practitioner__first_name"),
            practitioner_last=F("practitioner__last_name"),
            practitioner_username=F("practitioner__username"),
            indication_name=F("indication__name"),
            product_brand=F("product__brand"),
            unit_family=F("product__unit_family"),
            lot=F("vial__lot"),
            second_lot=further_lots_subquery(),
        )
        .values(
            "public_id",
            "performed_at",
            "record_number",
            "practitioner_first",
            "practitioner_last",
            "practitioner_username",
            "indication_name",
            "product_brand",
            "unit_family",
            "total_units",
            "lot",
            "second_lot",
            "status",
            "signed_at",
            "consent_taken",
            "is_off_label",
        )
        .order_by("-performed_at", "-id")
    )


ACTIVITY_KEYS = (
    "practitioner_id",
    "practitioner__first_name",
    "practitioner__last_name",
    "practitioner__username",
    "product_id",
    "product__brand",
    "product__unit_family",
)


def practitioner_activity_rows(scope: Scope) -> list[dict]:
    """Per practitioner and product: signed sessions, patients, units (within the
    product's family only), sessions signed late or without consent.

    From the summaries signing writes, not the sessions and their points (at 1M patients
    / 5M sessions a year's join of sessions and points ran past the statement timeout):
    the daily rollup's sums per practitioner and product (a few rows a day), and the
    distinct patients from the per-session totals (_activity_patients)."""
    rows = list(
        rollup_rows(scope)
        .values(*ACTIVITY_KEYS)
        # Named as the report's columns, which are the rollup's own (allowed after values()).
        .annotate(
            sessions=Sum("sessions"),
            units=Coalesce(Sum("units"), ZERO),
            signed_late=Sum("signed_late"),
            without_consent=Sum("without_consent"),
        )
        .order_by(
            "practitioner__last_name",
            "practitioner__first_name",
            "product__brand",
            "practitioner_id",  # ties (two staff of one name) in one order on every page
            "product_id",
        )
    )
    patients = {
        (row["practitioner_id"], row["product_id"]): row["n"] for row in _activity_patients(scope)
    }
    for row in rows:
        row["patients"] = patients.get((row["practitioner_id"], row["product_id"]), 0)
    return rows


def _activity_patients(scope: Scope) -> QuerySet:
    """Distinct patients per practitioner and product in the scope's period: rows of
    practitioner_id, product_id and n. Each patient once: on their first session with that
    practitioner and product in the period, the one whose product_prev_day is before it
    (sessiontotals_activity_idx: an index-only count). With an indication chosen, a
    patient's earlier session of another indication would hide their first of this one:
    then COUNT DISTINCT over the period's rows (of that indication only)."""
    rows = SessionTotals.objects.filter(days_of(scope.period), session_q(scope))
    if scope.indication_id:
        n = Count("patient_id", distinct=True)
    else:
        rows = rows.filter(
            Q(product_prev_day__isnull=True) | Q(product_prev_day__lt=scope.period.start)
        )
        n = Count("*")  # not a column: the index alone answers (an index-only scan)
    return rows.values("practitioner_id", "product_id").annotate(n=n).order_by()
