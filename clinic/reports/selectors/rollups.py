"""Reads of the dashboard's summaries (treatments.models.rollups): the daily rollup for
sums over a period, the return rollup (and the per-session totals) for the counts of
distinct patients.

A period is a range of UK days (the summaries keep the day each session was performed
on, as Period.start_at/end_at bound performed_at). Sums come from DailySessionRollup,
a few rows per day. Distinct patients: a patient active in [a, b] is counted once, on
their first session in it, the one whose previous signed session (clinic-wide, or with
the practitioner) is before a; PatientReturnRollup counts sessions per day by the month
of that previous session, and the month a falls in is finished exactly over the
per-session rows (`patients_subquery`). For an indication or product, or a period over
13 months, they are counted over SessionTotals through its index on (day, patient, practitioner,
indication, product, first_day): an index-only scan, no look back through each
patient's history ("new to treatment" compares the patient's first signed day, kept on
every row, with the period's start).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Func, IntegerField, Q, Subquery
from django.db.models.expressions import RawSQL

from clinic.reports.periods import Period, month_start
from clinic.reports.selectors.scope import Scope, session_q
from treatments.models import (
    FIRST_VISIT,
    RETURN_HORIZON_DAYS,
    DailySessionRollup,
    PatientReturnRollup,
    SessionTotals,
)

RETURNS = PatientReturnRollup._meta.db_table
TOTALS = SessionTotals._meta.db_table


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


def counts_from_returns(scope: Scope, period: Period) -> bool:
    """Whether PatientReturnRollup answers distinct patients of this scope and period:
    the clinic or one practitioner (no indication or product chosen), and a period whose
    start's month begins at most RETURN_HORIZON_DAYS before its end (13 months at most)."""
    return (
        not scope.indication_id
        and not scope.product_id
        and (period.end - month_start(period.start)).days <= RETURN_HORIZON_DAYS
    )


def patients_subquery(scope: Scope, period: Period, *, new_from: date | None = None):
    """Distinct patients with a signed session of the scope in the period, as a scalar
    subquery; `new_from`: only those whose first signed session is on or after that day.

    From PatientReturnRollup when it can (counts_from_returns): a patient is active in
    [a, b] once, on their first session in it, the one whose previous session (in the
    scope) is before a; new to the clinic when there is none. Otherwise COUNT DISTINCT
    over the per-session totals."""
    day = connection.ops.adapt_datefield_value
    if counts_from_returns(scope, period):
        key = scope.practitioner_id or 0
        a, b = day(period.start), day(period.end)
        if new_from is None:
            column = "practitioner_prev_day" if key else "prev_day"
            own = "AND practitioner_id = %s" if key else ""
            return RawSQL(  # noqa: S611 - constant SQL, every value a parameter
                f"""
                (SELECT COALESCE(SUM(sessions), 0) FROM {RETURNS}
                 WHERE scope = %s AND day >= %s AND day <= %s AND prev_month < %s)
                + (SELECT COUNT(*) FROM {TOTALS}
                   WHERE {column} >= %s AND {column} < %s AND day >= %s AND day <= %s {own})
                """,  # noqa: S608 - the models' own tables; every value a parameter
                [
                    key, a, b, day(month_start(period.start)),
                    day(month_start(period.start)), a, a, b, *([key] if key else []),
                ],
                output_field=IntegerField(),
            )  # fmt: skip
        if new_from == period.start and not key:
            return RawSQL(  # noqa: S611 - constant SQL, every value a parameter
                f"""
                (SELECT COALESCE(SUM(sessions), 0) FROM {RETURNS}
                 WHERE scope = 0 AND day >= %s AND day <= %s AND prev_month = %s)
                """,  # noqa: S608 - the model's own table; every value a parameter
                [a, b, day(FIRST_VISIT)],
                output_field=IntegerField(),
            )
    return CountRows(_totals(scope, period, new_from).values("patient_id").distinct())


def _practitioner_patients_sql(scope: Scope) -> tuple[str, list]:
    """Distinct patients per practitioner in the scope's period: (practitioner_id,
    patients) rows, from PatientReturnRollup when it can, else COUNT DISTINCT."""
    current = scope.period
    day = connection.ops.adapt_datefield_value
    if not counts_from_returns(scope, current):
        where, params = _scope_sql(scope, current.start, current.end)
        return (
            f"""SELECT practitioner_id, COUNT(DISTINCT patient_id) AS patients
                FROM {TOTALS} WHERE {where} GROUP BY practitioner_id""",  # noqa: S608
            params,
        )
    a, b, first = day(current.start), day(current.end), day(month_start(current.start))
    one = scope.practitioner_id
    sql = f"""
        SELECT practitioner_id, SUM(n) AS patients FROM (
            SELECT scope AS practitioner_id, SUM(sessions) AS n FROM {RETURNS}
            WHERE scope {"= %s" if one else "<> 0"} AND day >= %s AND day <= %s
              AND prev_month < %s
            GROUP BY scope
            UNION ALL
            SELECT practitioner_id, COUNT(*) FROM {TOTALS}
            WHERE practitioner_prev_day >= %s AND practitioner_prev_day < %s
              AND day >= %s AND day <= %s {"AND practitioner_id = %s" if one else ""}
            GROUP BY practitioner_id
        ) x GROUP BY practitioner_id
    """  # noqa: S608 - the models' own tables; every value a parameter
    params = [*([one] if one else []), a, b, first, first, a, a, b, *([one] if one else [])]
    return sql, params


def practitioner_sessions_and_patients(scope: Scope) -> list[dict]:
    """Per practitioner: sessions in the period and the previous one (daily rollup) and
    distinct patients in the period (per-session totals, grouped once: a correlated count
    per rollup row would run once per row). One statement."""
    current, previous = scope.period, scope.period.previous()
    user_table = get_user_model()._meta.db_table
    rollup_where, rollup_params = _scope_sql(scope, previous.start, current.end)
    patients_sql, patients_params = _practitioner_patients_sql(scope)
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
        LEFT JOIN ({patients_sql}) p ON p.practitioner_id = r.practitioner_id
        ORDER BY r.sessions DESC, u.last_name, r.practitioner_id
    """  # noqa: S608 - table names are the models' own, every value a parameter
    params = [day(current.start), day(previous.end), *rollup_params, *patients_params]
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
