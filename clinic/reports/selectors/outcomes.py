"""Outcomes: each series' latest score against its baseline, and responder rates per
indication (and instrument) from the responder thresholds (DOMAIN §5).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.reports.periods import month_end, month_start
from clinic.reports.selectors.scope import Scope
from treatments.choices import InstrumentDirection, SessionStatus
from treatments.models import (
    RETURN_HORIZON_DAYS,
    Indication,
    OutcomeAssessment,
    OutcomeInstrument,
    OutcomeRollup,
    OutcomeScoreTotals,
    SafetyParameter,
    TreatmentSession,
)
from treatments.selectors import RESPONDER_GOOD, RESPONDER_PARTIAL


def responder_thresholds_and_keys() -> dict[str, Decimal]:
    return dict(
        SafetyParameter.objects.filter(key__in=[RESPONDER_GOOD, RESPONDER_PARTIAL]).values_list(
            "key", "value"
        )
    )


def latest_scores(scope: Scope) -> QuerySet[OutcomeAssessment]:
    """For each outcome series (patient, indication, instrument; per-muscle scales left
    out), its latest follow-up score in the period, with the series' baseline: the latest
    score marked baseline on or before it, else the series' first score."""
    period = scope.period
    series = {
        "patient_id": OuterRef("patient_id"),
        "indication_id": OuterRef("indication_id"),
        "instrument_id": OuterRef("instrument_id"),
    }
    later = OutcomeAssessment.objects.filter(
        **series,
        is_baseline=False,
        assessed_on__lte=period.end,
    ).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), id__gt=OuterRef("id"))
    )
    marked = (
        OutcomeAssessment.objects.filter(
            **series, is_baseline=True, assessed_on__lte=OuterRef("assessed_on")
        )
        .order_by("-assessed_on", "-id")
        .values("value")[:1]
    )
    first = (
        OutcomeAssessment.objects.filter(**series).order_by("assessed_on", "id").values("value")[:1]
    )
    qs = OutcomeAssessment.objects.filter(
        assessed_on__gte=period.start,
        assessed_on__lte=period.end,
        is_baseline=False,
        instrument__per_muscle=False,
    ).exclude(Exists(later))
    if scope.indication_id:
        qs = qs.filter(indication_id=scope.indication_id)
    if scope.practitioner_id or scope.product_id:
        treated = TreatmentSession.objects.filter(
            patient_id=OuterRef("patient_id"),
            indication_id=OuterRef("indication_id"),
            status=SessionStatus.SIGNED,
        )
        if scope.practitioner_id:
            treated = treated.filter(practitioner_id=scope.practitioner_id)
        if scope.product_id:
            treated = treated.filter(product_id=scope.product_id)
        qs = qs.filter(Exists(treated))
    # No ordering: the model's default (by patient name) would join and sort for nothing.
    return qs.annotate(baseline=Coalesce(Subquery(marked), Subquery(first))).order_by()


def outcome_responders(scope: Scope, *, thresholds: dict | None = None, per_instrument=False):
    """Responder rates per indication (and instrument): of the series with a follow-up
    score in the period and a non-zero baseline, how many improved by at least the
    responder_good_percent and responder_partial_percent rows (DOMAIN §5, treatments.
    SafetyParameter); lower-is-better scales only, as on the patient's outcome page.

    From the summaries (OutcomeRollup, OutcomeScoreTotals: _rollup_responders) when they
    answer the scope (responders_from_rollup) and were counted under these thresholds;
    otherwise the per-series scores come from latest_scores (one SQL statement), grouped
    in the database with an optimisation fence so each row's baseline subquery is
    computed once. Rows in name order, ties by id: the same order either way.
    """
    thresholds = responder_thresholds_and_keys() if thresholds is None else thresholds
    good = thresholds.get(RESPONDER_GOOD)
    partial = thresholds.get(RESPONDER_PARTIAL)
    if good is None or partial is None:
        return []
    if responders_from_rollup(scope):
        rows = _rollup_responders(scope, good, partial, per_instrument=per_instrument)
        if rows is not None:
            return _finish(rows)
    inner = (
        latest_scores(scope)
        .filter(instrument__direction=InstrumentDirection.LOWER_IS_BETTER)
        .values("indication_id", "instrument_id", "value", "baseline")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    improvement = "((s.baseline - s.value) * 100.0 / s.baseline)"
    group = "s.indication_id" + (", s.instrument_id" if per_instrument else "")
    instrument_cols = ", i2.name AS instrument, i2.unit AS unit" if per_instrument else ""
    instrument_join = (
        " JOIN treatments_outcomeinstrument i2 ON i2.id = s.instrument_id" if per_instrument else ""
    )
    instrument_group = ", i2.name, i2.unit" if per_instrument else ""
    sql = f"""
        SELECT {group}, ind.name AS indication{instrument_cols},
               COUNT(*) AS series,
               AVG(s.baseline) AS mean_baseline,
               AVG(s.value) AS mean_latest,
               AVG({improvement}) AS mean_improvement,
               SUM(CASE WHEN {improvement} >= %s THEN 1 ELSE 0 END) AS good,
               SUM(CASE WHEN {improvement} >= %s AND {improvement} < %s THEN 1 ELSE 0 END)
                   AS partial
        FROM ({inner_sql}{fence}) s
        JOIN treatments_indication ind ON ind.id = s.indication_id{instrument_join}
        WHERE s.baseline IS NOT NULL AND s.baseline <> 0
        GROUP BY {group}, ind.name{instrument_group}
        ORDER BY ind.name, s.indication_id{", i2.name, s.instrument_id" if per_instrument else ""}
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    # In the order of the placeholders; floats, which SQLite compares as numbers (a
    # Decimal would be bound as text there).
    params = (float(good), float(partial), float(good), *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return _finish(rows)


def _finish(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["good"] = int(row["good"] or 0)
        row["partial"] = int(row["partial"] or 0)
        row["none"] = row["series"] - row["good"] - row["partial"]
        row["responder_percent"] = _percent(row["good"] + row["partial"], row["series"])
        row["good_percent"] = _percent(row["good"], row["series"])
        for key in ("mean_baseline", "mean_latest", "mean_improvement"):
            row[key] = _decimal(row[key])
    return rows


def responders_from_rollup(scope: Scope) -> bool:
    """Whether OutcomeRollup answers the scope: the clinic or one indication (a
    practitioner or product keeps the series some session of theirs treated: the raw
    rows), over at most RETURN_HORIZON_DAYS."""
    period = scope.period
    return (
        not scope.practitioner_id
        and not scope.product_id
        and (period.end - period.start).days <= RETURN_HORIZON_DAYS
    )


def _rollup_responders(scope: Scope, good, partial, *, per_instrument=False) -> list[dict] | None:
    """Responder rates per indication (and instrument: the outcomes report) from
    OutcomeRollup (scores whose series' next one is after the period's month) and
    OutcomeScoreTotals (next one in the period's last month, after its end): one
    statement over a few rows a day. None when a rollup row of the period was counted
    under other thresholds (then the raw rows answer)."""
    period = scope.period
    day = connection.ops.adapt_datefield_value
    a, b = day(period.start), day(period.end)
    last_month = month_start(period.end)
    after_month = day(month_end(period.end) + timedelta(days=1))
    instruments = (
        f"SELECT id FROM {OutcomeInstrument._meta.db_table} "  # noqa: S608 - the model's table
        "WHERE direction = %s AND NOT per_muscle"
    )
    one = "AND indication_id = %s" if scope.indication_id else ""
    only = [scope.indication_id] if scope.indication_id else []
    g, p = float(good), float(partial)
    # Per instrument: its name and unit as the raw rows' statement gives them.
    by = ", x.instrument_id, ins.name, ins.unit" if per_instrument else ""
    join = (
        f" JOIN {OutcomeInstrument._meta.db_table} ins ON ins.id = x.instrument_id"
        if per_instrument
        else ""
    )
    sql = f"""
        SELECT x.indication_id, ind.name AS indication, SUM(x.n) AS series,
               SUM(x.baseline) AS baseline, SUM(x.value) AS value,
               SUM(x.improvement) AS improvement, SUM(x.good) AS good,
               SUM(x.partial) AS partial, SUM(x.stale) AS stale{by}
        FROM (
            SELECT indication_id, instrument_id, series AS n, baseline_sum AS baseline,
                   value_sum AS value, improvement_sum AS improvement, good, partial,
                   CASE WHEN mixed OR good_percent <> %s OR partial_percent <> %s
                        THEN 1 ELSE 0 END AS stale
            FROM {OutcomeRollup._meta.db_table}
            WHERE day >= %s AND day <= %s AND next_month > %s
              AND instrument_id IN ({instruments}) {one}
            UNION ALL
            SELECT indication_id, instrument_id, 1, baseline, value, improvement,
                   CASE WHEN improvement >= %s THEN 1 ELSE 0 END,
                   CASE WHEN improvement >= %s AND improvement < %s THEN 1 ELSE 0 END, 0
            FROM {OutcomeScoreTotals._meta.db_table}
            WHERE next_day > %s AND next_day < %s AND day >= %s AND day <= %s
              AND improvement IS NOT NULL AND instrument_id IN ({instruments}) {one}
        ) x
        JOIN {Indication._meta.db_table} ind ON ind.id = x.indication_id{join}
        GROUP BY x.indication_id, ind.name{by}
        ORDER BY ind.name, x.indication_id{", ins.name, x.instrument_id" if per_instrument else ""}
    """  # noqa: S608 - the models' own tables; every value a parameter
    lower = InstrumentDirection.LOWER_IS_BETTER
    params = [
        g, p, a, b, day(last_month), lower, *only,
        g, p, g, b, after_month, a, b, lower, *only,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if any(row[8] for row in found):
        return None
    rows = []
    for pk, name, series, baseline, value, improvement, good_n, partial_n, _, *named in found:
        series = int(series)
        if not series:
            continue
        row = {"indication_id": pk, "indication": name}
        if per_instrument:
            row.update(zip(("instrument_id", "instrument", "unit"), named, strict=True))
        row.update(
            series=series,
            mean_baseline=Decimal(str(baseline)) / series,
            mean_latest=Decimal(str(value)) / series,
            mean_improvement=Decimal(str(improvement)) / series,
            good=int(good_n or 0),
            partial=int(partial_n or 0),
        )
        rows.append(row)
    return rows


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))
