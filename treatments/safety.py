"""The dose-safety engine: pure functions over plain data, no ORM inside.

`evaluate(session, history, reference)` runs every rule of DOMAIN.md §10 (rules 1-32;
rule 33, the NICE continuation rule, needs outcome data and lives with the outcomes) and
returns findings. Each rule is one small function with a stable code, a level and the
source it comes from:

- BLOCK: the session cannot be signed;
- OVERRIDE: signable only with a reason the practitioner records;
- WARN: shown, and acknowledged at signing.

Thresholds come from reference data (DoseLimit, DoseGuideline, SiteTemplate,
SafetyParameter rows) passed in `ReferenceFacts`; none is a literal here. Units are only
ever added up within one unit family: they are never summed or converted across families
(DOMAIN §1.2). The selector `treatments.selectors.safety_inputs_for_session` builds the
inputs; the signing service runs the same evaluation again, so no path skips it.

Day arithmetic: a prior dose is "within a window of N days" when it was given fewer than
N days before the session date (0..N-1 days ago). An interval of N days is respected when
at least N days have passed. A limit is exceeded only when a total is strictly above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
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


@dataclass(frozen=True)
class VialFacts:
    id: int
    product_slug: str
    lot: str
    expiry: date | None
    reconstituted_at: datetime | None
    units_per_ml: Decimal | None
    discarded: bool = False
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


@dataclass(frozen=True)
class PatientHistory:
    doses: tuple[PriorDose, ...] = ()  # excludes the proposed session itself
    screening: ScreeningFacts | None = None
    pvr_recorded_before: bool = False  # an earlier bladder session recorded a PVR


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

Rule = Callable[[ProposedSession, PatientHistory, ReferenceFacts], list[Finding]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a rule function; evaluate() runs them in registration order."""
    RULES.append(function)
    return function


def evaluate(
    session: ProposedSession, history: PatientHistory, reference: ReferenceFacts
) -> list[Finding]:
    """All findings, most severe first (stable order within a level)."""
    findings: list[Finding] = []
    for check in RULES:
        findings.extend(check(session, history, reference))
    return sorted(findings, key=lambda f: LEVEL_ORDER[f.level])


def is_off_label(session: ProposedSession) -> bool:
    """Rule 32: licensed only when a UK-licensed guideline row exists for the product and
    indication, the indication is not itself off-label/investigational, and the patient is
    within the guideline's (or indication's) age and weight."""
    raise NotImplementedError
