"""Reads of the dashboard's summaries (treatments.models.rollups): the daily rollup for
sums over a period, the return rollup (and the per-session totals) for the counts of
distinct patients.

A period is a range of UK days (the summaries keep the day each session was performed
on, as Period.start_at/end_at bound performed_at). Sums come from DailySessionRollup,
a row per practitioner, indication and product each day; signed sessions per
practitioner from PatientReturnRollup's practitioner rows when no indication or product
is chosen (a few per practitioner and day: `practitioner_days`). The dashboard reads
each once per request (`session_summary_rows`, `period_sums_by_indication_and_product`)
and adds its tiles up from those rows.

Distinct patients: a patient active in [a, b] is counted once, on their first session
in it, the one whose previous signed session (clinic-wide, or with the practitioner) is
before a; PatientReturnRollup counts sessions per day by the month of that previous
session, and the month a falls in is finished exactly over the per-session rows
(`patients_subquery`). For an indication or product, or a period over 13 months, they
are counted over SessionTotals through its index on (day, patient, practitioner,
indication, product, first_day): an index-only scan, no look back through each
patient's history ("new to treatment" compares the patient's first signed day, kept on
every row, with the period's start).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Func, IntegerField, Max, Q, Sum
from django.db.models.expressions import RawSQL

from clinic.expressions import CountRows
from clinic.prepared import cursor_date
from clinic.reports.periods import Period, month_start
from clinic.reports.selectors.expressions import ZERO
from clinic.reports.selectors.scope import Scope, session_q
from treatments.models import (
    FIRST_VISIT,
    RETURN_HORIZON_DAYS,
    DailySessionRollup,
    Indication,
    PatientReturnRollup,
    Product,
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


def practitioner_days(scope: Scope, period: Period):
    """Signed sessions of the scope in the period per day and practitioner (`staff`):
    from PatientReturnRollup's practitioner rows (a few per practitioner and day) when no
    indication or product is chosen (each signed session is counted once there, in its
    practitioner's scope), else from the daily rollup (a row for every indication x
    product combination of the day). At 1M patients / 5M sessions a 12-month figure over
    both periods reads ~21,000 rows of the first against ~172,000 of the second."""
    if scope.indication_id or scope.product_id:
        rows = rollup_rows(scope, period).annotate(staff=F("practitioner_id"))
    else:
        rows = PatientReturnRollup.objects.filter(days_of(period)).order_by()
        if scope.practitioner_id:
            rows = rows.filter(scope=scope.practitioner_id)
        else:
            rows = rows.filter(scope__gt=0)
        rows = rows.annotate(staff=F("scope"))
    return rows


def session_summary_rows(scope: Scope, trunc) -> dict:
    """The dashboard's session figures in one statement: signed sessions per practitioner
    and bucket of days (`trunc`: TruncMonth or TruncWeek) in the period and the previous
    one (practitioner_days), with each practitioner's name and distinct patients in the
    period, and the clinic's (or the scope's) distinct patients: active in the period
    and the previous one, new in the period (`patients_subquery`, uncorrelated: computed
    once). Returns {"rows": [...], "active": n, "active_previous": n, "new": n}; the
    callers add the rows up per practitioner, per bucket and per period."""
    current, previous = scope.period, scope.period.compared()
    grouped = (
        practitioner_days(scope, Period(previous.start, current.end))
        # Only the two periods' days: while a period is under way the compared days end
        # before the period starts (Period.compared), and a practitioner who treated
        # only in between would be listed with 0 and 0.
        .filter(days_of(previous) | days_of(current))
        .values("staff", bucket=trunc("day"))
        .annotate(
            # (Named apart from the column they sum: Django refuses the same name.)
            n_sessions=Sum("sessions", filter=days_of(current)),
            n_previous=Sum("sessions", filter=days_of(previous)),
            n_active=Max(patients_subquery(scope, current)),
            n_active_previous=Max(patients_subquery(scope, previous)),
            n_new=Max(patients_subquery(scope, current, new_from=current.start)),
        )
        .order_by()
    )
    grouped_sql, grouped_params = grouped.query.sql_with_params()
    patients_sql, patients_params = _practitioner_patients_sql(scope)
    user_table = get_user_model()._meta.db_table
    sql = f"""
        SELECT r.staff, u.first_name, u.last_name, u.username, r.bucket, r.n_sessions,
               r.n_previous, r.n_active, r.n_active_previous, r.n_new, p.patients
        FROM ({grouped_sql}) r
        JOIN {user_table} u ON u.id = r.staff
        LEFT JOIN ({patients_sql}) p ON p.practitioner_id = r.staff
    """  # noqa: S608 - table names are the models' own, every value a parameter
    summary = {"rows": [], "active": 0, "active_previous": 0, "new": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*grouped_params, *patients_params])
        for (
            pk,
            first,
            last,
            username,
            bucket,
            sessions,
            sessions_previous,
            *rest,
        ) in cursor.fetchall():
            active, active_previous, new, patients = (int(n or 0) for n in rest)
            summary.update(active=active, active_previous=active_previous, new=new)
            summary["rows"].append(
                {
                    "practitioner_id": pk,
                    "first": first,
                    "last": last,
                    "username": username,
                    "bucket": cursor_date(bucket),
                    "sessions": None if sessions is None else int(sessions),
                    "sessions_previous": int(sessions_previous or 0),
                    "patients": patients,
                }
            )
    return summary


PERIOD_SUMS = (
    "total_sessions",
    "total_units",
    "reported",
    "serious",
    "n_signed_late",
    "n_without_consent",
    "n_without_lot",
)


def period_sums_by_indication_and_product(scope: Scope) -> list[dict]:
    """The daily rollup's sums of the scope's period per indication and product (one
    statement; a few dozen rows, labelled): sessions, units, the side effects and the
    chart-compliance counts. The dashboard adds them up per product (units), per
    indication and per product (side effects per 100) and over the period (compliance).
    Grouped by the ids before the labels are joined (at 1M patients / 5M sessions ~30%
    faster than joining ~90,000 rows to them first)."""
    period = scope.period
    where, params = _scope_sql(scope, period.start, period.end)
    indications, products = Indication._meta.db_table, Product._meta.db_table
    sql = f"""
        SELECT g.indication_id, g.product_id, i.name, p.brand, p.unit_family,
               {", ".join(f"g.{name}" for name in PERIOD_SUMS)}
        FROM (SELECT indication_id, product_id, SUM(sessions) AS total_sessions,
                     SUM(units) AS total_units, SUM(side_effects) AS reported,
                     SUM(serious_side_effects) AS serious, SUM(signed_late) AS n_signed_late,
                     SUM(without_consent) AS n_without_consent,
                     SUM(without_lot) AS n_without_lot
              FROM {DailySessionRollup._meta.db_table} WHERE {where}
              GROUP BY indication_id, product_id) g
        JOIN {indications} i ON i.id = g.indication_id
        JOIN {products} p ON p.id = g.product_id
    """  # noqa: S608 - table names are the models' own, every value a parameter
    # The backend's own conversion of a sum of units (SQLite: a float to a Decimal).
    converters = connection.ops.get_db_converters(ZERO)
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for indication_id, product_id, name, brand, family, *sums in cursor.fetchall():
            row = {
                "indication_id": indication_id,
                "product_id": product_id,
                "indication_name": name,
                "product_brand": brand,
                "unit_family": family,
            }
            for key, value in zip(PERIOD_SUMS, sums, strict=True):
                row[key] = int(value or 0)
            units = ZERO.value if sums[1] is None else sums[1]
            for convert in converters:
                units = convert(units, ZERO, connection)
            row["total_units"] = units
            rows.append(row)
    return rows


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
