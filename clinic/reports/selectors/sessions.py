"""Sessions: the dashboard's session figures, registrations, sessions over time and by
practitioner; the sessions and practitioner-activity reports' rows.
"""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from clinic.reports.periods import Period
from clinic.reports.selectors.compliance import chart_completion_delta
from clinic.reports.selectors.expressions import ZERO, total_units_subquery
from clinic.reports.selectors.rollups import (
    days_of,
    patients_subquery,
    practitioner_sessions_and_patients,
    rollup_rows,
)
from clinic.reports.selectors.scope import (
    Scope,
    performed_in,
    session_q,
    signed_sessions,
    staff_label,
)
from patients.models import DailyRegistrations
from treatments.models import TreatmentSession
from treatments.selectors.aggregates import further_lots_subquery


def session_figures(scope: Scope) -> dict:
    """Sessions, active patients and the chart-compliance counts of the period and the
    previous one, in one query: the sums from the daily rollup, the distinct patients
    (and the new ones: first signed session in the period) as scalar subqueries over the
    per-session totals (clinic.reports.selectors.rollups)."""
    current, previous = scope.period, scope.period.previous()
    in_current, in_previous = days_of(current), days_of(previous)
    # (Aggregates named apart from the columns they sum: Django refuses the same name.)
    figures = rollup_rows(scope, Period(previous.start, current.end)).aggregate(
        n_sessions=Coalesce(Sum("sessions", filter=in_current), 0),
        n_sessions_previous=Coalesce(Sum("sessions", filter=in_previous), 0),
        n_signed_late=Coalesce(Sum("signed_late", filter=in_current), 0),
        n_without_consent=Coalesce(Sum("without_consent", filter=in_current), 0),
        n_without_lot=Coalesce(Sum("without_lot", filter=in_current), 0),
        # Uncorrelated: computed once (the Max only carries them out of the aggregate).
        n_active=Max(patients_subquery(scope, current)),
        n_active_previous=Max(patients_subquery(scope, previous)),
        n_new=Max(patients_subquery(scope, current, new_from=current.start)),
    )
    figures = {key.removeprefix("n_"): value or 0 for key, value in figures.items()}
    return figures


def registered_patients(period: Period) -> dict:
    """Registrations in the period and the previous one (managers only: not a figure
    that belongs to one practitioner): one sum over the registrations rollup's days
    (patients.models.DailyRegistrations; the periods are whole UK days)."""
    previous = period.previous()
    counts = DailyRegistrations.objects.filter(
        day__gte=previous.start, day__lte=period.end
    ).aggregate(
        current=Sum("patients", filter=Q(day__gte=period.start)),
        previous=Sum("patients", filter=Q(day__lte=previous.end)),
    )
    return {key: value or 0 for key, value in counts.items()}


def sessions_over_time(scope: Scope) -> list[dict]:
    """Signed sessions per week (per month for periods over four months), from the daily
    rollup."""
    trunc = TruncMonth if scope.period.days > 122 else TruncWeek
    rows = (
        rollup_rows(scope)
        .annotate(bucket=trunc("day"))
        .values("bucket")
        .annotate(total=Sum("sessions"))
        .order_by("bucket")
    )
    return [{"bucket": row["bucket"], "sessions": row["total"]} for row in rows]


def sessions_by_practitioner(scope: Scope) -> list[dict]:
    """Sessions per practitioner in the period and the previous one (daily rollup), and
    the distinct patients each treated in the period (per-session totals)."""
    return [
        {
            "practitioner_id": row["practitioner_id"],
            "practitioner": staff_label(row["first"], row["last"], row["username"]),
            "sessions": row["sessions"],
            "sessions_previous": row["sessions_previous"],
            "patients": row["patients"],
        }
        for row in practitioner_sessions_and_patients(scope)
    ]


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


def practitioner_activity_rows(scope: Scope) -> QuerySet:
    """Per practitioner and product: signed sessions, patients, units (within the
    product's family only), side effects reported, sessions signed late or without
    consent."""
    late = Q(signed_at__gt=F("performed_at") + chart_completion_delta())
    return (
        signed_sessions(scope)
        .values(
            "practitioner_id",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
            "product__brand",
            "product__unit_family",
        )
        .annotate(
            # The join to injection points repeats each session per point: counts are
            # distinct, units are summed per point.
            sessions=Count("id", distinct=True),
            patients=Count("patient_id", distinct=True),
            units=Coalesce(Sum("points__units"), ZERO),
            signed_late=Count("id", distinct=True, filter=late),
            without_consent=Count("id", distinct=True, filter=Q(consent_taken=False)),
        )
        .order_by("practitioner__last_name", "practitioner__first_name", "product__brand")
    )
