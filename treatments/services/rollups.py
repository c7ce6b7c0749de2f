"""Writes of the dashboard's summaries (treatments.models.rollups): one call in the signing
transaction.

- `record_signed_session(session)`: called by session_sign once the session row is
  signed, in the same transaction: an INSERT ... SELECT of the session's totals (its
  points and draws summed by the database), returning the patient's previous signed
  days; an INSERT ... ON CONFLICT DO UPDATE of its day's rollup row; one INSERT ... ON
  CONFLICT of its two PatientReturnRollup rows (clinic; practitioner); and the
  re-treatment panel's latest course and its days (panel_rollups). On PostgreSQL these
  are data-modifying WITH items of one statement (issue 14.3: fewer statements for
  signing); SQLite has no such WITH, and runs them one after another. Rare statements
  for a late entry (a session earlier in the record than some the patient already has
  signed): their rows learn the earlier first day, and the next session (clinic-wide;
  with the practitioner; with the practitioner and product) gets this one's day as its
  previous day, its return rollup row moving bucket (`_relink_next`).
- The rebuild from the raw rows and its check (`manage.py rebuild_rollups [--check]`)
  are in treatments.services.rollup_rebuild.

The SQL is written once for PostgreSQL and SQLite: the UK day comes from the backend's
own date cast (`connection.ops.datetime_cast_date_sql`), and both know ON CONFLICT.
"""

# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinic.prepared import cursor_date
from treatments.models import (
    CHART_COMPLETION_HOURS,
    FIRST_VISIT,
    LONG_AGO,
    RETURN_HORIZON_DAYS,
    DailySessionRollup,
    InjectionPoint,
    PatientReturnRollup,
    SessionTotals,
    SideEffect,
    TreatmentSession,
    VialDraw,
)
from treatments.services import panel_rollups

TOTALS = SessionTotals._meta.db_table
DAILY = DailySessionRollup._meta.db_table
SESSIONS = TreatmentSession._meta.db_table
POINTS = InjectionPoint._meta.db_table
DRAWS = VialDraw._meta.db_table
EFFECTS = SideEffect._meta.db_table
RETURNS = PatientReturnRollup._meta.db_table

TOTALS_COLUMNS = (
    "session_id, day, patient_id, practitioner_id, indication_id, product_id, units, "
    "volume_ml, sites, needle_points, vials, signed_late, consent_taken, has_lot, "
    "is_off_label, side_effects, serious_side_effects, first_day"
)
DAILY_KEY = "day, practitioner_id, indication_id, product_id"
DAILY_SUMS = (
    "sessions, units, volume_ml, sites, needle_points, vials, signed_late, without_consent, "
    "without_lot, off_label, side_effects, serious_side_effects"
)
# One daily row's sums from SessionTotals rows (or from one row, at signing).
DAILY_SELECT = f"""
    SELECT {DAILY_KEY}, COUNT(*), SUM(units), SUM(volume_ml), SUM(sites),
           SUM(needle_points), SUM(vials),
           SUM(CASE WHEN signed_late THEN 1 ELSE 0 END),
           SUM(CASE WHEN consent_taken THEN 0 ELSE 1 END),
           SUM(CASE WHEN has_lot THEN 0 ELSE 1 END),
           SUM(CASE WHEN is_off_label THEN 1 ELSE 0 END),
           SUM(side_effects), SUM(serious_side_effects)
"""

# Adding one session's sums to an existing row (the signing's writes).
DAILY_UPSERT = f"ON CONFLICT ({DAILY_KEY}) DO UPDATE SET " + ", ".join(
    f"{c} = {DAILY}.{c} + excluded.{c}" for c in DAILY_SUMS.split(", ")
)
RETURNS_UPSERT = (
    "ON CONFLICT (scope, day, prev_month) DO UPDATE SET "
    f"sessions = {RETURNS}.sessions + excluded.sessions"
)


def _late() -> timedelta:
    return timedelta(hours=CHART_COMPLETION_HOURS)


def _day_of(column: str) -> tuple[str, tuple]:
    """SQL for the UK (settings.TIME_ZONE) day of an aware datetime column."""
    return connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)


def _date_param(day):
    return connection.ops.adapt_datefield_value(day)


def record_signed_session(session: TreatmentSession) -> None:
    """Add a session just signed (in the caller's transaction) to the summaries: on
    PostgreSQL in one statement (`_record_in_one_statement`), on SQLite in up to five."""
    local_day = timezone.localdate(session.performed_at)
    day = _date_param(local_day)
    late = session.signed_at - session.performed_at > _late()
    # The patient's sessions before / after this one in the order (day, session id).
    before = "(t.day < %s OR (t.day = %s AND t.session_id < %s))"
    after = "(t.day > %s OR (t.day = %s AND t.session_id > %s))"
    totals = f"""
        INSERT INTO {TOTALS} ({TOTALS_COLUMNS}, prev_day, practitioner_prev_day,
                              product_prev_day)
        SELECT %s, %s, %s, %s, %s, %s, COALESCE(SUM(p.units), 0),
               COALESCE(SUM(p.volume_ml), 0), COUNT(p.id), COALESCE(SUM(p.points), 0),
               (SELECT COUNT(*) FROM {DRAWS} d WHERE d.session_id = %s), %s, %s, %s, %s,
               (SELECT COUNT(*) FROM {EFFECTS} e WHERE e.session_id = %s),
               (SELECT COUNT(*) FROM {EFFECTS} e WHERE e.session_id = %s AND e.is_serious),
               COALESCE((SELECT MIN(t.day) FROM {TOTALS} t
                         WHERE t.patient_id = %s AND t.day < %s), %s),
               (SELECT MAX(t.day) FROM {TOTALS} t WHERE t.patient_id = %s AND {before}),
               (SELECT MAX(t.day) FROM {TOTALS} t
                WHERE t.patient_id = %s AND t.practitioner_id = %s AND {before}),
               (SELECT MAX(t.day) FROM {TOTALS} t
                WHERE t.patient_id = %s AND t.practitioner_id = %s AND t.product_id = %s
                  AND {before})
        FROM {POINTS} p WHERE p.session_id = %s
        RETURNING *,
                  (SELECT COUNT(*) FROM {TOTALS} t
                   WHERE t.patient_id = %s AND t.first_day > %s) AS later_first,
                  (SELECT COUNT(*) FROM {TOTALS} t WHERE t.patient_id = %s AND {after}) AS later
        """
    params = [
        session.pk, day, session.patient_id, session.practitioner_id,
        session.indication_id, session.product_id, session.pk, late,
        session.consent_taken, session.vial_id is not None, session.is_off_label,
        session.pk, session.pk, session.patient_id, day, day,
        session.patient_id, day, day, session.pk,
        session.patient_id, session.practitioner_id, day, day, session.pk,
        session.patient_id, session.practitioner_id, session.product_id, day, day, session.pk,
        session.pk, session.patient_id, day, session.patient_id, day, day, session.pk,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            later_first, later = _record_in_one_statement(cursor, session, totals, params)
        else:
            later_first, later = _record_one_at_a_time(cursor, session, totals, params)
        if later_first:
            # A late entry earlier than the patient's other signed sessions.
            cursor.execute(
                f"UPDATE {TOTALS} SET first_day = %s WHERE patient_id = %s AND first_day > %s",
                [day, session.patient_id, day],
            )
        if later:
            # A late entry before some of the patient's signed sessions: the next one
            # (clinic-wide; with this practitioner; with this practitioner and product)
            # now returns after this one.
            _relink_next(cursor, session, local_day, "prev_day", scope=0)
            _relink_next(
                cursor, session, local_day, "practitioner_prev_day",
                same=("practitioner_id",), scope=session.practitioner_id,
            )  # fmt: skip
            _relink_next(
                cursor, session, local_day, "product_prev_day",
                same=("practitioner_id", "product_id"),
            )  # fmt: skip


def _record_in_one_statement(cursor, session, totals: str, params: list) -> tuple[int, int]:
    """PostgreSQL: the session's totals, its day's rollup row, its two return rollup rows
    (clinic; practitioner) and the re-treatment panel's latest course and its days, as
    data-modifying WITH items of one statement. Each later item reads what the totals'
    INSERT returns (they all see the snapshot the statement started with, not each
    other's rows). Returns (later_first, later) for the rare late-entry statements.

    PostgreSQL runs WITH items in an order of its own, so each item waits for the whole
    of the one before it (a count of what it returned): the rows are locked in the order
    the separate statements locked them (totals, day, returns, latest course, course
    days), the same in every signing, and the late-entry statements after them take the
    locks they took before after the day's row (a signing that held a return row while
    waiting for a day row would otherwise deadlock with them)."""
    clinic_bucket, clinic_params = _bucket_sql("prev_day", "day")
    own_bucket, own_params = _bucket_sql("practitioner_prev_day", "day")
    courses, course_params = panel_rollups.course_ctes(session, after="return_rollup")
    cursor.execute(
        f"""
        WITH session_totals AS ({totals}),
        day_rollup AS (
            INSERT INTO {DAILY} ({DAILY_KEY}, {DAILY_SUMS})
            {DAILY_SELECT} FROM session_totals GROUP BY {DAILY_KEY} {DAILY_UPSERT}
            RETURNING day
        ),
        return_rollup AS (
            INSERT INTO {RETURNS} (day, scope, prev_month, sessions)
            SELECT day, 0, {clinic_bucket}, 1 FROM session_totals
            WHERE (SELECT COUNT(*) FROM day_rollup) > 0
            UNION ALL
            SELECT day, practitioner_id, {own_bucket}, 1 FROM session_totals
            WHERE (SELECT COUNT(*) FROM day_rollup) > 0
            {RETURNS_UPSERT}
            RETURNING day
        ),
        {courses}
        SELECT later_first, later FROM session_totals
        """,
        [*params, *clinic_params, *own_params, *course_params],
    )
    return cursor.fetchone()


def _record_one_at_a_time(cursor, session, totals: str, params: list) -> tuple[int, int]:
    """SQLite (no data-modifying WITH): the totals' INSERT, then the day's rollup row from
    the totals row, the two return rollup rows from the previous days it returned, and
    the latest course (panel_rollups.record_course). Returns (later_first, later)."""
    cursor.execute(totals, params)
    row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    cursor.execute(
        f"""
        INSERT INTO {DAILY} ({DAILY_KEY}, {DAILY_SUMS})
        {DAILY_SELECT} FROM {TOTALS} WHERE session_id = %s GROUP BY {DAILY_KEY}
        {DAILY_UPSERT}
        """,
        [session.pk],
    )
    local_day = timezone.localdate(session.performed_at)
    clinic_month = return_bucket(cursor_date(row["prev_day"]), local_day)
    own_month = return_bucket(cursor_date(row["practitioner_prev_day"]), local_day)
    _add_returns(
        cursor,
        [(local_day, 0, clinic_month, 1), (local_day, session.practitioner_id, own_month, 1)],
    )
    panel_rollups.record_course(session)
    return row["later_first"], row["later"]


def return_bucket(prev_day: date | None, day: date) -> date:
    """PatientReturnRollup.prev_month of a session on `day` whose previous one in the same
    scope was on `prev_day` (as _bucket_sql)."""
    if prev_day is None:
        return FIRST_VISIT
    if (day - prev_day).days > RETURN_HORIZON_DAYS:
        return LONG_AGO
    return prev_day.replace(day=1)


def _bucket_sql(prev: str, day: str) -> tuple[str, list]:
    """return_bucket in SQL over two date columns."""
    if connection.vendor == "postgresql":
        old = f"{prev} < {day} - {RETURN_HORIZON_DAYS}"
        month = f"CAST(date_trunc('month', {prev}) AS date)"
    else:
        old = f"{prev} < date({day}, '-{RETURN_HORIZON_DAYS} days')"
        month = f"date({prev}, 'start of month')"
    sql = f"CASE WHEN {prev} IS NULL THEN %s WHEN {old} THEN %s ELSE {month} END"
    return sql, [_date_param(FIRST_VISIT), _date_param(LONG_AGO)]


def _add_returns(cursor, rows) -> None:
    """Add (day, scope, prev_month, sessions) to PatientReturnRollup."""
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [
        p for d, scope, month, n in rows for p in (_date_param(d), scope, _date_param(month), n)
    ]
    cursor.execute(
        f"INSERT INTO {RETURNS} (day, scope, prev_month, sessions) VALUES {values} "
        + RETURNS_UPSERT,
        params,
    )


def _relink_next(
    cursor, session, day: date, column: str, *, same: tuple[str, ...] = (), scope=None
) -> None:
    """The patient's next signed session after `session` with the same `same` columns
    (practitioner_id; practitioner_id and product_id) now has `day` as its previous day in
    `column`: its row moves, and with a `scope` its PatientReturnRollup bucket too."""
    match = "".join(f" AND {name} = %s" for name in same)
    cursor.execute(
        f"""
        SELECT session_id, day, {column} FROM {TOTALS}
        WHERE patient_id = %s {match} AND session_id <> %s
          AND (day > %s OR (day = %s AND session_id > %s))
        ORDER BY day, session_id LIMIT 1
        """,
        [
            session.patient_id, *(getattr(session, name) for name in same), session.pk,
            _date_param(day), _date_param(day), session.pk,
        ],
    )  # fmt: skip
    found = cursor.fetchone()
    if found is None:
        return
    next_id, next_day, old_prev = found[0], cursor_date(found[1]), cursor_date(found[2])
    cursor.execute(
        f"UPDATE {TOTALS} SET {column} = %s WHERE session_id = %s", [_date_param(day), next_id]
    )
    if scope is None:
        return
    old, new = return_bucket(old_prev, next_day), return_bucket(day, next_day)
    if old != new:
        _add_returns(cursor, [(next_day, scope, new, 1)])
        key = [scope, _date_param(next_day), _date_param(old)]
        cursor.execute(
            f"UPDATE {RETURNS} SET sessions = sessions - 1 "
            "WHERE scope = %s AND day = %s AND prev_month = %s",
            key,
        )
        cursor.execute(
            f"DELETE FROM {RETURNS} WHERE scope = %s AND day = %s AND prev_month = %s "
            "AND sessions = 0",
            key,
        )


def record_side_effects(session_ids) -> None:
    """Recount the side effects of these sessions (a report made, or moved from one
    session to another) in their totals and their days' rollup rows: two UPDATEs, in the
    caller's transaction. Drafts have no totals yet: signing counts theirs."""
    ids = sorted({pk for pk in session_ids if pk is not None})
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    same_key = " AND ".join(f"t.{c} = {DAILY}.{c}" for c in DAILY_KEY.split(", "))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {TOTALS} SET
                side_effects = (SELECT COUNT(*) FROM {EFFECTS} e
                                WHERE e.session_id = {TOTALS}.session_id),
                serious_side_effects = (SELECT COUNT(*) FROM {EFFECTS} e
                                        WHERE e.session_id = {TOTALS}.session_id
                                        AND e.is_serious)
            WHERE session_id IN ({marks})
            """,
            ids,
        )
        if not cursor.rowcount:
            return
        cursor.execute(
            f"""
            UPDATE {DAILY} SET
                side_effects = (SELECT SUM(t.side_effects) FROM {TOTALS} t WHERE {same_key}),
                serious_side_effects = (SELECT SUM(t.serious_side_effects) FROM {TOTALS} t
                                        WHERE {same_key})
            WHERE EXISTS (SELECT 1 FROM {TOTALS} t WHERE t.session_id IN ({marks})
                          AND {same_key})
            """,
            ids,
        )
