"""Writes of the summaries behind the dashboard's deferred panels (issue 14.5;
treatments.models.rollups: LatestCourse, DailyCourseRollup, DailyWasteRollup,
OutcomeScoreTotals, OutcomeRollup), in the transaction of the rows they summarise, and
their set-based rebuild and check in treatments.services.panel_rebuild.

- `record_course(session)`: a signed session becomes its patient's latest of its
  indication unless a later one is signed already (a late entry changes nothing): one
  INSERT ... ON CONFLICT DO UPDATE ... WHERE later, returning the course as it was;
  then DailyCourseRollup (active courses per day, indication, product, practitioner)
  moves the course from its old day to its new one: one INSERT ... ON CONFLICT.
- `record_patient_status(patient)`: archiving / restoring a patient (post_save of the
  status, connected in TreatmentsConfig.ready: patients sits below treatments) moves the
  patient's courses in or out of the re-treatment counts and their days. One UPDATE ...
  RETURNING and one INSERT ... ON CONFLICT.
- `record_discarded_vial(vial)`: vial_discard adds the vial to its day, product and
  lot. One INSERT ... ON CONFLICT.
- `record_outcome_series(assessment)`: outcome_record recomputes the score's series
  (patient, indication, instrument: a handful of rows) in Python, as the selectors
  define baseline and "latest", and moves only the rows that changed between the
  per-score table and the rollup (a late score or baseline changes the others' baseline
  or next day).

PostgreSQL and SQLite: the UK day from the backend's date cast, ON CONFLICT and
RETURNING on both.
"""

# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from clinic.prepared import cursor_date
from patients.choices import PatientStatus
from patients.models import Patient
from treatments.models import (
    NEXT_LONG_AFTER,
    NO_NEXT_SCORE,
    RETURN_HORIZON_DAYS,
    DailyCourseRollup,
    DailyWasteRollup,
    LatestCourse,
    OutcomeAssessment,
    OutcomeInstrument,
    OutcomeRollup,
    OutcomeScoreTotals,
    SafetyParameter,
    TreatmentSession,
    Vial,
)
from treatments.selectors.outcomes import RESPONDER_GOOD, RESPONDER_PARTIAL

LATEST = LatestCourse._meta.db_table
COURSES = DailyCourseRollup._meta.db_table
WASTE = DailyWasteRollup._meta.db_table
SCORES = OutcomeScoreTotals._meta.db_table
OUTCOMES = OutcomeRollup._meta.db_table
ASSESSMENTS = OutcomeAssessment._meta.db_table
INSTRUMENTS = OutcomeInstrument._meta.db_table
SESSIONS = TreatmentSession._meta.db_table
PATIENTS = Patient._meta.db_table
VIALS = Vial._meta.db_table

LATEST_COLUMNS = (
    "patient_id, indication_id, session_id, performed_at, day, practitioner_id, product_id, "
    "patient_active"
)
WAS_COLUMNS = "was_day, was_product_id, was_practitioner_id, was_active"
SCORE_COLUMNS = (
    "assessment_id, patient_id, indication_id, instrument_id, day, next_day, value, baseline, "
    "improvement, band"
)
COURSE_KEY = "day, indication_id, product_id, practitioner_id"
OUTCOME_KEY = "day, indication_id, instrument_id, next_month"
OUTCOME_SUMS = "series, baseline_sum, value_sum, improvement_sum, good, partial"
SIX_PLACES = Decimal("0.000001")
COURSES_UPSERT = (
    f"ON CONFLICT ({COURSE_KEY}) DO UPDATE SET courses = {COURSES}.courses + excluded.courses"
)


def _d(value):
    return connection.ops.adapt_datefield_value(value)


def _latest_upsert(session: TreatmentSession, after: str = "") -> tuple[str, list, date]:
    """LatestCourse's INSERT ... ON CONFLICT DO UPDATE ... WHERE later for a signed session,
    keeping the course as it was in the was_* columns and returning them (the row's lock
    makes a concurrent signing of the same course see this one's result); and its day.
    `after`: a WITH item of the caller's statement that must have run in full first."""
    when = connection.ops.adapt_datetimefield_value(session.performed_at)
    newer = (
        f"excluded.performed_at > {LATEST}.performed_at OR (excluded.performed_at = "
        f"{LATEST}.performed_at AND excluded.session_id > {LATEST}.session_id)"
    )
    day = timezone.localdate(session.performed_at)
    waits = f"AND (SELECT COUNT(*) FROM {after}) > 0" if after else ""
    sql = f"""
        INSERT INTO {LATEST} ({LATEST_COLUMNS}, {WAS_COLUMNS})
        SELECT %s, %s, %s, %s, %s, %s, %s, p.status = %s, NULL, NULL, NULL, NULL
        FROM {PATIENTS} p WHERE p.id = %s {waits}
        ON CONFLICT (patient_id, indication_id) DO UPDATE SET
            was_day = {LATEST}.day, was_product_id = {LATEST}.product_id,
            was_practitioner_id = {LATEST}.practitioner_id,
            was_active = {LATEST}.patient_active,
            session_id = excluded.session_id, performed_at = excluded.performed_at,
            day = excluded.day, practitioner_id = excluded.practitioner_id,
            product_id = excluded.product_id, patient_active = excluded.patient_active
        WHERE {newer}
        RETURNING patient_active, was_day, was_product_id, was_practitioner_id, was_active
        """
    params = [
        session.patient_id, session.indication_id, session.pk, when, _d(day),
        session.practitioner_id, session.product_id, PatientStatus.ACTIVE,
        session.patient_id,
    ]  # fmt: skip
    return sql, params, day


def record_course(session: TreatmentSession) -> None:
    """The signed session is now its patient's latest of its indication, unless a later
    one (performed_at, id) is signed already (a late entry changes nothing); the course
    moves between the days of DailyCourseRollup. Two statements: the upsert
    (`_latest_upsert`) and the rollup's (the old day out, the new one in). On PostgreSQL
    signing writes both within one statement instead (`course_ctes`)."""
    sql, params, day = _latest_upsert(session)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moved = cursor.fetchone()
        if moved is None:
            return  # a later session is the course's latest already
        active, was_day, was_product, was_practitioner, was_active = moved
        moves = []
        if was_day is not None and was_active:
            old = (cursor_date(was_day), session.indication_id, was_product, was_practitioner)
            moves.append((old, -1))
        if active:
            new = (day, session.indication_id, session.product_id, session.practitioner_id)
            moves.append((new, 1))
        _move_courses(cursor, moves)


def course_ctes(session: TreatmentSession, after: str = "") -> tuple[str, list]:
    """record_course as two data-modifying WITH items of the caller's PostgreSQL statement
    (`latest_course`, `course_days`): the same upsert, and the same moves of
    DailyCourseRollup computed from what it returns (nothing when a later session is the
    latest; the old day out when that course counted; the new day in when the patient is
    active; a move to the same key adds up to nothing and is left out), in key order.
    `after`: the WITH item the upsert waits for (its rows locked first)."""
    sql, params, day = _latest_upsert(session, after)
    moves = """
        SELECT was_day AS day, was_product_id AS product_id,
               was_practitioner_id AS practitioner_id, -1 AS n
        FROM latest_course WHERE was_day IS NOT NULL AND was_active
        UNION ALL
        SELECT CAST(%s AS date), CAST(%s AS bigint), CAST(%s AS bigint), 1
        FROM latest_course WHERE patient_active
        """
    courses = f"""
        INSERT INTO {COURSES} ({COURSE_KEY}, courses)
        SELECT day, CAST(%s AS bigint), product_id, practitioner_id, SUM(n)
        FROM ({moves}) moves
        GROUP BY day, product_id, practitioner_id HAVING SUM(n) <> 0
        ORDER BY day, product_id, practitioner_id
        {COURSES_UPSERT}
        """
    return (
        f"latest_course AS ({sql}), course_days AS ({courses})",
        [
            *params,
            session.indication_id,
            _d(day),
            session.product_id,
            session.practitioner_id,
        ],
    )


def _move_courses(cursor, moves) -> None:
    """Add each ((day, indication, product, practitioner), n) to DailyCourseRollup, in
    one statement (the keys in one order, so two writers lock shared rows alike)."""
    sums: dict[tuple, int] = {}
    for key, n in moves:
        sums[key] = sums.get(key, 0) + n
    rows = sorted((key, n) for key, n in sums.items() if n)
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [p for (day, *dims), n in rows for p in (_d(day), *dims, n)]
    cursor.execute(
        f"INSERT INTO {COURSES} ({COURSE_KEY}, courses) VALUES {values} {COURSES_UPSERT}",
        params,
    )


def record_patient_status(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save of a Patient whose status was saved (patient_archive, patient_restore):
    their courses leave or rejoin the re-treatment counts and their days. Two
    statements when the status changed: the UPDATE returns the courses it moved (as
    they are once any signing of the patient's it waited for has committed)."""
    if update_fields is None or "status" not in update_fields:
        return
    active = instance.status == PatientStatus.ACTIVE
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LATEST} SET patient_active = %s "
            "WHERE patient_id = %s AND patient_active = %s "
            "RETURNING day, indication_id, product_id, practitioner_id",
            [active, instance.pk, not active],
        )
        moved = cursor.fetchall()
        _move_courses(
            cursor, [((cursor_date(d), *dims), 1 if active else -1) for d, *dims in moved]
        )


def record_discarded_vial(vial: Vial) -> None:
    """A vial just discarded (in vial_discard's transaction) counts in its day's wastage."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {WASTE} (day, product_id, lot, vials, presentation, wasted, drawn, expiry)
            VALUES (%s, %s, %s, 1, %s, %s, %s, %s)
            ON CONFLICT (day, product_id, lot) DO UPDATE SET
                vials = {WASTE}.vials + 1,
                presentation = {WASTE}.presentation + excluded.presentation,
                wasted = {WASTE}.wasted + excluded.wasted,
                drawn = {WASTE}.drawn + excluded.drawn,
                expiry = CASE WHEN {WASTE}.expiry IS NULL OR excluded.expiry < {WASTE}.expiry
                              THEN excluded.expiry ELSE {WASTE}.expiry END
            """,
            [
                _d(timezone.localdate(vial.discarded_at)), vial.product_id, vial.lot,
                vial.presentation_units, str(vial.wasted_units),
                str(vial.drawn_at_discard or 0), _d(vial.expiry),
            ],
        )  # fmt: skip


# Outcome series -----------------------------------------------------------------------


def responder_thresholds() -> tuple[Decimal, Decimal]:
    """(good, partial) percent from SafetyParameter; (0, 0) when missing (the panel then
    shows nothing, and the rollup is read only under the thresholds it was built with)."""
    values = dict(
        SafetyParameter.objects.filter(key__in=[RESPONDER_GOOD, RESPONDER_PARTIAL]).values_list(
            "key", "value"
        )
    )
    return values.get(RESPONDER_GOOD, Decimal(0)), values.get(RESPONDER_PARTIAL, Decimal(0))


def next_bucket(next_day: date | None, day: date) -> date:
    """OutcomeRollup.next_month of a score on `day` whose series' next one is on
    `next_day` (as next_bucket_sql)."""
    if next_day is None:
        return NO_NEXT_SCORE
    if (next_day - day).days > RETURN_HORIZON_DAYS:
        return NEXT_LONG_AFTER
    return next_day.replace(day=1)


def next_bucket_sql(next_col: str, day: str) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        far = f"{next_col} > {day} + {RETURN_HORIZON_DAYS}"
        month = f"CAST(date_trunc('month', {next_col}) AS date)"
    else:
        far = f"{next_col} > date({day}, '+{RETURN_HORIZON_DAYS} days')"
        month = f"date({next_col}, 'start of month')"
    sql = f"CASE WHEN {next_col} IS NULL THEN %s WHEN {far} THEN %s ELSE {month} END"
    return sql, [_d(NO_NEXT_SCORE), _d(NEXT_LONG_AFTER)]


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def series_rows(scores, thresholds) -> dict[int, tuple]:
    """The per-score rows of one series from its scores [(id, value, assessed_on,
    is_baseline)] in the order (assessed_on, id): {id: (day, next_day, value, baseline,
    improvement, band)} for the follow-up scores (as clinic.reports.selectors.outcomes.
    latest_scores defines them)."""
    good, partial = thresholds
    first = scores[0][1] if scores else None
    follow = [s for s in scores if not s[3]]
    rows = {}
    for n, (pk, value, on, _) in enumerate(follow):
        marked = [s for s in scores if s[3] and s[2] <= on]
        baseline = max(marked, key=lambda s: (s[2], s[0]))[1] if marked else first
        next_day = follow[n + 1][2] if n + 1 < len(follow) else None
        improvement = band = None
        if baseline:
            exact = (baseline - value) * 100 / baseline
            improvement = exact.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
            band = 2 if exact >= good else 1 if exact >= partial else 0
        rows[pk] = (on, next_day, value, baseline, improvement, band)
    return rows


def record_outcome_series(assessment: OutcomeAssessment) -> None:
    """Recompute the series of a score just recorded (in outcome_record's transaction):
    the per-score rows that changed are replaced and the rollup moved by the
    difference. A few statements; none for a per-muscle instrument."""
    instrument = OutcomeInstrument.objects.only("per_muscle").get(pk=assessment.instrument_id)
    if instrument.per_muscle:
        return
    key = [assessment.patient_id, assessment.indication_id, assessment.instrument_id]
    series = "patient_id = %s AND indication_id = %s AND instrument_id = %s"
    thresholds = responder_thresholds()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, value, assessed_on, is_baseline FROM {ASSESSMENTS} WHERE {series} "
            "ORDER BY assessed_on, id",
            key,
        )
        scores = [(pk, _dec(v), cursor_date(on), bool(b)) for pk, v, on, b in cursor.fetchall()]
        new = series_rows(scores, thresholds)
        cursor.execute(
            f"SELECT assessment_id, day, next_day, value, baseline, improvement, band "
            f"FROM {SCORES} WHERE {series}",
            key,
        )
        old = {
            pk: (cursor_date(d), cursor_date(n), _dec(v), _dec(b), _dec(i), band)
            for pk, d, n, v, b, i, band in cursor.fetchall()
        }
        gone = [pk for pk, row in old.items() if new.get(pk) != row]
        made = [pk for pk, row in new.items() if old.get(pk) != row]
        if not gone and not made:
            return
        deltas: dict[tuple, list] = {}
        for sign, rows, pks in ((-1, old, gone), (1, new, made)):
            for pk in pks:
                day, next_day, value, baseline, improvement, band = rows[pk]
                if band is None:
                    continue
                sums = deltas.setdefault((day, next_bucket(next_day, day)), [0] * 6)
                for i, amount in enumerate((1, baseline, value, improvement, band == 2, band == 1)):
                    sums[i] += sign * amount
        if gone:
            marks = ", ".join(["%s"] * len(gone))
            cursor.execute(f"DELETE FROM {SCORES} WHERE assessment_id IN ({marks})", gone)
        if made:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(made))
            params = []
            for pk in made:
                day, next_day, value, baseline, improvement, band = new[pk]
                params += [
                    pk, *key, _d(day), _d(next_day), str(value),
                    None if baseline is None else str(baseline),
                    None if improvement is None else str(improvement), band,
                ]  # fmt: skip
            cursor.execute(f"INSERT INTO {SCORES} ({SCORE_COLUMNS}) VALUES {values}", params)
        _move_outcome_rollup(cursor, assessment, deltas, thresholds)


def _move_outcome_rollup(cursor, assessment, deltas: dict, thresholds) -> None:
    """Add each (day, next month) key's differences to its rollup row: an UPDATE, or an
    INSERT when the key is new (only ever with a positive count; a row counting nothing
    is deleted). A row last written under other thresholds is marked `mixed`."""
    good, partial = str(thresholds[0]), str(thresholds[1])
    add = ", ".join(f"{c} = {c} + %s" for c in OUTCOME_SUMS.split(", "))
    where = "day = %s AND indication_id = %s AND instrument_id = %s AND next_month = %s"
    for (day, month), sums in deltas.items():
        if not any(sums):
            continue
        key = [_d(day), assessment.indication_id, assessment.instrument_id, _d(month)]
        amounts = [sums[0], str(sums[1]), str(sums[2]), str(sums[3]), sums[4], sums[5]]
        cursor.execute(
            f"""
            UPDATE {OUTCOMES} SET {add},
                mixed = (mixed OR good_percent <> %s OR partial_percent <> %s),
                good_percent = %s, partial_percent = %s
            WHERE {where}
            """,
            [*amounts, good, partial, good, partial, *key],
        )
        if not cursor.rowcount:
            cursor.execute(
                f"INSERT INTO {OUTCOMES} ({OUTCOME_KEY}, {OUTCOME_SUMS}, good_percent, "
                "partial_percent, mixed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, FALSE)",
                [*key, *amounts, good, partial],
            )
        elif sums[0] < 0:
            cursor.execute(f"DELETE FROM {OUTCOMES} WHERE {where} AND series = 0", key)
