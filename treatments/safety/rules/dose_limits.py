"""DOMAIN §10 rules 8-15 and 17-18: labelled maxima (DoseLimit rows), the child's
recorded weight, and the labelled dose for the indication."""

from __future__ import annotations

from decimal import Decimal

from treatments.safety.facts import (
    DoseLimitFacts,
    PatientHistory,
    PriorDose,
    ProposedSession,
    ReferenceFacts,
)
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import (
    _age,
    _family,
    _outside,
    group_total,
    is_child,
    laterality,
    planned_total,
    side_totals,
    window_doses,
)
from treatments.safety.messages import (
    _d,
    _dose_text,
    _finding,
    _num,
    _param_source,
    _point_name,
    _range,
    _source,
)
from treatments.safety.parameters import _days


def limit_applies(
    limit: DoseLimitFacts,
    session: ProposedSession,
    history: PatientHistory,
    reference: ReferenceFacts,
) -> bool:
    product = session.product
    if product is None or limit.unit_family != product.unit_family:
        return False
    if limit.product_slug and limit.product_slug != product.slug:
        return False
    if limit.indication_slug and limit.indication_slug != session.indication.slug:
        return False
    if limit.population != "any" and (limit.population == "child") != is_child(session, reference):
        return False
    if limit.laterality != "any" and limit.laterality != laterality(session.points):
        return False
    return not (limit.first_treatment_only and _treated_before(session, history))


def _treated_before(session: ProposedSession, history: PatientHistory) -> bool:
    family = _family(session)
    return any(
        dose.unit_family == family and dose.indication_slug == session.indication.slug
        for dose in history.doses
    )


def effective_max(limit: DoseLimitFacts, weight_kg: Decimal | None) -> tuple[Decimal | None, str]:
    """The lower of max_units and max_units_per_kg x weight (where known), with the
    arithmetic for the message."""
    parts: list[tuple[Decimal, str]] = []
    if limit.max_units is not None:
        parts.append((limit.max_units, f"{_num(limit.max_units)} U"))
    if limit.max_units_per_kg is not None and weight_kg is not None:
        per_kg = limit.max_units_per_kg * weight_kg
        text = f"{_num(limit.max_units_per_kg)} U/kg x {_num(weight_kg)} kg = {_num(per_kg)} U"
        parts.append((per_kg, text))
    if not parts:
        return None, ""
    lowest = min(value for value, _ in parts)
    if len(parts) == 1:
        return lowest, parts[0][1]
    return lowest, f"{_num(lowest)} U (lower of {parts[0][1]} and {parts[1][1]})"


def _window_amount(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> tuple[Decimal, str]:
    doses = window_doses(session, history, limit.window_days or 0, limit.indication_slug)
    prior = sum((dose.units for dose in doses if dose.units is not None), Decimal(0))
    planned = planned_total(session)
    text = f"{limit.window_days}-day total {_num(planned + prior)} U (planned {_num(planned)} U"
    if doses:
        since = _d(min(dose.on for dose in doses))
        text += f" + {_num(prior)} U on {len(doses)} earlier dose(s) since {since}"
    return planned + prior, text + ")"


def limit_amounts(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> list[tuple[Decimal, str]]:
    """The totals a limit is compared with, one per scope unit, each with a description
    that includes the amount."""
    points = session.points
    if limit.scope == "session":
        total = planned_total(session)
        return [(total, f"session total {_num(total)} U")]
    if limit.scope == "site":
        return [
            (p.units / p.points, f"{_point_name(p)} {_num(p.units / p.points)} U per point")
            for p in points
        ]
    if limit.scope == "muscle-group":
        total = group_total(points, limit.muscle_group)
        return [(total, f"{limit.muscle_group} total {_num(total)} U")]
    if limit.scope == "side":
        return [
            (total, f"{side} side total {_num(total)} U")
            for side, total in side_totals(points).items()
        ]
    if limit.scope == "window":
        return [_window_amount(limit, session, history)]
    return []


def _limit_unit_findings(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> list[Finding]:
    maximum, explained = effective_max(limit, session.weight_kg)
    if maximum is None:
        return []
    return [
        Finding(
            limit.code,
            limit.level,
            f"{limit.label}: {described}, above the limit of {explained}",
            limit.source,
        )
        for amount, described in limit_amounts(limit, session, history)
        if amount > maximum
    ]


def _limit_volume_findings(limit: DoseLimitFacts, session: ProposedSession) -> list[Finding]:
    if limit.scope != "site" or limit.max_volume_ml is None:
        return []
    return [
        Finding(
            limit.code,
            limit.level,
            f"{limit.label}: {_point_name(p)} {_num(p.volume_ml / p.points)} mL per point, "
            f"above the limit of {_num(limit.max_volume_ml)} mL",
            limit.source,
        )
        for p in session.points
        if p.volume_ml is not None and p.volume_ml / p.points > limit.max_volume_ml
    ]


def _unknown_window_doses(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> list[PriorDose]:
    if limit.scope != "window":
        return []
    doses = window_doses(session, history, limit.window_days or 0, limit.indication_slug)
    return [dose for dose in doses if dose.units is None]


def dose_limits(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    needs_weight: list[str] = []
    unknown: list[PriorDose] = []
    for limit in reference.limits:
        if not limit_applies(limit, session, history, reference):
            continue
        if limit.max_units_per_kg is not None and session.weight_kg is None:
            needs_weight.append(limit.label)
        findings += _limit_unit_findings(limit, session, history)
        findings += _limit_volume_findings(limit, session)
        unknown += _unknown_window_doses(limit, session, history)
    if needs_weight:
        findings += _finding(
            "weight.missing",
            Level.BLOCK,
            f"Weight needed for per-kg limits: {'; '.join(needs_weight)}",
            "DOMAIN §10 rules 9-11, 17",
        )
    if unknown:
        listed = "; ".join(_dose_text(d) for d in sorted(set(unknown), key=lambda d: d.on))
        findings += _finding(
            "history.unknown_dose",
            Level.WARN,
            f"Earlier dose(s) with unknown units counted as 0 U in the cumulative totals: {listed}",
            "DOMAIN §10 rules 8-9; §3.1",
        )
    return findings


def child_weight(session, history, reference) -> list[Finding]:
    valid_days = _days(reference, "child_weight_valid_days")
    if not is_child(session, reference):
        return []
    measured = session.weight_measured_on
    if session.weight_kg is not None and measured is not None:
        age = (session.on - measured).days
        if age <= valid_days:
            return []
        why = f"weight {_num(session.weight_kg)} kg was measured {age} days ago ({_d(measured)})"
    elif session.weight_kg is None:
        why = "no weight recorded"
    else:
        why = f"weight {_num(session.weight_kg)} kg has no measurement date"
    return _finding(
        "weight.stale",
        Level.BLOCK,
        f"Child aged {_age(session)}: {why}; a weight measured within the last "
        f"{valid_days} days is needed",
        _source("DOMAIN §10 rule 9 (derived)", _param_source(reference, "child_weight_valid_days")),
    )


def label_dose(session, history, reference) -> list[Finding]:
    guideline, product = session.guideline, session.product
    if guideline is None or product is None:
        return []
    low, high = guideline.expected_min_units, guideline.expected_max_units
    total = planned_total(session)
    if (low is None and high is None) or not _outside(total, low, high):
        return []
    expected = _num(low) if low is not None and low == high else _range(low, high, "")
    return _finding(
        "dose.outside_label_dose",
        Level.WARN,
        f"Total {_num(total)} U differs from the labelled {product.brand} dose for "
        f"{session.indication.name}: {expected} U",
        _source("DOMAIN §10 rules 17-18", guideline.source),
    )
