"""Re-treatment and recall: minimum intervals from reference data, patients eligible
between two dates with no session since, the dashboard's counts and the recall list.
"""

from __future__ import annotations

import operator
from datetime import date, timedelta
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.diary.choices import AppointmentKind, AppointmentStatus
from clinic.diary.models import Appointment
from clinic.reports.periods import local_midnight
from clinic.reports.selectors.scope import Scope, session_q
from patients.choices import PatientStatus
from treatments.choices import SessionStatus
from treatments.models import (
    DailyCourseRollup,
    DoseGuideline,
    Indication,
    LatestCourse,
    TreatmentSession,
)

# Recall windows (operational, not clinical): "due" = eligible for re-treatment within
# the next RECALL_LOOKAHEAD_DAYS; "overdue" = eligible for up to RECALL_LAPSE_DAYS
# already and not treated since. Patients eligible for longer are treated as lapsed and
# drop off the dashboard (the recall report can still be widened by its dates).
RECALL_LOOKAHEAD_DAYS = 14


RECALL_LAPSE_DAYS = 30


def retreatment_intervals() -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Minimum intervals: per (product, indication) from the dose guidelines, and each
    indication's default (DOMAIN §3.2), read from reference data (two small queries)."""
    guided = {
        (row["product_id"], row["indication_id"]): row["min_interval_days"]
        for row in DoseGuideline.objects.filter(min_interval_days__isnull=False).values(
            "product_id", "indication_id", "min_interval_days"
        )
    }
    defaults = dict(Indication.objects.values_list("id", "min_interval_days"))
    return guided, defaults


def eligible_between(intervals: tuple[dict, dict], eligible_from: date, eligible_to: date):
    """A condition on sessions: next eligible date (session date + the minimum interval
    for its product and indication) between the two dates, inclusive. The per-product
    intervals become date ranges on performed_at, plus one envelope range the index can
    serve. Returns (condition, envelope); (None, None) without reference data."""

    def performed(longest: int, shortest: int) -> Q:
        return Q(
            performed_at__gte=local_midnight(eligible_from - timedelta(days=longest)),
            performed_at__lt=local_midnight(eligible_to - timedelta(days=shortest - 1)),
        )

    return _eligible(intervals, performed)


def eligible_days_between(intervals: tuple[dict, dict], eligible_from: date, eligible_to: date):
    """eligible_between over a LatestCourse's `day` (the session's UK day) instead of its
    performed_at: (condition, envelope), or (None, None) without reference data."""

    def on_day(longest: int, shortest: int) -> Q:
        return Q(
            day__gte=eligible_from - timedelta(days=longest),
            day__lte=eligible_to - timedelta(days=shortest),
        )

    return _eligible(intervals, on_day)


def _eligible(intervals: tuple[dict, dict], span):
    """The per-(product, indication) windows and their envelope, where span(longest,
    shortest) is the date range of sessions eligible between the two dates for intervals
    from `shortest` to `longest` days (one interval: span(days, days))."""
    guided, defaults = intervals
    conditions, spans = [], []

    def window(days: int) -> Q:
        spans.append(days)
        return span(days, days)

    guided_by_indication: dict[int, list[int]] = {}
    for (product_id, indication_id), days in sorted(guided.items()):
        guided_by_indication.setdefault(indication_id, []).append(product_id)
        conditions.append(Q(indication_id=indication_id, product_id=product_id) & window(days))
    for indication_id, days in sorted(defaults.items()):
        condition = Q(indication_id=indication_id) & window(days)
        if indication_id in guided_by_indication:
            condition &= ~Q(product_id__in=guided_by_indication[indication_id])
        conditions.append(condition)
    if not conditions:
        return None, None
    return reduce(operator.or_, conditions), span(max(spans), min(spans))


def retreatment_due(
    scope: Scope,
    *,
    eligible_from: date,
    eligible_to: date,
    intervals: tuple[dict, dict] | None = None,
    from_sessions: bool = False,
) -> QuerySet[TreatmentSession]:
    """Each active patient's latest signed session of an indication whose next eligible
    date falls between the two dates, with no signed session of that indication since:
    the recall list. One query: the sessions LatestCourse names (written at signing), or
    with `from_sessions` the same worked out from the sessions (an anti-join: "none
    since"; the benchmark's and the tests' raw read)."""
    intervals = intervals or retreatment_intervals()
    if not from_sessions:
        condition, envelope = eligible_days_between(intervals, eligible_from, eligible_to)
        if condition is None:
            return TreatmentSession.objects.none()
        latest = (
            LatestCourse.objects.filter(envelope, condition, patient_active=True)
            .filter(session_q(scope))
            .values("session_id")
        )
        return TreatmentSession.objects.filter(id__in=latest)
    condition, envelope = eligible_between(intervals, eligible_from, eligible_to)
    if condition is None:
        return TreatmentSession.objects.none()
    # Later in the order (performed_at, id): two sessions at the same minute are one
    # course's latest once, as LatestCourse keeps it.
    later = TreatmentSession.objects.filter(
        Q(performed_at__gt=OuterRef("performed_at"))
        | Q(performed_at=OuterRef("performed_at"), id__gt=OuterRef("id")),
        patient_id=OuterRef("patient_id"),
        indication_id=OuterRef("indication_id"),
        status=SessionStatus.SIGNED,
    )
    return (
        TreatmentSession.objects.filter(envelope, condition, status=SessionStatus.SIGNED)
        .filter(session_q(scope), patient__status=PatientStatus.ACTIVE)
        .exclude(Exists(later))
    )


def retreatment_counts(scope: Scope, today: date | None = None) -> dict:
    """Patients overdue for re-treatment (eligible for up to RECALL_LAPSE_DAYS) and due
    soon (eligible within RECALL_LOOKAHEAD_DAYS): one query summing DailyCourseRollup,
    active patients' latest courses per day, indication, product and practitioner (moved
    at signing and archiving; so bounded by days x scopes, not patients). The recall
    list gives the same courses one by one (LatestCourse)."""
    today = today or timezone.localdate()
    intervals = retreatment_intervals()
    overdue_from = today - timedelta(days=RECALL_LAPSE_DAYS)
    due_to = today + timedelta(days=RECALL_LOOKAHEAD_DAYS)
    condition, envelope = eligible_days_between(intervals, overdue_from, due_to)
    overdue, _ = eligible_days_between(intervals, overdue_from, today - timedelta(days=1))
    if condition is None:
        counts = {"total": 0, "overdue": 0}
    else:
        counts = (
            DailyCourseRollup.objects.filter(envelope, condition)
            .filter(session_q(scope))
            .order_by()
            .aggregate(
                total=Coalesce(Sum("courses"), 0),
                overdue=(
                    Coalesce(Sum("courses", filter=overdue), 0) if overdue is not None else Value(0)
                ),
            )
        )
    counts["due_soon"] = counts["total"] - counts["overdue"]
    counts.update({"overdue_from": overdue_from, "today": today, "due_to": due_to})
    return counts


def recall_rows(
    scope: Scope, *, eligible_from: date, eligible_to: date, intervals=None
) -> QuerySet:
    """The recall list: patients due for re-treatment with the contact details they
    agreed to be contacted on (DOMAIN §6.4, §7.3: managers may see demographics for
    operations). The phone is given only with SMS consent, the email only with email
    consent.

    Read from LatestCourse (each active patient's latest signed course per indication,
    written at signing) with the windows on its performed_at: the page, sorted by
    performed_at, walks latestcourse_active_time_idx from the window's start and stops
    once it is full, instead of finding every due course first.

    `booked_at`: the start of the patient's next appointment for the indication still to
    come (today's too, arrived or not), or None: a patient already booked is not recalled
    (reception review 07/12/2026: those booked that very day came ticked for a message
    asking them to book)."""
    intervals = intervals or retreatment_intervals()
    condition, envelope = eligible_between(intervals, eligible_from, eligible_to)
    if condition is None:
        return LatestCourse.objects.none().values()
    return (
        LatestCourse.objects.filter(envelope, condition, patient_active=True)
        .filter(session_q(scope))
        .annotate(booked_at=Subquery(next_booking_for_course()))
        .values(
            "performed_at",
            "product_id",
            "indication_id",
            "patient__public_id",
            "patient__record_number",
            "patient__title",
            "patient__given_names",
            "patient__family_name",
            "patient__phone",
            "patient__email",
            "patient__consent_marketing_sms",
            "patient__consent_marketing_email",
            "indication__name",
            "product__brand",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
            "booked_at",
        )
        .order_by("performed_at", "patient__record_number")
    )


def next_booking_for_course() -> QuerySet:
    """The start of the next open treatment visit, from today on, of the outer row's
    patient for its indication (a subquery over patient_id and indication_id). A review
    of the indication books no treatment: the patient is still recalled."""
    return (
        Appointment.objects.filter(
            patient_id=OuterRef("patient_id"),
            indication_id=OuterRef("indication_id"),
            appointment_type__kind__in=AppointmentKind.treatments(),
            status__in=AppointmentStatus.open(),
            starts_at__gte=local_midnight(timezone.localdate()),
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
