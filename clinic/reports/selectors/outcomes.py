"""Outcomes: each series' latest score against its baseline, and responder rates per
indication (and instrument) from the responder thresholds (DOMAIN §5).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.reports.selectors.scope import Scope
from treatments.choices import InstrumentDirection, SessionStatus
from treatments.models import OutcomeAssessment, SafetyParameter, TreatmentSession
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

    The per-series scores come from latest_scores (one SQL statement); the grouping runs
    in the database over it, with an optimisation fence so each row's baseline subquery
    is computed once.
    """
    thresholds = responder_thresholds_and_keys() if thresholds is None else thresholds
    good = thresholds.get(RESPONDER_GOOD)
    partial = thresholds.get(RESPONDER_PARTIAL)
    if good is None or partial is None:
        return []
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
        ORDER BY ind.name{", i2.name" if per_instrument else ""}
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    # In the order of the placeholders; floats, which SQLite compares as numbers (a
    # Decimal would be bound as text there).
    params = (float(good), float(partial), float(good), *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["good"] = int(row["good"] or 0)
        row["partial"] = int(row["partial"] or 0)
        row["none"] = row["series"] - row["good"] - row["partial"]
        row["responder_percent"] = _percent(row["good"] + row["partial"], row["series"])
        row["good_percent"] = _percent(row["good"], row["series"])
        for key in ("mean_baseline", "mean_latest", "mean_improvement"):
            row[key] = _decimal(row[key])
    return rows


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))
