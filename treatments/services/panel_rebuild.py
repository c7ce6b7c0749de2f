"""The set-based rebuild and check of the deferred panels' summaries (issue 14.5;
written at each change by treatments.services.panel_rollups): called by
treatments.services.rollup_rebuild.rebuild / differences, so by `manage.py rebuild_rollups
[--check]`. The migrations that first filled the tables hold their own SQL (0025, 0026):
this names the tables and columns as they are now."""

# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter

from __future__ import annotations

from django.conf import settings
from django.db import connection

from patients.choices import PatientStatus
from treatments.services.panel_rollups import (
    ASSESSMENTS,
    COURSE_KEY,
    COURSES,
    INSTRUMENTS,
    LATEST,
    LATEST_COLUMNS,
    OUTCOME_KEY,
    OUTCOME_SUMS,
    OUTCOMES,
    PATIENTS,
    SCORE_COLUMNS,
    SCORES,
    SESSIONS,
    VIALS,
    WASTE,
    next_bucket_sql,
    responder_thresholds,
)
from treatments.services.rollups import DRAWS


def _uk_day(column: str) -> tuple[str, tuple]:
    return connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)


def _expected_latest_sql() -> tuple[str, list]:
    day_sql, day_params = _uk_day("s.performed_at")
    sql = f"""
        SELECT s.patient_id, s.indication_id, s.id AS session_id, s.performed_at,
               {day_sql} AS day, s.practitioner_id, s.product_id,
               (SELECT p.status = %s FROM {PATIENTS} p WHERE p.id = s.patient_id)
                   AS patient_active
        FROM (SELECT id, patient_id, indication_id, performed_at, practitioner_id, product_id,
                     ROW_NUMBER() OVER (PARTITION BY patient_id, indication_id
                                        ORDER BY performed_at DESC, id DESC) AS rank
              FROM {SESSIONS} WHERE status = 'signed') s
        WHERE s.rank = 1
    """
    return sql, [*day_params, PatientStatus.ACTIVE]


def courses_sql(table: str) -> str:
    """DailyCourseRollup's rows from a table of latest courses."""
    return (
        f"SELECT {COURSE_KEY}, COUNT(*) AS courses FROM {table} "
        f"WHERE patient_active GROUP BY {COURSE_KEY}"
    )


# A vial's draws as they stand: its closing count where it has none (a vial the previous
# release discarded after 0036, which wrote none).
DRAWS_NOW = f"(SELECT SUM(d.units) FROM {DRAWS} d WHERE d.vial_id = {VIALS}.id)"


def _expected_waste_sql() -> tuple[str, list]:
    """DailyWasteRollup's rows from the discarded vials: the units drawn as each was
    closed, or its draws now where no closing count was kept (rebuild_panels stores those
    first)."""
    day_sql, day_params = _uk_day("discarded_at")
    sql = f"""
        SELECT {day_sql} AS day, product_id, lot, COUNT(*) AS vials,
               SUM(presentation_units) AS presentation, SUM(wasted_units) AS wasted,
               COALESCE(SUM(COALESCE(drawn_at_discard, {DRAWS_NOW}, 0)), 0) AS drawn,
               MIN(expiry) AS expiry
        FROM {VIALS} WHERE discarded_at IS NOT NULL GROUP BY 1, 2, 3
    """
    return sql, list(day_params)


def vials_without_closing_count(cursor, limit: int) -> tuple[int, list]:
    """Discarded vials with no closing count (for `rebuild_rollups --check`: their days
    may be right, 0 drawn by a vial with no draws, but the vials' own records are not)."""
    where = "WHERE discarded_at IS NOT NULL AND drawn_at_discard IS NULL"
    cursor.execute(f"SELECT COUNT(*) FROM {VIALS} {where}")
    (count,) = cursor.fetchone()
    cursor.execute(f"SELECT id, discarded_at FROM {VIALS} {where} ORDER BY id LIMIT %s", [limit])
    return count, cursor.fetchall()


def fill_closing_counts(cursor) -> int:
    """Discarded vials without a closing count (the previous release discarded them after
    0036) get their draws as they stand. Returns how many."""
    cursor.execute(
        f"UPDATE {VIALS} SET drawn_at_discard = COALESCE({DRAWS_NOW}, 0) "
        "WHERE discarded_at IS NOT NULL AND drawn_at_discard IS NULL"
    )
    return cursor.rowcount


def _expected_scores_sql(thresholds) -> tuple[str, list]:
    same = (
        "b.patient_id = a.patient_id AND b.indication_id = a.indication_id "
        "AND b.instrument_id = a.instrument_id"
    )
    improvement = "(x.baseline - x.value) * 100.0 / x.baseline"
    good, partial = (float(t) for t in thresholds)
    sql = f"""
        SELECT x.id AS assessment_id, x.patient_id, x.indication_id, x.instrument_id,
               x.assessed_on AS day, x.next_day, x.value, x.baseline,
               CASE WHEN x.baseline <> 0 THEN ROUND({improvement}, 6) END AS improvement,
               CASE WHEN x.baseline IS NULL OR x.baseline = 0 THEN NULL
                    WHEN {improvement} >= %s THEN 2 WHEN {improvement} >= %s THEN 1 ELSE 0
               END AS band
        FROM (
            SELECT a.id, a.patient_id, a.indication_id, a.instrument_id, a.assessed_on,
                   a.value,
                   LEAD(a.assessed_on) OVER (
                       PARTITION BY a.patient_id, a.indication_id, a.instrument_id
                       ORDER BY a.assessed_on, a.id) AS next_day,
                   COALESCE(
                       (SELECT b.value FROM {ASSESSMENTS} b WHERE {same} AND b.is_baseline
                        AND b.assessed_on <= a.assessed_on
                        ORDER BY b.assessed_on DESC, b.id DESC LIMIT 1),
                       (SELECT b.value FROM {ASSESSMENTS} b WHERE {same}
                        ORDER BY b.assessed_on, b.id LIMIT 1)) AS baseline
            FROM {ASSESSMENTS} a JOIN {INSTRUMENTS} i ON i.id = a.instrument_id
            WHERE NOT a.is_baseline AND NOT i.per_muscle
        ) x
    """
    return sql, [good, partial]


def _outcome_rollup_sql(table: str, thresholds) -> tuple[str, list]:
    bucket, bucket_params = next_bucket_sql("next_day", "day")
    sql = f"""
        SELECT day, indication_id, instrument_id, {bucket} AS next_month, COUNT(*) AS series,
               SUM(baseline) AS baseline_sum, SUM(value) AS value_sum,
               SUM(improvement) AS improvement_sum,
               SUM(CASE WHEN band = 2 THEN 1 ELSE 0 END) AS good,
               SUM(CASE WHEN band = 1 THEN 1 ELSE 0 END) AS partial,
               CAST(%s AS NUMERIC) AS good_percent, CAST(%s AS NUMERIC) AS partial_percent
        FROM {table} WHERE band IS NOT NULL GROUP BY 1, 2, 3, 4
    """
    return sql, [*bucket_params, str(thresholds[0]), str(thresholds[1])]


def rebuild_panels(cursor, say) -> dict:
    """The five tables again from the raw rows, set-based (the caller's transaction and
    table lock). Migrations that filled them hold their own SQL (0025): this names the
    tables and columns as they are now."""
    thresholds = responder_thresholds()
    made = {}
    for table in (LATEST, COURSES, WASTE, OUTCOMES, SCORES):
        cursor.execute(f"DELETE FROM {table}")
    sql, params = _expected_latest_sql()
    cursor.execute(
        f"INSERT INTO {LATEST} ({LATEST_COLUMNS}) SELECT {LATEST_COLUMNS} FROM ({sql}) e", params
    )
    made["latest_courses"] = cursor.rowcount
    say(f"  latest courses: {cursor.rowcount:,} rows")
    cursor.execute(f"INSERT INTO {COURSES} ({COURSE_KEY}, courses) {courses_sql(LATEST)}")
    made["course_days"] = cursor.rowcount
    say(f"  courses per day: {cursor.rowcount:,} rows")
    made["closing_counts_filled"] = fill_closing_counts(cursor)
    if made["closing_counts_filled"]:
        say(f"  closing counts filled: {made['closing_counts_filled']:,} vials")
    sql, params = _expected_waste_sql()
    cursor.execute(
        f"INSERT INTO {WASTE} (day, product_id, lot, vials, presentation, wasted, drawn, "
        f"expiry) {sql}",
        params,
    )
    made["waste_rows"] = cursor.rowcount
    say(f"  wastage rollup: {cursor.rowcount:,} rows")
    sql, params = _expected_scores_sql(thresholds)
    cursor.execute(f"INSERT INTO {SCORES} ({SCORE_COLUMNS}) {sql}", params)
    say(f"  outcome scores: {cursor.rowcount:,} rows")
    sql, params = _outcome_rollup_sql(SCORES, thresholds)
    cursor.execute(
        f"INSERT INTO {OUTCOMES} ({OUTCOME_KEY}, {OUTCOME_SUMS}, good_percent, "
        "partial_percent, mixed) "
        f"SELECT {OUTCOME_KEY}, {OUTCOME_SUMS}, good_percent, partial_percent, FALSE "
        f"FROM ({sql}) r",
        params,
    )
    made["outcome_rows"] = cursor.rowcount
    say(f"  outcome rollup: {cursor.rowcount:,} rows")
    return made


def expected_panel_tables(cursor) -> dict:
    """Temporary tables of what the raw rows give, and what to compare (for
    rollup_rebuild.differences): {name: (expected table, stored table, columns, order)}."""
    thresholds = responder_thresholds()
    made = {
        "rollup_expected_latest": _expected_latest_sql(),
        "rollup_expected_waste": _expected_waste_sql(),
        "rollup_expected_scores": _expected_scores_sql(thresholds),
    }
    for name, (sql, params) in made.items():
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM ({sql}) e", params)
    sql, params = _outcome_rollup_sql("rollup_expected_scores", thresholds)
    cursor.execute(
        f"CREATE TEMPORARY TABLE rollup_expected_outcomes AS SELECT * FROM ({sql}) e", params
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE rollup_expected_courses AS "
        f"SELECT * FROM ({courses_sql('rollup_expected_latest')}) e"
    )
    boolean = "CASE WHEN patient_active THEN 1 ELSE 0 END"
    return {
        "latest courses": (
            "rollup_expected_latest", LATEST,
            f"patient_id, indication_id, session_id, performed_at, day, practitioner_id, "
            f"product_id, {boolean}",
            "patient_id, indication_id",
        ),
        # A day a course moved out of keeps its row with 0: compared without those.
        "courses per day": (
            "rollup_expected_courses", f"(SELECT * FROM {COURSES} WHERE courses <> 0) c",
            f"{COURSE_KEY}, courses", COURSE_KEY,
        ),
        "wastage rollup": (
            "rollup_expected_waste", WASTE,
            "day, product_id, lot, vials, presentation, ROUND(wasted, 2), ROUND(drawn, 2), expiry",
            "day, product_id, lot",
        ),
        "outcome scores": (
            "rollup_expected_scores", SCORES,
            "assessment_id, patient_id, indication_id, instrument_id, day, next_day, "
            "ROUND(value, 2), ROUND(baseline, 2), ROUND(improvement, 4), band",
            "assessment_id",
        ),
        "outcome rollup": (
            "rollup_expected_outcomes", OUTCOMES,
            f"{OUTCOME_KEY}, series, ROUND(baseline_sum, 2), ROUND(value_sum, 2), "
            "ROUND(improvement_sum, 3), good, partial, ROUND(good_percent, 2), "
            "ROUND(partial_percent, 2)",
            OUTCOME_KEY,
        ),
    }  # fmt: skip


PANEL_TABLES = (LATEST, COURSES, WASTE, SCORES, OUTCOMES)
PANEL_TEMPORARY_TABLES = (
    "rollup_expected_latest",
    "rollup_expected_courses",
    "rollup_expected_waste",
    "rollup_expected_scores",
    "rollup_expected_outcomes",
)
