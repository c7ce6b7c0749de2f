"""The plain data the engine takes: a proposed session, the patient's history and the
reference data, built by `treatments.selectors.safety_inputs_for_session`. Frozen
dataclasses, no ORM."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from treatments.safety.levels import Level


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
    # When the vial was discarded (None: still in use). A vial thrown away after the
    # session's time may be the one it drew from: the record is completed afterwards.
    discarded_at: datetime | None = None
    discard_reason: str = ""
    # Its stock label as on the carton ("C6056C3/05": lot / number), which the messages
    # name it by; empty where not known (the id and lot are said instead).
    label: str = ""
    # The day it came into the clinic (None: not known): a session of an earlier day cannot
    # have drawn from it.
    received_on: date | None = None
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
    urinary_infection: bool = False  # rule 26: a UTI now
    urinary_retention: bool = False  # rule 26: difficulty emptying the bladder
    can_self_catheterise: bool = False  # rule 26: performs CIC
    migraine_preventives_failed: int | None = None
    # Rule 27: the patient's sex as recorded clinically (patients.Sex value: "female",
    # "male", "indeterminate", "not-known"), read with the answers because it decides
    # whether pregnancy is asked again at every session; blank when not supplied (asked).
    patient_sex: str = ""


@dataclass(frozen=True)
class PriorDose:
    """A toxin dose before this session: a signed session here, or one the patient
    reported from elsewhere (units may then be unknown). A dose from elsewhere of a
    product not on our list has a blank product_slug and unit_family (family unknown:
    its units are never added to any family's) and the product's name as recorded in
    `brand`."""

    on: date
    product_slug: str
    brand: str
    unit_family: str  # "" = unknown (a product not on our list)
    units: Decimal | None
    indication_slug: str | None = None
    session_id: int | None = None
    elsewhere: bool = False
    indication_name: str = ""  # how messages name it (the slug is for matching)
    indication_category: str = ""  # "cosmetic", "therapeutic", ... (rule 34)
    clinic_name: str = ""
    # Rule 20: the points (muscle group, side, units) of the index session the proposed
    # top-up is linked to, for the episode's per-group and per-side totals; empty for
    # every other dose.
    points: tuple[PointFacts, ...] = ()

    @property
    def family_unknown(self) -> bool:
        return not self.unit_family


@dataclass(frozen=True)
class RecordedReaction:
    """A side effect recorded here that rule 21 reads: a hypersensitivity reaction (its
    term marked so in the reference data), or any report still awaiting a practitioner's
    review (reception logs a call without a term: it may be one). `brand`: the product of
    the session it followed ("" when none was named); `causality`: the WHO-UMC category,
    "" until a practitioner has assessed it."""

    onset_on: date
    term: str
    brand: str = ""
    causality: str = ""
    hypersensitivity: bool = True
    reviewed: bool = True
    causality_label: str = ""  # as staff read it ("Probable / likely")


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
    # Further vials when the dose needs more than one, e.g. 2 x 100 U for PREEMPT.
    extra_vials: tuple[VialFacts, ...] = ()
    # Rule 20: the index session this top-up is linked to by the practitioner.
    top_up_of_session_id: int | None = None
    # Rule 29: the practitioner judged the patient may be under the age limit, and what
    # was seen to verify the age (blank: nothing recorded).
    looks_young: bool = False
    age_evidence_seen: str = ""
    # Rule 29b: the treating practitioner is a registered medical practitioner (GMC), or a
    # regulated health professional (nurse, dentist, pharmacist: the Act's s1(7)), and the
    # session records a directing doctor who is a registered medical practitioner. Unknown
    # counts as not.
    practitioner_is_doctor: bool = False
    practitioner_is_regulated: bool = False
    directing_doctor_is_doctor: bool = False


@dataclass(frozen=True)
class UnsignedSession:
    """Another session here for the patient, still a draft: the windows and intervals
    count signed sessions only, so a treatment given but left unsigned is in none of them.
    `on`: its date (Europe/London); `units`: the units entered on its points so far."""

    on: date
    brand: str
    indication_name: str
    practitioner: str
    units: Decimal


@dataclass(frozen=True)
class PatientHistory:
    doses: tuple[PriorDose, ...] = ()  # excludes the proposed session itself
    screening: ScreeningFacts | None = None
    pvr_recorded_before: bool = False  # an earlier bladder session recorded a PVR
    migraine: MigraineDiaryFacts | None = None  # rule 33; None until outcomes are recorded
    prescriber_assessment: PrescriberAssessmentFacts | None = None  # rule 34: the latest
    reactions: tuple[RecordedReaction, ...] = ()  # rule 21: hypersensitivity recorded here
    unsigned: tuple[UnsignedSession, ...] = ()  # other drafts: counted in no window


@dataclass(frozen=True)
class PrescriberAssessmentFacts:
    """A prescriber's face-to-face assessment of the patient (rule 34), on or before the
    session date."""

    assessed_on: date
    prescriber: str


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
