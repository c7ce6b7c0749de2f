"""The dose-safety engine: pure functions over plain data, no ORM inside.

`evaluate(session, history, reference)` runs every rule of DOMAIN.md §10 (rules 1-33;
rule 33, NICE TA260 continuation, reads PatientHistory.migraine, which the outcome records
supply) and returns findings. Each rule is one small function with a stable code, a level and the
source it comes from:

- BLOCK: the session cannot be signed;
- OVERRIDE: signable only with a reason the practitioner records;
- WARN: shown, and acknowledged at signing.

Thresholds come from reference data (DoseLimit, DoseGuideline, SiteTemplate,
SafetyParameter rows) passed in `ReferenceFacts`; none is a literal here. Units are only
ever added up within one unit family: they are never summed or converted across families
(DOMAIN §1.2). The selector `treatments.selectors.safety_inputs_for_session` builds the
inputs; the signing service runs the same evaluation again, so no path skips it.

Reference parameters: evaluate() raises MissingParameterError (a KeyError) naming every
PARAMETER_KEYS key missing from ReferenceFacts.parameters; a misconfigured table is never
silently skipped. Messages use UK dates (dd/mm/yyyy) and the numbers behind each finding.

Day arithmetic: a prior dose is "within a window of N days" when it was given fewer than
N days before the session date (0..N-1 days ago). An interval of N days is respected when
at least N days have passed. A limit is exceeded only when a total is strictly above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Level(StrEnum):
    BLOCK = "block"
    OVERRIDE = "override"
    WARN = "warn"


LEVEL_ORDER = {Level.BLOCK: 0, Level.OVERRIDE: 1, Level.WARN: 2}


@dataclass(frozen=True)
class Finding:
    code: str  # stable, e.g. "interval.too_soon" or a DoseLimit code
    level: Level
    message: str  # for a practitioner, with the numbers in it
    source: str  # DOMAIN rule and source keys, e.g. "DOMAIN §10 rule 19; S7"


# Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacts:
    slug: str
    brand: str
    unit_family: str
    on_formulary: bool
    uk_licensed: bool
    needs_reconstitution: bool  # powder (True) or ready-to-use solution (False)
    in_use_hours: int | None
    milk_protein_contraindicated: bool = False
    cosmetic_neuromuscular_contraindicated: bool = False
    inflammation_contraindicated: bool = False
    cosmetic_max_age_years: int | None = None


@dataclass(frozen=True)
class IndicationFacts:
    slug: str
    name: str
    category: str  # "therapeutic" | "cosmetic" | "off-label" | "investigational"
    safety_profile: str  # treatments.choices.SafetyProfile value
    min_interval_days: int
    min_age_years: int | None = None
    max_age_years: int | None = None


@dataclass(frozen=True)
class GuidelineFacts:
    """The product x indication label row; None in ProposedSession when there is none
    (which makes the use off-label)."""

    licensed_uk: bool
    source: str
    expected_min_units: Decimal | None = None
    expected_max_units: Decimal | None = None
    min_interval_days: int | None = None
    min_age_years: int | None = None
    min_weight_kg: Decimal | None = None


@dataclass(frozen=True)
class DoseLimitFacts:
    """A labelled maximum. Effective maximum = the lower of max_units and
    max_units_per_kg x weight, where set. See treatments.models.DoseLimit."""

    code: str
    label: str
    unit_family: str
    level: Level
    source: str
    scope: str  # "session" | "site" | "muscle-group" | "side" | "window"
    product_slug: str | None = None
    indication_slug: str | None = None
    population: str = "any"  # "any" | "adult" | "child"
    laterality: str = "any"  # "any" | "unilateral" | "bilateral"
    muscle_group: str = ""
    window_days: int | None = None
    max_units: Decimal | None = None
    max_units_per_kg: Decimal | None = None
    max_volume_ml: Decimal | None = None  # per site
    first_treatment_only: bool = False


@dataclass(frozen=True)
class ProtocolGroup:
    muscle_group: str
    fixed_units: Decimal | None = None  # protocol dose for the group (a change warns)
    max_units: Decimal | None = None  # protocol maximum for the group


@dataclass(frozen=True)
class ProtocolFacts:
    """E.g. PREEMPT: 155-195 U over 31-39 sites, per-group fixed doses and maxima."""

    name: str
    source: str
    min_units: Decimal | None = None
    max_units: Decimal | None = None
    min_sites: int | None = None
    max_sites: int | None = None
    groups: tuple[ProtocolGroup, ...] = ()
    # The unit family the protocol's doses are in (e.g. "allergan" for PREEMPT); rule 16
    # is skipped for a product of another family (DOMAIN §1.2). None = not stated.
    unit_family: str | None = None


@dataclass(frozen=True)
class VialFacts:
    id: int
    product_slug: str
    lot: str
    expiry: date | None
    reconstituted_at: datetime | None
    units_per_ml: Decimal | None
    discarded: bool = False
    # Units left for this session: presentation - drawn by other sessions - wasted.
    remaining_units: Decimal | None = None
    # Patients other than this session's patient who already received from this vial.
    other_patient_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PointFacts:
    site_slug: str
    site_name: str
    muscle_group: str
    side: str  # "left" | "right" | "midline" | "bilateral"
    units: Decimal
    volume_ml: Decimal | None = None
    points: int = 1  # needle points at this site; per-site limits use units / points


@dataclass(frozen=True)
class ScreeningFacts:
    """The latest intake questionnaire's answers (patients.IntakeQuestionnaire)."""

    answered_on: date
    allergy_toxin_or_albumin: bool = False
    allergy_cows_milk_protein: bool = False
    infection_at_sites: bool = False
    neuromuscular_disorder: bool = False
    swallowing_or_breathing_problems: bool = False
    pregnant_or_breastfeeding: bool = False
    bleeding_risk: bool = False
    interacting_medicines: bool = False
    bladder_infection_or_retention: bool = False
    can_self_catheterise: bool = False
    migraine_preventives_failed: int | None = None


@dataclass(frozen=True)
class PriorDose:
    """A toxin dose before this session: a signed session here, or one the patient
    reported from elsewhere (units may then be unknown)."""

    on: date
    product_slug: str
    brand: str
    unit_family: str
    units: Decimal | None
    indication_slug: str | None = None
    session_id: int | None = None
    elsewhere: bool = False
    clinic_name: str = ""


@dataclass(frozen=True)
class ProposedSession:
    patient_id: int
    on: date  # the session date (Europe/London)
    at: datetime  # aware datetime of the session
    date_of_birth: date
    indication: IndicationFacts
    product: ProductFacts | None
    guideline: GuidelineFacts | None
    vial: VialFacts | None
    points: tuple[PointFacts, ...]
    weight_kg: Decimal | None = None
    weight_measured_on: date | None = None
    screening_reviewed: bool = False
    consent_taken: bool = False
    off_label_consent: bool = False
    spread_advice_given: bool = False
    antibiotic_prophylaxis: bool = False
    pvr_ml: int | None = None
    performs_cic: bool = False
    antiplatelet_stopped_days: int | None = None
    top_up_reason: str = ""
    session_id: int | None = None
    # A second (or third) vial when the dose needs more than one, e.g. 2 x 100 U for PREEMPT.
    extra_vials: tuple[VialFacts, ...] = ()


@dataclass(frozen=True)
class PatientHistory:
    doses: tuple[PriorDose, ...] = ()  # excludes the proposed session itself
    screening: ScreeningFacts | None = None
    pvr_recorded_before: bool = False  # an earlier bladder session recorded a PVR
    migraine: MigraineDiaryFacts | None = None  # rule 33; None until outcomes are recorded


@dataclass(frozen=True)
class MigraineDiaryFacts:
    """Chronic-migraine outcomes for NICE TA260 (rule 33), from the outcome records:
    the baseline before the first cycle and the monthly headache days since."""

    baseline_headache_days: Decimal | None = None
    baseline_migraine_days: Decimal | None = None
    preventives_failed: int | None = None
    cycles_completed: int = 0  # signed chronic-migraine sessions before this one
    monthly_headache_days: tuple[Decimal, ...] = ()  # oldest first, most recent last


@dataclass(frozen=True)
class ReferenceFacts:
    limits: tuple[DoseLimitFacts, ...] = ()
    protocol: ProtocolFacts | None = None
    # SafetyParameter rows: key -> value, and key -> source.
    parameters: Mapping[str, Decimal] = field(default_factory=dict)
    parameter_sources: Mapping[str, str] = field(default_factory=dict)


# SafetyParameter keys the engine reads (seeded by a treatments data migration).
PARAMETER_KEYS = (
    "adult_age_years",  # 18: population split adult / child
    "other_family_window_days",  # 112 (16 weeks): rule 2
    "volume_mismatch_percent",  # 5: rule 6
    "child_weight_valid_days",  # 90: rule 9
    "top_up_window_days",  # 14: rule 20
    "bladder_pvr_max_ml",  # 200: rule 26
    "antiplatelet_stop_days",  # 3: rule 26
    "cosmetic_min_age_years",  # 18: rule 29
    "cosmetic_caution_age_years",  # 65: rule 30
)


class MissingParameterError(KeyError):
    """A SafetyParameter the engine needs is not in ReferenceFacts.parameters: the reference
    table is misconfigured, so evaluation stops loudly rather than skipping a rule."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        self.missing = tuple(keys)
        super().__init__(", ".join(self.missing))

    def __str__(self) -> str:
        return (
            "Safety parameter(s) missing from the reference data (SafetyParameter table): "
            + ", ".join(self.missing)
        )


Rule = Callable[[ProposedSession, PatientHistory, ReferenceFacts], list[Finding]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a rule function; evaluate() runs them in registration order."""
    RULES.append(function)
    return function


def require_parameters(reference: ReferenceFacts) -> None:
    """Raise MissingParameterError naming every PARAMETER_KEYS key that is absent."""
    missing = [key for key in PARAMETER_KEYS if key not in reference.parameters]
    if missing:
        raise MissingParameterError(missing)


def evaluate(
    session: ProposedSession, history: PatientHistory, reference: ReferenceFacts
) -> list[Finding]:
    """All findings, most severe first (stable order within a level). Raises
    MissingParameterError when a SafetyParameter key is missing."""
    require_parameters(reference)
    findings: list[Finding] = []
    for check in RULES:
        findings.extend(check(session, history, reference))
    return sorted(findings, key=lambda f: LEVEL_ORDER[f.level])


def is_off_label(session: ProposedSession) -> bool:
    """Rule 32: licensed only when a UK-licensed guideline row exists for the product and
    indication, the indication is not itself off-label/investigational, and the patient is
    within the guideline's (or indication's) age and weight."""
    guideline = session.guideline
    if guideline is None or not guideline.licensed_uk:
        return True
    if session.indication.category in (OFF_LABEL, INVESTIGATIONAL):
        return True
    age = age_years(session.date_of_birth, session.on)
    min_age = licensed_min_age(session)
    if min_age is not None and age < min_age:
        return True
    max_age = session.indication.max_age_years
    if max_age is not None and age > max_age:
        return True
    return _below_licensed_weight(session)


# Helpers -----------------------------------------------------------------------------------

COSMETIC = "cosmetic"
THERAPEUTIC = "therapeutic"
OFF_LABEL = "off-label"
INVESTIGATIONAL = "investigational"
LEFT, RIGHT, BILATERAL = "left", "right", "bilateral"
UNILATERAL = "unilateral"


def _param(reference: ReferenceFacts, key: str) -> Decimal:
    try:
        return Decimal(reference.parameters[key])
    except KeyError:
        raise MissingParameterError([key]) from None


def _days(reference: ReferenceFacts, key: str) -> int:
    return int(_param(reference, key))


def _source(*parts: str) -> str:
    """Join source parts with "; ", dropping blanks and repeats."""
    seen: list[str] = []
    for part in parts:
        part = (part or "").strip()
        if part and part not in seen:
            seen.append(part)
    return "; ".join(seen)


def _param_source(reference: ReferenceFacts, *keys: str) -> str:
    return _source(*(reference.parameter_sources.get(key, "") for key in keys))


def _d(value: date) -> str:
    """UK date format."""
    return value.strftime("%d/%m/%Y")


def _num(value: Decimal | int) -> str:
    """A number for a message: 5 not 5.00, 6.67 not 6.666..."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _span(days: int) -> str:
    """Days as text: 12 weeks, 83 days (11 weeks 6 days), 3 days (7 days per week)."""
    weeks, rest = divmod(days, 7)
    if weeks and not rest:
        return _plural(weeks, "week")
    if not weeks:
        return _plural(days, "day")
    return f"{days} days ({_plural(weeks, 'week')} {_plural(rest, 'day')})"


def _ago(days: int) -> str:
    return "today" if days == 0 else f"{_span(days)} ago"


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


def _dose_text(dose: PriorDose) -> str:
    units = f"{_num(dose.units)} U" if dose.units is not None else "dose unknown"
    indication = dose.indication_slug or "indication not recorded"
    where = f", at {dose.clinic_name or 'another clinic'}" if dose.elsewhere else ""
    return f"{dose.brand} on {_d(dose.on)}, {units}, for {indication}{where}"


def _point_name(point: PointFacts) -> str:
    return f"{point.site_name} ({point.side})"


def _finding(code: str, level: Level, message: str, source: str) -> list[Finding]:
    return [Finding(code, level, message, source)]


# Rules 1-7: products, units, vials ---------------------------------------------------------

RULE_1 = "DOMAIN §10 rule 1; S9; S34; S45; S52; S60"
RULE_2 = "DOMAIN §10 rule 2; S54; S53b; S99"
RULE_3 = "DOMAIN §10 rule 3; S59b; S61b"
RULE_4 = "DOMAIN §10 rule 4; S12; S41; S44; S54"
RULE_5 = "DOMAIN §10 rule 5; S30; S52; S54"
RULE_6 = "DOMAIN §10 rule 6; §1.4"
RULE_7 = "DOMAIN §10 rule 7; S55"


@rule
def product_missing(session, history, reference) -> list[Finding]:
    if session.product is not None or not session.points:
        return []
    return _finding(
        "product.missing",
        Level.BLOCK,
        "Doses entered without a product: choose the product (brand and presentation); "
        "units belong to one product family and are never converted",
        RULE_1,
    )


@rule
def other_family_history(session, history, reference) -> list[Finding]:
    window = _days(reference, "other_family_window_days")
    family = _family(session)
    if family is None:
        return []
    doses = [
        dose
        for dose in history.doses
        if dose.unit_family != family and within(days_before(session, dose), window)
    ]
    if not doses:
        return []
    listed = "; ".join(_dose_text(dose) for dose in sorted(doses, key=lambda d: d.on))
    return _finding(
        "history.other_family",
        Level.WARN,
        f"Toxin of another unit family in the last {_span(window)}: {listed}. Units are not "
        f"comparable with {session.product.brand} units: consider cumulative exposure",
        _source(RULE_2, _param_source(reference, "other_family_window_days")),
    )


def session_vials(session: ProposedSession) -> list[VialFacts]:
    """Every vial the session draws from, the first one first."""
    return [v for v in (session.vial, *session.extra_vials) if v is not None]


@rule
def vial_identity(session, history, reference) -> list[Finding]:
    if session.vial is None:
        return _finding("vial.missing", Level.BLOCK, "No vial chosen: record the vial used", RULE_3)
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_identity(session, vial)
    return findings


def _vial_identity(session, vial: VialFacts) -> list[Finding]:
    findings: list[Finding] = []
    if not (vial.lot or "").strip() or vial.expiry is None:
        findings += _finding(
            "vial.lot_or_expiry_missing",
            Level.BLOCK,
            f"Vial {vial.id} has no lot/batch number or expiry date recorded",
            RULE_3,
        )
    if vial.expiry is not None and vial.expiry < session.on:
        findings += _finding(
            "vial.expired",
            Level.BLOCK,
            f"Vial {vial.id} (lot {vial.lot}) expired on {_d(vial.expiry)}; "
            f"session date {_d(session.on)}",
            RULE_3,
        )
    return findings


@rule
def vial_product_and_state(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_product_and_state(session, vial)
    return findings


def _vial_product_and_state(session, vial: VialFacts) -> list[Finding]:
    findings: list[Finding] = []
    if session.product is not None and vial.product_slug != session.product.slug:
        findings += _finding(
            "vial.wrong_product",
            Level.BLOCK,
            f"Vial {vial.id} is {vial.product_slug}, but the session product is "
            f"{session.product.brand} ({session.product.slug})",
            _source("DOMAIN §10 rules 1, 3", "§1.5"),
        )
    if vial.discarded:
        findings += _finding(
            "vial.discarded",
            Level.BLOCK,
            f"Vial {vial.id} (lot {vial.lot}) has been discarded",
            _source("DOMAIN §10 rules 3-4", "§1.5"),
        )
    return findings


@rule
def vial_reconstitution(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_reconstitution(session, vial)
    return findings


def _vial_reconstitution(session, vial: VialFacts) -> list[Finding]:
    product = session.product
    if product is None:
        return []
    if vial.reconstituted_at is None:
        if not product.needs_reconstitution:
            return []
        return _finding(
            "vial.not_reconstituted",
            Level.BLOCK,
            f"Vial {vial.id} of {product.brand} (powder) has no reconstitution recorded",
            RULE_4,
        )
    if product.in_use_hours is None:
        return []
    use_by = vial.reconstituted_at + timedelta(hours=product.in_use_hours)
    if session.at <= use_by:
        return []
    elapsed = session.at - vial.reconstituted_at
    hours, minutes = divmod(int(elapsed.total_seconds()) // 60, 60)
    made = vial.reconstituted_at.astimezone(session.at.tzinfo)
    return _finding(
        "vial.over_age",
        Level.BLOCK,
        f"Vial {vial.id} was reconstituted {hours} h {minutes} min ago "
        f"({made:%d/%m/%Y %H:%M}); {product.brand} must be used within "
        f"{product.in_use_hours} h",
        RULE_4,
    )


@rule
def vial_other_patient(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_other_patient(session, vial)
    return findings


def _vial_other_patient(session, vial: VialFacts) -> list[Finding]:
    others = sorted(vial.other_patient_ids - {session.patient_id})
    if not others:
        return []
    return _finding(
        "vial.other_patient",
        Level.BLOCK,
        f"Vial {vial.id} (lot {vial.lot}) was already used for {len(others)} other "
        f"patient(s): one vial, one patient",
        RULE_5,
    )


@rule
def vial_capacity(session, history, reference) -> list[Finding]:
    """The dose cannot exceed what the chosen vials still hold (DOMAIN §1.5: drawn + wasted
    = presentation); a second vial is recorded when one is not enough."""
    vials = session_vials(session)
    if not vials or any(v.remaining_units is None for v in vials):
        return []
    total = sum((p.units for p in session.points), Decimal(0))
    available = sum((v.remaining_units for v in vials), Decimal(0))
    if total <= available:
        return []
    held = ", ".join(f"lot {v.lot}: {_num(v.remaining_units)} U left" for v in vials)
    return _finding(
        "vial.insufficient",
        Level.BLOCK,
        f"{_num(total)} U planned, but the chosen vial{'s' if len(vials) > 1 else ''} "
        f"hold{'' if len(vials) > 1 else 's'} {_num(available)} U ({held}): add a second "
        f"vial or use a larger one",
        _source("DOMAIN §1.5", "§10 rule 3"),
    )


@rule
def volume_mismatch(session, history, reference) -> list[Finding]:
    tolerance = _param(reference, "volume_mismatch_percent")
    vial = session.vial
    if vial is None or vial.units_per_ml is None:
        return []
    findings: list[Finding] = []
    for point in session.points:
        expected = (point.volume_ml or 0) * vial.units_per_ml
        if point.volume_ml is None or expected <= 0:
            continue
        percent = abs(point.units - expected) / expected * 100
        if percent > tolerance:
            findings += _finding(
                "dose.volume_mismatch",
                Level.WARN,
                f"{_point_name(point)}: {_num(point.units)} U entered, but "
                f"{_num(point.volume_ml)} mL at {_num(vial.units_per_ml)} U/mL is "
                f"{_num(expected)} U ({_num(percent.quantize(Decimal('0.1')))}% apart; "
                f"tolerance {_num(tolerance)}%)",
                _source(RULE_6, _param_source(reference, "volume_mismatch_percent")),
            )
    return findings


@rule
def formulary(session, history, reference) -> list[Finding]:
    product = session.product
    if product is None or (product.on_formulary and product.uk_licensed):
        return []
    why = "not UK-licensed" if not product.uk_licensed else "not on the clinic formulary"
    return _finding(
        "product.not_on_formulary",
        Level.BLOCK,
        f"{product.brand} is {why}: only UK-licensed formulary products may be used",
        RULE_7,
    )


# Rules 8-15 and 17: labelled maxima (DoseLimit rows) ----------------------------------------


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


@rule
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


@rule
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


# Rule 16: chronic migraine (PREEMPT) --------------------------------------------------------


def _protocol(session: ProposedSession, reference: ReferenceFacts) -> ProtocolFacts | None:
    protocol = reference.protocol
    if (
        protocol is None
        or session.product is None
        or session.indication.safety_profile != "chronic-migraine"
    ):
        return None
    if protocol.unit_family and protocol.unit_family != session.product.unit_family:
        return None
    return protocol


def _outside(value: Decimal | int, low, high) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _range(low, high, unit: str) -> str:
    if low is None:
        return f"at most {_num(high)}{unit}"
    if high is None:
        return f"at least {_num(low)}{unit}"
    return f"{_num(low)}-{_num(high)}{unit}"


@rule
def protocol_totals(session, history, reference) -> list[Finding]:
    protocol = _protocol(session, reference)
    if protocol is None:
        return []
    source = _source("DOMAIN §10 rule 16", protocol.source)
    findings: list[Finding] = []
    total = planned_total(session)
    if _outside(total, protocol.min_units, protocol.max_units):
        findings += _finding(
            "protocol.total_outside",
            Level.WARN,
            f"Total {_num(total)} U is outside the {protocol.name} range of "
            f"{_range(protocol.min_units, protocol.max_units, ' U')}",
            source,
        )
    sites = sum(point.points for point in session.points)
    if _outside(sites, protocol.min_sites, protocol.max_sites):
        findings += _finding(
            "protocol.sites_outside",
            Level.WARN,
            f"{sites} injection sites is outside the {protocol.name} range of "
            f"{_range(protocol.min_sites, protocol.max_sites, ' sites')}",
            source,
        )
    return findings


@rule
def protocol_groups(session, history, reference) -> list[Finding]:
    protocol = _protocol(session, reference)
    if protocol is None:
        return []
    source = _source("DOMAIN §10 rule 16", protocol.source)
    findings: list[Finding] = []
    for group in protocol.groups:
        total = group_total(session.points, group.muscle_group)
        if group.max_units is not None and total > group.max_units:
            findings += _finding(
                "protocol.group_over_max",
                Level.WARN,
                f"{group.muscle_group}: {_num(total)} U is above the {protocol.name} "
                f"maximum of {_num(group.max_units)} U",
                source,
            )
        if group.fixed_units is not None and total != group.fixed_units:
            findings += _finding(
                "protocol.fixed_group_changed",
                Level.WARN,
                f"{group.muscle_group}: {_num(total)} U differs from the {protocol.name} "
                f"fixed dose of {_num(group.fixed_units)} U",
                source,
            )
    return findings


# Rules 17-18: labelled dose -----------------------------------------------------------------


@rule
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


# Rules 19-20: intervals ---------------------------------------------------------------------


def min_interval_days(session: ProposedSession) -> int:
    """The guideline's minimum interval if set, else the indication's."""
    guideline = session.guideline
    if guideline is not None and guideline.min_interval_days is not None:
        return guideline.min_interval_days
    return session.indication.min_interval_days


@rule
def interval_too_soon(session, history, reference) -> list[Finding]:
    top_up_window = _days(reference, "top_up_window_days")
    latest = latest_same_indication(session, history)
    if latest is None:
        return []
    dose, days = latest
    minimum = min_interval_days(session)
    if days < top_up_window or days >= minimum:
        return []  # a top-up (rule 20) or a respected interval
    guideline = session.guideline
    from_guideline = guideline is not None and guideline.min_interval_days is not None
    return _finding(
        "interval.too_soon",
        Level.OVERRIDE,
        f"Last {dose.brand} session {_ago(days)} ({_d(dose.on)}); minimum interval for "
        f"{session.indication.name} is {_span(minimum)}",
        _source("DOMAIN §10 rule 19; §3.2", guideline.source if from_guideline else ""),
    )


@rule
def interval_top_up(session, history, reference) -> list[Finding]:
    window = _days(reference, "top_up_window_days")
    latest = latest_same_indication(session, history)
    if latest is None or latest[1] >= window:
        return []
    dose = latest[0]
    reason = (session.top_up_reason or "").strip()
    message = (
        f"Top-up within {window} days of the session on {_d(dose.on)}: counts in the same episode"
    )
    message += f". Reason: {reason}" if reason else "; record the reason"
    return _finding(
        "interval.top_up",
        Level.WARN if reason else Level.OVERRIDE,
        message,
        _source("DOMAIN §10 rule 20; S108", _param_source(reference, "top_up_window_days")),
    )


# Rules 21-28: contraindications and cautions (screening answers) ----------------------------


@rule
def screening_on_file(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    if history.screening is None:
        findings += _finding(
            "screening.missing",
            Level.BLOCK,
            "No screening questionnaire on file: the patient must answer it before treatment",
            "DOMAIN §6.3; §10 rules 21-28",
        )
    if not session.screening_reviewed:
        findings += _finding(
            "screening.not_reviewed",
            Level.BLOCK,
            "Today's screening answers have not been reviewed with the patient",
            "DOMAIN §6.3; §10 rules 21-28",
        )
    return findings


@rule
def hypersensitivity(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.allergy_toxin_or_albumin:
        return []
    return _finding(
        "contra.hypersensitivity",
        Level.BLOCK,
        "Screening: allergic reaction to a botulinum toxin or human albumin: contraindicated",
        "DOMAIN §10 rule 21; S21; S99",
    )


@rule
def infection(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.infection_at_sites:
        return []
    product = session.product
    inflammation = product is not None and product.inflammation_contraindicated
    what = "infection or inflammation" if inflammation else "infection"
    brand = f" for {product.brand}" if inflammation else ""
    return _finding(
        "contra.infection",
        Level.BLOCK,
        f"Screening: {what} at the planned injection sites is a contraindication{brand}: "
        f"defer the session",
        "DOMAIN §10 rule 22; S21; S33",
    )


@rule
def milk_protein(session, history, reference) -> list[Finding]:
    screening, product = history.screening, session.product
    if screening is None or product is None:
        return []
    if not (screening.allergy_cows_milk_protein and product.milk_protein_contraindicated):
        return []
    return _finding(
        "contra.milk_protein",
        Level.BLOCK,
        f"Screening: cow's milk protein allergy: {product.brand} is contraindicated",
        "DOMAIN §10 rule 23; S91",
    )


@rule
def neuromuscular(session, history, reference) -> list[Finding]:
    screening, product = history.screening, session.product
    if screening is None or not screening.neuromuscular_disorder:
        return []
    if _is_cosmetic(session) and product and product.cosmetic_neuromuscular_contraindicated:
        return _finding(
            "contra.neuromuscular",
            Level.BLOCK,
            f"Screening: neuromuscular disorder (myasthenia gravis, Lambert-Eaton, ALS or "
            f"other): {product.brand} is contraindicated for cosmetic use",
            "DOMAIN §10 rule 24; S99; S33; S30b",
        )
    return _finding(
        "caution.neuromuscular",
        Level.OVERRIDE,
        "Screening: neuromuscular disorder: extreme caution, specialist only, and only if "
        "the benefit outweighs the risk; record the reason",
        "DOMAIN §10 rule 24; S89; S99",
    )


@rule
def dysphagia(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.swallowing_or_breathing_problems:
        return []
    return _finding(
        "caution.dysphagia",
        Level.WARN,
        "Screening: difficulty swallowing or breathing, aspiration or chest problems: "
        "extreme caution (distant spread of toxin effect)",
        "DOMAIN §10 rule 25; S89",
    )


def _bladder_source(reference: ReferenceFacts, *keys: str) -> str:
    return _source("DOMAIN §10 rule 26; S21; S22; S16", _param_source(reference, *keys))


@rule
def bladder_screening(session, history, reference) -> list[Finding]:
    screening = history.screening
    if session.indication.safety_profile != "bladder" or screening is None:
        return []
    findings: list[Finding] = []
    if screening.bladder_infection_or_retention:
        findings += _finding(
            "bladder.uti",
            Level.BLOCK,
            "Screening: urinary infection now or difficulty emptying the bladder: "
            "intradetrusor injection is contraindicated with an acute UTI; confirm there is "
            "no UTI (and update the screening answer) before treating",
            _bladder_source(reference),
        )
    if screening.bleeding_risk:
        findings += _antiplatelet(session, reference)
    return findings


def _antiplatelet(session: ProposedSession, reference: ReferenceFacts) -> list[Finding]:
    needed = _days(reference, "antiplatelet_stop_days")
    stopped = session.antiplatelet_stopped_days
    if stopped is not None and stopped >= needed:
        return []
    when = "not recorded as stopped" if stopped is None else f"stopped {stopped} day(s) ago"
    return _finding(
        "bladder.antiplatelet",
        Level.WARN,
        f"Blood thinners or bleeding risk: antiplatelet {when}; stop at least {needed} days "
        f"before intradetrusor injection and manage anticoagulants",
        _bladder_source(reference, "antiplatelet_stop_days"),
    )


@rule
def bladder_session(session, history, reference) -> list[Finding]:
    if session.indication.safety_profile != "bladder":
        return []
    limit = _param(reference, "bladder_pvr_max_ml")
    findings: list[Finding] = []
    if session.pvr_ml is not None and session.pvr_ml > limit and not session.performs_cic:
        findings += _finding(
            "bladder.retention",
            Level.BLOCK,
            f"Post-void residual {session.pvr_ml} mL is above {_num(limit)} mL and the "
            f"patient does not perform clean intermittent self-catheterisation",
            _bladder_source(reference, "bladder_pvr_max_ml"),
        )
    if session.pvr_ml is None and not history.pvr_recorded_before:
        findings += _finding(
            "bladder.pvr_missing",
            Level.BLOCK,
            "Record a post-void residual (PVR) before the first bladder treatment",
            _bladder_source(reference),
        )
    if not session.antibiotic_prophylaxis:
        findings += _finding(
            "bladder.no_prophylaxis",
            Level.BLOCK,
            "Antibiotic prophylaxis (not an aminoglycoside) is not recorded",
            _bladder_source(reference),
        )
    return findings


@rule
def pregnancy(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.pregnant_or_breastfeeding:
        return []
    if _is_cosmetic(session):
        return _finding(
            "contra.pregnancy",
            Level.BLOCK,
            "Screening: pregnant, trying to conceive or breastfeeding: defer cosmetic treatment",
            "DOMAIN §10 rule 27; S99; S33; S57",
        )
    return _finding(
        "caution.pregnancy",
        Level.OVERRIDE,
        "Screening: pregnant, trying to conceive or breastfeeding: treat only with a "
        "documented risk-benefit decision; record the reason",
        "DOMAIN §10 rule 27; S99; S33; S57",
    )


@rule
def bleeding_and_interactions(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None:
        return []
    findings: list[Finding] = []
    if screening.bleeding_risk and session.indication.safety_profile != "bladder":
        findings += _finding(
            "caution.bleeding",
            Level.WARN,
            "Screening: blood thinners or a bleeding disorder: risk of bruising and haematoma",
            "DOMAIN §10 rule 28; S90",
        )
    if screening.interacting_medicines:
        findings += _finding(
            "caution.interactions",
            Level.WARN,
            "Screening: aminoglycosides, spectinomycin, neuromuscular blockers, muscle "
            "relaxants, anticholinergics or magnesium: the toxin effect may be potentiated",
            "DOMAIN §10 rule 28; S89; S40; S53b",
        )
    return findings


# Rules 29-32: age and licensing -------------------------------------------------------------


@rule
def cosmetic_minimum_age(session, history, reference) -> list[Finding]:
    minimum = _param(reference, "cosmetic_min_age_years")
    if not _is_cosmetic(session) or _age(session) >= minimum:
        return []
    return _finding(
        "age.cosmetic_under_18",
        Level.BLOCK,
        f"Patient is {_age(session)} on {_d(session.on)}: cosmetic toxin treatment under "
        f"{_num(minimum)} is an offence in England",
        _source("DOMAIN §10 rule 29; S74", _param_source(reference, "cosmetic_min_age_years")),
    )


@rule
def cosmetic_older(session, history, reference) -> list[Finding]:
    caution = _param(reference, "cosmetic_caution_age_years")
    if not _is_cosmetic(session):
        return []
    age, product = _age(session), session.product
    reasons = []
    if age >= caution:
        reasons.append(f"limited data from {_num(caution)}")
    licence_max = product.cosmetic_max_age_years if product else None
    if licence_max is not None and age >= licence_max:
        reasons.append(
            f"{product.brand} is licensed for cosmetic use under {product.cosmetic_max_age_years}"
        )
    if not reasons:
        return []
    return _finding(
        "age.cosmetic_older",
        Level.WARN,
        f"Patient is {age}: outside the licensed cosmetic population ({'; '.join(reasons)})",
        _source(
            "DOMAIN §10 rule 30; S30; S32; S40",
            _param_source(reference, "cosmetic_caution_age_years"),
        ),
    )


@rule
def therapeutic_minimums(session, history, reference) -> list[Finding]:
    if session.indication.category != THERAPEUTIC:
        return []
    guideline = session.guideline
    source = _source("DOMAIN §10 rule 31; S8; S45; S17", guideline.source if guideline else "")
    findings: list[Finding] = []
    minimum, age = licensed_min_age(session), _age(session)
    if minimum is not None and age < minimum:
        findings += _finding(
            "age.below_licensed",
            Level.OVERRIDE,
            f"Patient is {age}: below the licensed minimum age of {minimum} for "
            f"{session.indication.name} (off-label); record the reason",
            source,
        )
    if _below_licensed_weight(session):
        findings += _finding(
            "weight.below_licensed",
            Level.OVERRIDE,
            f"Weight {_num(session.weight_kg)} kg is below the licensed minimum of "
            f"{_num(guideline.min_weight_kg)} kg (off-label); record the reason",
            source,
        )
    return findings


@rule
def off_label_consent(session, history, reference) -> list[Finding]:
    if session.off_label_consent or not is_off_label(session):
        return []
    product = session.product.brand if session.product else "This product"
    return _finding(
        "licence.off_label_consent",
        Level.BLOCK,
        f"{product} for {session.indication.name} is off-label for this patient: record the "
        f"off-label consent",
        "DOMAIN §10 rule 32; S71",
    )


# Rules 35 and 40: consent and safety-net advice ---------------------------------------------


@rule
def consent(session, history, reference) -> list[Finding]:
    if session.consent_taken:
        return []
    return _finding(
        "consent.missing",
        Level.BLOCK,
        "Consent for this treatment episode has not been recorded",
        "DOMAIN §10 rule 35; S73; S71",
    )


@rule
def spread_advice(session, history, reference) -> list[Finding]:
    if session.spread_advice_given:
        return []
    return _finding(
        "advice.spread_not_given",
        Level.BLOCK,
        "Advice not recorded: seek urgent care for swallowing, speech or breathing problems "
        "up to 4 weeks after injection",
        "DOMAIN §10 rule 40; S89; S56",
    )


# Rule 33: chronic migraine continuation (NICE TA260) ------------------------------------

RULE_33 = "DOMAIN §10 rule 33; S58"
NICE_PARAMETER_KEYS = (
    "nice_min_headache_days",  # 15 a month at baseline
    "nice_min_migraine_days",  # 8 of them migraine
    "nice_min_failed_preventives",  # 3
    "nice_min_reduction_percent",  # 30% fewer headache days after 2 cycles
    "nice_episodic_months",  # 3 months running below 15 days: episodic
)


@rule
def nice_continuation(session, history, reference) -> list[Finding]:
    """WARN, not BLOCK: NICE's criteria govern NHS funding and continuation advice; the
    prescriber decides (DOMAIN §8: verify before encoding as hard blocks)."""
    diary = history.migraine
    if session.indication.safety_profile != "chronic-migraine" or diary is None:
        return []
    source = _source(RULE_33, _param_source(reference, *NICE_PARAMETER_KEYS))
    min_days = _param(reference, "nice_min_headache_days")
    if diary.baseline_headache_days is None:
        return _finding(
            "nice.baseline_missing",
            Level.WARN,
            "No baseline headache diary recorded: NICE TA260 needs headache and migraine "
            "days a month before the first cycle",
            source,
        )
    findings: list[Finding] = []
    if diary.cycles_completed == 0:
        unmet = []
        if diary.baseline_headache_days < min_days:
            unmet.append(
                f"{_num(diary.baseline_headache_days)} headache days a month "
                f"(needs {_num(min_days)})"
            )
        min_migraine = _param(reference, "nice_min_migraine_days")
        if diary.baseline_migraine_days is not None and diary.baseline_migraine_days < min_migraine:
            unmet.append(
                f"{_num(diary.baseline_migraine_days)} migraine days (needs {_num(min_migraine)})"
            )
        min_failed = _param(reference, "nice_min_failed_preventives")
        if diary.preventives_failed is not None and diary.preventives_failed < min_failed:
            unmet.append(
                f"{diary.preventives_failed} preventive treatments failed "
                f"(needs {_num(min_failed)})"
            )
        if unmet:
            findings += _finding(
                "nice.not_eligible",
                Level.WARN,
                "NICE TA260 starting criteria not met: " + "; ".join(unmet),
                source,
            )
    recent = diary.monthly_headache_days
    if diary.cycles_completed >= 2 and recent and diary.baseline_headache_days > 0:
        latest = recent[-1]
        reduction = (diary.baseline_headache_days - latest) / diary.baseline_headache_days * 100
        needed = _param(reference, "nice_min_reduction_percent")
        if reduction < needed:
            fell = _num(reduction.quantize(Decimal("0.1")))
            findings += _finding(
                "nice.stop_poor_response",
                Level.WARN,
                f"Stop per NICE TA260: headache days fell {fell}% "
                f"({_num(diary.baseline_headache_days)} to {_num(latest)} a month) after "
                f"{diary.cycles_completed} cycles; continuation needs at least {_num(needed)}%",
                source,
            )
    months = int(_param(reference, "nice_episodic_months"))
    if len(recent) >= months and all(days < min_days for days in recent[-months:]):
        findings += _finding(
            "nice.stop_episodic",
            Level.WARN,
            f"Stop per NICE TA260: fewer than {_num(min_days)} headache days a month for "
            f"{months} months running ({', '.join(_num(d) for d in recent[-months:])}): the "
            f"migraine has become episodic",
            source,
        )
    return findings
