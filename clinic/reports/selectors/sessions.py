"""Sessions: the dashboard's session figures, registrations, sessions over time and by
practitioner; the sessions and practitioner-activity reports' rows.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from clinic.reports.periods import Period
from clinic.reports.selectors.compliance import chart_completion_delta
from clinic.reports.selectors.expressions import ZERO, total_units_subquery
from clinic.reports.selectors.scope import (
    Scope,
    performed_in,
    session_q,
    signed_sessions,
    staff_label,
)
from patients.models import Patient
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession
from treatments.selectors.aggregates import further_lots_subquery


def session_figures(scope: Scope) -> dict:
    """Sessions, active patients and the chart-compliance counts of the period and the
    previous one: one query over both periods (conditional aggregation). New patients
    (first signed session ever) for this period only: each needs a look back through the
    patient's history, the costliest count of the page."""
    current, previous = scope.period, scope.period.previous()
    both = Period(previous.start, current.end)
    in_current, in_previous = performed_in(current), performed_in(previous)

    def first_treatment_before(moment):
        # The patient had no signed session before the period began: new to treatment.
        return ~Exists(
            TreatmentSession.objects.filter(
                patient_id=OuterRef("patient_id"),
                status=SessionStatus.SIGNED,
                performed_at__lt=moment,
            )
        )

    late = Q(signed_at__gt=F("performed_at") + chart_completion_delta())
    return TreatmentSession.objects.filter(
        performed_in(both), session_q(scope), status=SessionStatus.SIGNED
    ).aggregate(
        sessions=Count("id", filter=in_current),
        sessions_previous=Count("id", filter=in_previous),
        active=Count("patient_id", distinct=True, filter=in_current),
        active_previous=Count("patient_id", distinct=True, filter=in_previous),
        new=Count(
            "patient_id",
            distinct=True,
            filter=in_current & first_treatment_before(current.start_at),
        ),
        signed_late=Count("id", filter=in_current & late),
        without_consent=Count("id", filter=in_current & Q(consent_taken=False)),
        without_lot=Count("id", filter=in_current & Q(vial__isnull=True)),
    )


def registered_patients(period: Period) -> dict:
    """Registrations in the period and the previous one (managers only: not a figure
    that belongs to one practitioner)."""
    previous = period.previous()
    return Patient.objects.filter(
        created_at__gte=previous.start_at, created_at__lt=period.end_at
    ).aggregate(
        current=Count("id", filter=Q(created_at__gte=period.start_at)),
        previous=Count("id", filter=Q(created_at__lt=previous.end_at)),
    )


def sessions_over_time(scope: Scope) -> list[dict]:
    """Signed sessions per week (per month for periods over four months)."""
    trunc = TruncMonth if scope.period.days > 122 else TruncWeek
    rows = (
        signed_sessions(scope)
        .annotate(bucket=trunc("performed_at"))
        .values("bucket")
        .annotate(sessions=Count("id"))
        .order_by("bucket")
    )
    # Buckets come back as aware datetimes at UK midnight: shown as dates.
    return [
        {"bucket": timezone.localdate(row["bucket"]), "sessions": row["sessions"]} for row in rows
    ]


def sessions_by_practitioner(scope: Scope) -> list[dict]:
    current, previous = scope.period, scope.period.previous()
    rows = (
        TreatmentSession.objects.filter(
            performed_in(Period(previous.start, current.end)),
            session_q(scope),
            status=SessionStatus.SIGNED,
        )
        .values("practitioner_id")
        .annotate(
            first=Min("practitioner__first_name"),
            last=Min("practitioner__last_name"),
            username=Min("practitioner__username"),
            sessions=Count("id", filter=performed_in(current)),
            sessions_previous=Count("id", filter=performed_in(previous)),
            patients=Count("patient_id", distinct=True, filter=performed_in(current)),
        )
        .order_by("-sessions", "last", "practitioner_id")
    )
    return [
        {
            "practitioner_id": row["practitioner_id"],
            "practitioner": staff_label(row["first"], row["last"], row["username"]),
            "sessions": row["sessions"],
            "sessions_previous": row["sessions_previous"],
            "patients": row["patients"],
        }
        for row in rows
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
