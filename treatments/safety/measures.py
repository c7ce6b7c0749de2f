"""What the rules measure from the facts: age on the session date, planned totals per
muscle group and side, laterality, and which prior doses fall inside a window of days.

Day arithmetic: a prior dose is "within a window of N days" when it was given fewer
than N days before the session date (0..N-1 days ago).

A leading underscore marks a name internal to treatments.safety (used by its rules, not
exported)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from treatments.safety.facts import (
    PatientHistory,
    PointFacts,
    PriorDose,
    ProposedSession,
    ReferenceFacts,
)
from treatments.safety.parameters import _param

COSMETIC = "cosmetic"
THERAPEUTIC = "therapeutic"
OFF_LABEL = "off-label"
INVESTIGATIONAL = "investigational"
LEFT, RIGHT, BILATERAL = "left", "right", "bilateral"
UNILATERAL = "unilateral"


def age_years(born: date, on: date) -> int:
    """Age in whole years on a date (a 29 February birthday counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age(session: ProposedSession) -> int:
    return age_years(session.date_of_birth, session.on)


def is_child(session: ProposedSession, reference: ReferenceFacts) -> bool:
    """Under adult_age_years on the session date: the engine's one definition of a child."""
    return _age(session) < _param(reference, "adult_age_years")


def _is_cosmetic(session: ProposedSession) -> bool:
    return session.indication.category == COSMETIC


def licensed_min_age(session: ProposedSession) -> int | None:
    """The guideline's minimum age, else the indication's (rule 31)."""
    guideline = session.guideline
    if guideline is not None and guideline.min_age_years is not None:
        return guideline.min_age_years
    return session.indication.min_age_years


def _below_licensed_weight(session: ProposedSession) -> bool:
    guideline = session.guideline
    return (
        guideline is not None
        and guideline.min_weight_kg is not None
        and session.weight_kg is not None
        and session.weight_kg < guideline.min_weight_kg
    )


def laterality(points: tuple[PointFacts, ...]) -> str | None:
    """The session's laterality: "unilateral" (left or right, not both), "bilateral" (both,
    or any point on "bilateral"), or None (midline points only, or no points)."""
    sides = {point.side for point in points}
    if BILATERAL in sides or {LEFT, RIGHT} <= sides:
        return BILATERAL
    if sides & {LEFT, RIGHT}:
        return UNILATERAL
    return None


def planned_total(session: ProposedSession) -> Decimal:
    return sum((point.units for point in session.points), Decimal(0))


def _same_group(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def group_total(points: tuple[PointFacts, ...], muscle_group: str) -> Decimal:
    return sum((p.units for p in points if _same_group(p.muscle_group, muscle_group)), Decimal(0))


def side_totals(points: tuple[PointFacts, ...]) -> dict[str, Decimal]:
    """Units per side; a "bilateral" point is split evenly between left and right, and
    midline points belong to neither side."""
    totals = {LEFT: Decimal(0), RIGHT: Decimal(0)}
    for point in points:
        if point.side in totals:
            totals[point.side] += point.units
        elif point.side == BILATERAL:
            totals[LEFT] += point.units / 2
            totals[RIGHT] += point.units / 2
    return totals


def days_before(session: ProposedSession, dose: PriorDose) -> int:
    return (session.on - dose.on).days


def within(days: int, window: int) -> bool:
    """Given fewer than `window` days before the session (0..window-1 days ago)."""
    return 0 <= days < window


def _family(session: ProposedSession) -> str | None:
    return session.product.unit_family if session.product else None


def window_doses(
    session: ProposedSession, history: PatientHistory, window: int, indication: str | None
) -> list[PriorDose]:
    """Prior doses of the product's unit family within the window (and of one indication
    when given)."""
    family = _family(session)
    return [
        dose
        for dose in history.doses
        if dose.unit_family == family
        and within(days_before(session, dose), window)
        and (indication is None or dose.indication_slug == indication)
    ]


def latest_same_indication(
    session: ProposedSession, history: PatientHistory
) -> tuple[PriorDose, int] | None:
    """The most recent prior dose (on or before the session date) of the product's unit
    family for the session's indication, with its age in days."""
    family = _family(session)
    candidates = [
        (dose, days_before(session, dose))
        for dose in history.doses
        if dose.unit_family == family and dose.indication_slug == session.indication.slug
    ]
    candidates = [pair for pair in candidates if pair[1] >= 0]
    return min(candidates, key=lambda pair: pair[1]) if candidates else None


def _outside(value: Decimal | int, low, high) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def linked_index(session: ProposedSession, history: PatientHistory) -> tuple[PriorDose, int] | None:
    """Rule 20: the index session the practitioner linked this top-up to, with its age in
    days (None when not linked or not among the patient's signed sessions)."""
    if session.top_up_of_session_id is None:
        return None
    for dose in history.doses:
        if dose.session_id == session.top_up_of_session_id:
            return dose, days_before(session, dose)
    return None


def episode_index_dose(
    session: ProposedSession, history: PatientHistory, window: int
) -> PriorDose | None:
    """The linked index dose when this session is its top-up (linked, same unit family and
    indication, within the top-up window): its units count in the same episode."""
    linked = linked_index(session, history)
    if linked is None:
        return None
    dose, days = linked
    if (
        dose.unit_family != _family(session)
        or dose.indication_slug != session.indication.slug
        or not within(days, window)
    ):
        return None
    return dose


def point_volume(point: PointFacts, session: ProposedSession) -> Decimal | None:
    """The volume given at a point: as entered, or else the units at the first vial's
    dilution (rule 6: volume follows units). None when neither is known."""
    if point.volume_ml is not None:
        return point.volume_ml
    vial = session.vial
    if vial is None or not vial.units_per_ml:
        return None
    return point.units / vial.units_per_ml
