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
    days_before,
    episode_index_dose,
    group_total,
    is_child,
    laterality,
    planned_total,
    point_volume,
    side_totals,
    window_doses,
    within,
)
from treatments.safety.messages import (
    _d,
    _dose_text,
    _finding,
    _num,
    _param_source,
    _plural,
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
    """Treated before, for "initial dose" limits: a top-up of the first treatment is still
    in the first episode (rule 20), so its linked index session does not count."""
    family = _family(session)
    index_id = session.top_up_of_session_id
    return any(
        dose.unit_family == family
        and dose.indication_slug == session.indication.slug
        and (index_id is None or dose.session_id != index_id)
        for dose in history.doses
    )


def episode_total(
    session: ProposedSession, history: PatientHistory, reference: ReferenceFacts
) -> tuple[Decimal, str]:
    """The planned units, plus the linked index session's when this is its top-up (rule
    20: a top-up's units count in the same episode), with the arithmetic for messages."""
    planned = planned_total(session)
    index = episode_index_dose(session, history, _days(reference, "top_up_window_days"))
    if index is None or index.units is None:
        return planned, f"session total {_num(planned)} U"
    total = planned + index.units
    return total, (
        f"episode total {_num(total)} U (this top-up {_num(planned)} U + {_num(index.units)} U "
        f"on {_d(index.on)})"
    )


def _episode_index_with_points(
    session: ProposedSession, history: PatientHistory, reference: ReferenceFacts
) -> PriorDose | None:
    """The linked index session when this is its top-up and its points are known: rule 20
    counts its units per muscle group and per side in the same episode (rules 14-15)."""
    index = episode_index_dose(session, history, _days(reference, "top_up_window_days"))
    return index if index is not None and index.points else None


def _episode_amount(
    what: str, planned: Decimal, earlier: Decimal, index: PriorDose | None
) -> tuple[Decimal, str]:
    # Counted where this top-up adds units: the index alone was judged when it was signed.
    if index is None or not earlier or not planned:
        return planned, f"{what} {_num(planned)} U"
    total = planned + earlier
    return total, (
        f"{what} {_num(total)} U in the episode (this top-up {_num(planned)} U + "
        f"{_num(earlier)} U on {_d(index.on)})"
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
        text += f" + {_num(prior)} U on {_plural(len(doses), 'earlier dose')} since {since}"
    return planned + prior, text + ")"


def limit_amounts(
    limit: DoseLimitFacts,
    session: ProposedSession,
    history: PatientHistory,
    reference: ReferenceFacts,
) -> list[tuple[Decimal, str]]:
    """The totals a limit is compared with, one per scope unit, each with a description
    that includes the amount."""
    points = session.points
    if limit.scope == "session":
        return [episode_total(session, history, reference)]
    if limit.scope == "site":
        return [
            (p.units / p.points, f"{_point_name(p)} {_num(p.units / p.points)} U per point")
            for p in points
        ]
    index = _episode_index_with_points(session, history, reference)
    if limit.scope == "muscle-group":
        planned = group_total(points, limit.muscle_group)
        earlier = group_total(index.points, limit.muscle_group) if index else Decimal(0)
        return [_episode_amount(f"{limit.muscle_group} total", planned, earlier, index)]
    if limit.scope == "side":
        earlier_sides = side_totals(index.points) if index else {}
        return [
            _episode_amount(f"{side} side total", planned, earlier_sides.get(side, 0), index)
            for side, planned in side_totals(points).items()
        ]
    if limit.scope == "window":
        return [_window_amount(limit, session, history)]
    return []


def _limit_unit_findings(
    limit: DoseLimitFacts,
    session: ProposedSession,
    history: PatientHistory,
    reference: ReferenceFacts,
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
        for amount, described in limit_amounts(limit, session, history, reference)
        if amount > maximum
    ]


def _limit_volume_findings(limit: DoseLimitFacts, session: ProposedSession) -> list[Finding]:
    """Per-site volume maxima (rules 11, 12), on the volume typed or, when none was typed,
    the volume the units take at the vial's dilution (rule 6): the limit fires whatever
    was entered."""
    if limit.scope != "site" or limit.max_volume_ml is None:
        return []
    findings = []
    for p in session.points:
        volume = point_volume(p, session)
        if volume is None or volume / p.points <= limit.max_volume_ml:
            continue
        derived = "" if p.volume_ml is not None else " (from the units at the vial's dilution)"
        findings.append(
            Finding(
                limit.code,
                limit.level,
                f"{limit.label}: {_point_name(p)} {_num(volume / p.points)} mL per point"
                f"{derived}, above the limit of {_num(limit.max_volume_ml)} mL",
                limit.source,
            )
        )
    return findings


def _unknown_window_doses(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> list[PriorDose]:
    if limit.scope != "window":
        return []
    doses = window_doses(session, history, limit.window_days or 0, limit.indication_slug)
    return [dose for dose in doses if dose.units is None]


def _unknown_family_window_doses(
    limit: DoseLimitFacts, session: ProposedSession, history: PatientHistory
) -> list[PriorDose]:
    """Doses of a product not on our list (unit family unknown) within a window limit's
    days: never added to this family's total, as their units cannot be converted."""
    if limit.scope != "window":
        return []
    return [
        dose
        for dose in history.doses
        if dose.family_unknown
        and within(days_before(session, dose), limit.window_days or 0)
        and (limit.indication_slug is None or dose.indication_slug == limit.indication_slug)
    ]


def dose_limits(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    needs_weight: list[str] = []
    unknown: list[PriorDose] = []
    unconvertible: dict[PriorDose, None] = {}
    for limit in reference.limits:
        if not limit_applies(limit, session, history, reference):
            continue
        if limit.max_units_per_kg is not None and session.weight_kg is None:
            needs_weight.append(limit.label)
        findings += _limit_unit_findings(limit, session, history, reference)
        findings += _limit_volume_findings(limit, session)
        unknown += _unknown_window_doses(limit, session, history)
        unconvertible.update(dict.fromkeys(_unknown_family_window_doses(limit, session, history)))
    if needs_weight:
        findings += _finding(
            "weight.missing",
            Level.BLOCK,
            f"Weight needed for per-kg limits: {'; '.join(needs_weight)}",
            "DOMAIN §10 rules 9-11, 17",
        )
    if unknown:
        doses = sorted(set(unknown), key=lambda d: d.on)
        listed = "; ".join(_dose_text(d) for d in doses)
        findings += _finding(
            "history.unknown_dose",
            Level.WARN,
            f"{_earlier_doses(len(doses))} with unknown units counted as 0 U in the cumulative "
            f"totals: {listed}",
            "DOMAIN §10 rules 8-9; §3.1",
        )
    if unconvertible:
        listed = "; ".join(_dose_text(d) for d in sorted(unconvertible, key=lambda d: d.on))
        its = "its" if len(unconvertible) == 1 else "their"
        findings += _finding(
            "history.unknown_family",
            Level.WARN,
            f"{_earlier_doses(len(unconvertible))} of a product not on our list (unit family "
            f"unknown) not added to the cumulative totals, as {its} units cannot be converted "
            f"to {session.product.brand} units: {listed}. Consider the cumulative exposure",
            "DOMAIN §10 rules 2, 8-9; §1.2",
        )
    return findings


def _earlier_doses(count: int) -> str:
    return "An earlier dose" if count == 1 else f"{count} earlier doses"


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
    total, described = episode_total(session, history, reference)
    if (low is None and high is None) or not _outside(total, low, high):
        return []
    expected = _num(low) if low is not None and low == high else _range(low, high, "")
    return _finding(
        "dose.outside_label_dose",
        Level.WARN,
        f"{described[0].upper()}{described[1:]} differs from the labelled {product.brand} dose for "
        f"{session.indication.name}: {expected} U",
        _source("DOMAIN §10 rules 17-18", guideline.source),
    )
