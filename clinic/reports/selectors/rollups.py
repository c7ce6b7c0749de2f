"""Reads of the dashboard's summaries (treatments.models.rollups): the daily rollup for
sums over a period, the per-session totals for the counts of distinct patients.

A period is a range of UK days (the summaries keep the day each session was performed
on, as Period.start_at/end_at bound performed_at). Sums come from DailySessionRollup,
a few rows per day. Distinct patients cannot be summed from daily rows, so they are
counted over SessionTotals through its index on (day, patient, practitioner,
indication, product, first_day): an index-only scan, no look back through each
patient's history ("new to treatment" compares the patient's first signed day, kept on
every row, with the period's start).
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery

from clinic.reports.periods import Period
from clinic.reports.selectors.scope import Scope, session_q
from treatments.models import DailySessionRollup, SessionTotals


def days_of(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}day__gte": period.start, f"{prefix}day__lte": period.end})


def rollup_rows(scope: Scope, period: Period | None = None):
    """Daily rollup rows of the scope in the period (default: the scope's period)."""
    return DailySessionRollup.objects.filter(
        days_of(period or scope.period), session_q(scope)
    ).order_by()


class CountDistinctPatients(Func):
    """COUNT(DISTINCT patient_id) as a plain expression (not an aggregate to Django), so
    a subquery can return it without a GROUP BY."""

    template = "COUNT(DISTINCT %(expressions)s)"
    output_field = IntegerField()

    def __init__(self):
        super().__init__(F("patient_id"))


class CountRows(Subquery):
    """The number of rows a query returns, as a scalar subquery: over SELECT DISTINCT
    patient_id it lets PostgreSQL hash the patients rather than sort them, as
    COUNT(DISTINCT) does."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _totals(scope: Scope, period: Period, new_from: date | None, **match):
    qs = SessionTotals.objects.filter(days_of(period), session_q(scope), **match)
    if new_from is not None:
        qs = qs.filter(first_day__gte=new_from)
    return qs.order_by()


def patients_subquery(scope: Scope, period: Period, *, new_from: date | None = None):
    """Distinct patients with a signed session of the scope in the period, as a scalar
    subquery; `new_from`: only those whose first signed session is on or after that day."""
    return CountRows(_totals(scope, period, new_from).values("patient_id").distinct())


def practitioner_patients_subquery(scope: Scope, period: Period):
    """Distinct patients per practitioner, correlated on the outer practitioner_id (served
    by sessiontotals_practitioner_idx)."""
    qs = _totals(scope, period, None, practitioner_id=OuterRef("practitioner_id"))
    return Subquery(
        qs.annotate(patients=CountDistinctPatients()).values("patients")[:1],
        output_field=IntegerField(),
    )
