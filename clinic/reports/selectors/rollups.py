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

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Func, IntegerField, Q, Subquery

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


def practitioner_sessions_and_patients(scope: Scope) -> list[dict]:
    """Per practitioner: sessions in the period and the previous one (daily rollup) and
    distinct patients in the period (per-session totals, grouped once: a correlated count
    per rollup row would run once per row). One statement."""
    current, previous = scope.period, scope.period.previous()
    user_table = get_user_model()._meta.db_table
    rollup_where, rollup_params = _scope_sql(scope, previous.start, current.end)
    totals_where, totals_params = _scope_sql(scope, current.start, current.end)
    day = connection.ops.adapt_datefield_value
    sql = f"""
        SELECT r.practitioner_id, u.first_name, u.last_name, u.username, r.sessions,
               r.sessions_previous, COALESCE(p.patients, 0)
        FROM (SELECT practitioner_id,
                     SUM(CASE WHEN day >= %s THEN sessions ELSE 0 END) AS sessions,
                     SUM(CASE WHEN day <= %s THEN sessions ELSE 0 END) AS sessions_previous
              FROM {DailySessionRollup._meta.db_table} WHERE {rollup_where}
              GROUP BY practitioner_id) r
        JOIN {user_table} u ON u.id = r.practitioner_id
        LEFT JOIN (SELECT practitioner_id, COUNT(DISTINCT patient_id) AS patients
                   FROM {SessionTotals._meta.db_table} WHERE {totals_where}
                   GROUP BY practitioner_id) p ON p.practitioner_id = r.practitioner_id
        ORDER BY r.sessions DESC, u.last_name, r.practitioner_id
    """  # noqa: S608 - table names are the models' own, every value a parameter
    params = [day(current.start), day(previous.end), *rollup_params, *totals_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "practitioner_id": pk,
                "first": first,
                "last": last,
                "username": username,
                "sessions": int(sessions or 0),
                "sessions_previous": int(sessions_previous or 0),
                "patients": int(patients or 0),
            }
            for pk, first, last, username, sessions, sessions_previous, patients in (
                cursor.fetchall()
            )
        ]


def _scope_sql(scope: Scope, start: date, end: date) -> tuple[str, list]:
    """The WHERE of a scope over a rollup table (day range, practitioner, indication,
    product), with its parameters."""
    day = connection.ops.adapt_datefield_value
    where, params = ["day >= %s", "day <= %s"], [day(start), day(end)]
    for column in ("practitioner_id", "indication_id", "product_id"):
        value = getattr(scope, column)
        if value:
            where.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(where), params
