"""The rebuild of the dashboard's summaries from the raw rows, and its check
(`manage.py rebuild_rollups [--check]`); the writes at signing are treatments.services.rollups.

- `rebuild(progress=...)`: the tables again from the signed sessions, in chunks of
  session ids, under a table lock so that no signing slips between the delete and the
  insert.
- `differences(...)`: the rows the tables hold that the raw rows do not give, and the
  reverse.
"""

# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection

from clinic.db_timeouts import longer_statement_timeout
from patients import rollups as registration_rollup
from treatments.services import panel_rebuild
from treatments.services.rollups import (
    DAILY,
    DAILY_KEY,
    DAILY_SELECT,
    DAILY_SUMS,
    DRAWS,
    EFFECTS,
    POINTS,
    RETURNS,
    SESSIONS,
    TOTALS,
    TOTALS_COLUMNS,
    _bucket_sql,
    _day_of,
    _late,
)

CHUNK = 250_000  # session ids per INSERT of the rebuild


def _expected_totals_sql(low: int | None = None, high: int | None = None) -> tuple[str, list]:
    """SessionTotals as the raw rows give them, for session ids in [low, high)."""
    day_sql, day_params = _day_of("s.performed_at")
    first_sql, first_params = _day_of(
        f"(SELECT MIN(e.performed_at) FROM {SESSIONS} e "
        "WHERE e.patient_id = s.patient_id AND e.status = 'signed')"
    )
    if connection.vendor == "postgresql":
        late_sql, late_params = "s.signed_at > s.performed_at + %s", [_late()]
    else:  # SQLite keeps datetimes as text: compare them as Julian days
        late_sql = "julianday(s.signed_at) - julianday(s.performed_at) > %s"
        late_params = [_late().total_seconds() / 86400]
    where, range_params = "", []
    if low is not None:
        where = "AND s.id >= %s AND s.id < %s"
        range_params = [low, high]
    point_range = "WHERE session_id >= %s AND session_id < %s" if low is not None else ""
    sql = f"""
        SELECT s.id AS session_id, {day_sql} AS day, s.patient_id, s.practitioner_id,
               s.indication_id, s.product_id, COALESCE(p.units, 0) AS units,
               COALESCE(p.volume_ml, 0) AS volume_ml, COALESCE(p.sites, 0) AS sites,
               COALESCE(p.needle_points, 0) AS needle_points, COALESCE(d.vials, 0) AS vials,
               CASE WHEN {late_sql} THEN 1 = 1 ELSE 1 = 0 END AS signed_late,
               s.consent_taken, s.vial_id IS NOT NULL AS has_lot, s.is_off_label,
               COALESCE(x.side_effects, 0) AS side_effects,
               COALESCE(x.serious, 0) AS serious_side_effects,
               {first_sql} AS first_day
        FROM {SESSIONS} s
        LEFT JOIN (SELECT session_id, SUM(units) AS units, SUM(volume_ml) AS volume_ml,
                          COUNT(*) AS sites, SUM(points) AS needle_points
                   FROM {POINTS} {point_range} GROUP BY session_id) p ON p.session_id = s.id
        LEFT JOIN (SELECT session_id, COUNT(*) AS vials FROM {DRAWS} {point_range}
                   GROUP BY session_id) d ON d.session_id = s.id
        LEFT JOIN (SELECT session_id, COUNT(*) AS side_effects,
                          SUM(CASE WHEN is_serious THEN 1 ELSE 0 END) AS serious
                   FROM {EFFECTS} {point_range} GROUP BY session_id) x ON x.session_id = s.id
        WHERE s.status = 'signed' {where}
    """
    params = [
        *day_params, *late_params, *first_params, *range_params, *range_params, *range_params,
        *range_params,
    ]  # fmt: skip
    return sql, params


Progress = Callable[[str], None]


def rebuild(
    *,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    returns: bool = True,
    panels: bool = True,
    registrations: bool = True,
) -> dict:
    """The tables again from the signed sessions (one transaction; PostgreSQL locks them
    against signing meanwhile, readers still see the old rows). `returns=False` leaves
    the previous days and PatientReturnRollup alone (migration 0022 runs before they
    exist); `panels=False` the deferred panels' tables (panel_rebuild; before 0025);
    `registrations=False` the patients' DailyRegistrations (patients.rollups; before
    patients 0017)."""
    say = progress or (lambda message: None)
    started = time.monotonic()
    # One transaction, without the web requests' statement timeout (a chunk of a large
    # clinic takes longer than a page may).
    with longer_statement_timeout(0), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = f"{TOTALS}, {DAILY}" + (f", {RETURNS}" if returns else "")
            if panels:
                tables += ", " + ", ".join(panel_rebuild.PANEL_TABLES)
            if registrations:
                tables += f", {registration_rollup.REGISTRATIONS}"
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        if returns:
            cursor.execute(f"DELETE FROM {RETURNS}")
        cursor.execute(f"DELETE FROM {DAILY}")
        cursor.execute(f"DELETE FROM {TOTALS}")
        cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {SESSIONS} WHERE status = 'signed'")
        low, high, signed = cursor.fetchone()
        done = 0
        if signed:
            for start in range(low, high + 1, chunk):
                sql, params = _expected_totals_sql(start, start + chunk)
                cursor.execute(f"INSERT INTO {TOTALS} ({TOTALS_COLUMNS}) {sql}", params)
                done += cursor.rowcount
                rate = done / max(time.monotonic() - started, 1e-6)
                say(f"  session totals: {done:>10,}/{signed:,} signed sessions ({rate:,.0f}/s)")
        cursor.execute(
            f"INSERT INTO {DAILY} ({DAILY_KEY}, {DAILY_SUMS}) "
            f"{DAILY_SELECT} FROM {TOTALS} GROUP BY {DAILY_KEY}"
        )
        days = cursor.rowcount
        say(f"  daily rollup: {days:,} rows ({time.monotonic() - started:.1f}s in all)")
        return_rows = 0
        if returns and signed:
            return_rows = fill_returns(cursor, say, started)
        made = panel_rebuild.rebuild_panels(cursor, say) if panels else {}
        if registrations:
            made["registration_days"] = registration_rollup.rebuild(cursor)
            say(f"  registrations per day: {made['registration_days']:,} rows")
    return {"sessions": done, "daily_rows": days, "return_rows": return_rows, **made}


def fill_returns(cursor, say: Progress, started: float) -> int:
    """SessionTotals' previous days and PatientReturnRollup from the session totals
    (PatientReturnRollup empty). Returns the rollup's row count."""
    cursor.execute(
        f"""
        UPDATE {TOTALS} SET prev_day = w.prev_day, practitioner_prev_day = w.practitioner_prev_day,
               product_prev_day = w.product_prev_day
        FROM ({PREV_DAYS_SELECT} FROM {TOTALS}) w
        WHERE {TOTALS}.session_id = w.session_id
        """
    )
    say(f"  previous days: {cursor.rowcount:,} rows ({time.monotonic() - started:.1f}s)")
    sql, params = _returns_select(TOTALS)
    cursor.execute(f"INSERT INTO {RETURNS} (day, scope, prev_month, sessions) {sql}", params)
    say(f"  return rollup: {cursor.rowcount:,} rows ({time.monotonic() - started:.1f}s)")
    return cursor.rowcount


# Each row's previous day in the patient's signed sessions (clinic-wide; with the same
# practitioner; with the same practitioner and product), in the order (day, session id).
PREV_DAYS = """
           LAG(day) OVER (PARTITION BY patient_id ORDER BY day, session_id) AS prev_day,
           LAG(day) OVER (PARTITION BY patient_id, practitioner_id ORDER BY day, session_id)
               AS practitioner_prev_day,
           LAG(day) OVER (PARTITION BY patient_id, practitioner_id, product_id
                          ORDER BY day, session_id) AS product_prev_day
"""
PREV_DAYS_SELECT = f"SELECT session_id, {PREV_DAYS}"


def _returns_select(table: str) -> tuple[str, list]:
    """PatientReturnRollup's rows from a table of session totals with previous days."""
    clinic, clinic_params = _bucket_sql("prev_day", "day")
    own, own_params = _bucket_sql("practitioner_prev_day", "day")
    sql = f"""
        SELECT day, 0 AS scope, {clinic} AS prev_month, COUNT(*) AS sessions FROM {table}
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT day, practitioner_id, {own}, COUNT(*) FROM {table} GROUP BY 1, 2, 3
    """
    return sql, [*clinic_params, *own_params]


def differences(*, limit: int = 20, progress: Progress | None = None) -> dict:
    """Compare the tables with what the raw rows give: counts of rows missing or wrong
    each way, and up to `limit` examples of each (session ids; daily keys)."""
    say = progress or (lambda message: None)
    expected_sql, params = _expected_totals_sql()
    totals_cols = (
        "session_id, day, patient_id, practitioner_id, indication_id, product_id, "
        "ROUND(units, 2), ROUND(volume_ml, 3), sites, needle_points, vials, "
        "CASE WHEN signed_late THEN 1 ELSE 0 END, CASE WHEN consent_taken THEN 1 ELSE 0 END, "
        "CASE WHEN has_lot THEN 1 ELSE 0 END, CASE WHEN is_off_label THEN 1 ELSE 0 END, "
        "side_effects, serious_side_effects, first_day, prev_day, practitioner_prev_day, "
        "product_prev_day"
    )
    daily_cols = (
        f"{DAILY_KEY}, sessions, ROUND(units, 2), ROUND(volume_ml, 3), sites, needle_points, "
        "vials, signed_late, without_consent, without_lot, off_label, side_effects, "
        "serious_side_effects"
    )
    found = {}
    with longer_statement_timeout(0), connection.cursor() as cursor:
        say("  computing the totals from the raw rows...")
        cursor.execute(
            "CREATE TEMPORARY TABLE rollup_expected_totals AS "
            f"SELECT e.*, {PREV_DAYS} FROM ({expected_sql}) e",
            params,
        )
        returns_sql, returns_params = _returns_select("rollup_expected_totals")
        cursor.execute(
            f"CREATE TEMPORARY TABLE rollup_expected_returns AS SELECT * FROM ({returns_sql}) r",
            returns_params,
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE rollup_expected_daily AS "
            f"SELECT {DAILY_KEY}, COUNT(*) AS sessions, SUM(units) AS units, "
            "SUM(volume_ml) AS volume_ml, SUM(sites) AS sites, "
            "SUM(needle_points) AS needle_points, SUM(vials) AS vials, "
            "SUM(CASE WHEN signed_late THEN 1 ELSE 0 END) AS signed_late, "
            "SUM(CASE WHEN consent_taken THEN 0 ELSE 1 END) AS without_consent, "
            "SUM(CASE WHEN has_lot THEN 0 ELSE 1 END) AS without_lot, "
            "SUM(CASE WHEN is_off_label THEN 1 ELSE 0 END) AS off_label, "
            "SUM(side_effects) AS side_effects, "
            "SUM(serious_side_effects) AS serious_side_effects "
            f"FROM rollup_expected_totals GROUP BY {DAILY_KEY}"
        )
        pairs = {
            "session totals": ("rollup_expected_totals", TOTALS, totals_cols, "session_id"),
            "daily rollup": ("rollup_expected_daily", DAILY, daily_cols, DAILY_KEY),
            "return rollup": (
                "rollup_expected_returns",
                RETURNS,
                "day, scope, prev_month, sessions",
                "scope, day, prev_month",
            ),
        }
        pairs.update(panel_rebuild.expected_panel_tables(cursor))
        sql, registration_params = registration_rollup.expected_sql()
        cursor.execute(
            f"CREATE TEMPORARY TABLE rollup_expected_registrations AS SELECT * FROM ({sql}) r",
            registration_params,
        )
        pairs["registrations per day"] = (
            "rollup_expected_registrations",
            f"(SELECT * FROM {registration_rollup.REGISTRATIONS} WHERE patients <> 0) r",
            "day, patients",
            "day",
        )
        for name, (expected, stored, cols, key) in pairs.items():
            say(f"  comparing the {name}...")
            for direction, (a, b) in {
                "missing or different": (expected, stored),
                "not in the raw rows": (stored, expected),
            }.items():
                diff = f"SELECT {cols} FROM {a} EXCEPT SELECT {cols} FROM {b}"
                cursor.execute(f"SELECT COUNT(*) FROM ({diff}) z")
                (count,) = cursor.fetchone()
                cursor.execute(f"{diff} ORDER BY {key} LIMIT %s", [limit])
                found[(name, direction)] = (count, cursor.fetchall())
        found[("vials' closing counts", "missing")] = panel_rebuild.vials_without_closing_count(
            cursor, limit
        )
        cursor.execute("DROP TABLE rollup_expected_totals")
        cursor.execute("DROP TABLE rollup_expected_daily")
        cursor.execute("DROP TABLE rollup_expected_returns")
        cursor.execute("DROP TABLE rollup_expected_registrations")
        for table in panel_rebuild.PANEL_TEMPORARY_TABLES:
            cursor.execute(f"DROP TABLE {table}")
    return found
