"""Treatment plans: what a patient is treated for, with which product, how often and
where (point templates, recipes per muscle, paediatric doses), and the records of one
planned, prepared and signed session.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from patients.models import IntakeQuestionnaire, Patient
from treatments.models import Indication, TreatmentSession, Vial, VialDraw

ADULT_PLAN_SHARE = 0.55


CHILD_PLAN_SHARE = 0.4


CONFIRMED = {"screening_reviewed": True, "consent_taken": True, "spread_advice_given": True}


END_OF_SESSION = "End of session"


D = Decimal


ONE = D(1)


@dataclass(frozen=True)
class PlanKind:
    """A kind of treatment plan: what is treated with which product, and how."""

    key: str
    indication: str  # Indication slug
    product: str  # Product slug
    weight: float  # how common, relative to the other kinds
    units_per_ml: Decimal  # the usual dilution for this use
    templates: tuple[str, ...]  # SiteTemplate slugs the points are built from
    child: bool = False
    early_reason: str = ""  # override reason when a session comes before the interval
    nurse_share: float = 0.1  # share of plans looked after by the nurse practitioner
    instead: str = ""  # kind used when the product is contraindicated (milk protein)
    upsize: float = 0.0  # chance of a bigger vial than the smallest that holds the dose


AZZALURE_PER_ML = D(125) / D("0.63")  # 125 U + 0.63 mL: 10 U per 0.05 mL


# key: indication, product, relative weight, units per mL at the usual dilution for the
# use, point templates. BOTOX 100 U + 2 mL (50 U/mL), 4 U per 0.1 mL for the face, 100 U
# in 10 mL for the bladder and in 4 mL for axillae and eyelids; Dysport 500 U + 2.5 mL;
# Azzalure 125 U + 0.63 mL; Bocouture 50 U + 1.25 mL.
ADULT_PLANS = {
    "migraine": ("chronic-migraine", "botox", 22, 50, ("preempt",)),
    "glabellar-botox": ("glabellar-lines", "botox", 10, 40, ("glabellar-botox",)),
    "glabellar-azzalure": (
        "glabellar-lines",
        "azzalure",
        5,
        AZZALURE_PER_ML,
        ("glabellar-azzalure",),
    ),
    "glabellar-bocouture": ("glabellar-lines", "bocouture", 4, 40, ()),
    "crows-feet": ("lateral-canthal-lines", "botox", 8, 40, ("crows-feet-botox",)),
    "forehead": ("forehead-lines", "botox", 6, 40, ("forehead-botox", "glabellar-botox")),
    "axillary": ("hyperhidrosis-axillary", "botox", 6, 25, ("axillary-grid",)),
    "cd-dysport": ("cervical-dystonia", "dysport", 7, 200, ()),
    "cd-botox": ("cervical-dystonia", "botox", 3, 50, ()),
    "oab": ("oab", "botox", 6, 10, ("oab-20",)),
    "blepharospasm": ("blepharospasm", "botox", 4, 25, ()),
    "spasticity-botox": ("spasticity-ul-adult", "botox", 4, 50, ()),
    "spasticity-dysport": ("spasticity-ul-adult", "dysport", 3, 200, ()),
    "tmd": ("tmd-bruxism", "botox", 2, 50, ()),  # off-label
}


CHILD_PLANS = {
    "paed-ul-botox": ("spasticity-paed-ul", "botox", 3, 50, ()),
    "paed-ul-dysport": ("spasticity-paed-ul", "dysport", 2, 200, ()),
    "paed-ll-botox": ("spasticity-paed-ll", "botox", 3, 50, ()),
    "paed-ll-dysport": ("spasticity-paed-ll", "dysport", 3, 200, ()),
}


CD_EARLY = "Dystonic pain back at 9 weeks, off work; discussed risk of antibodies"


SPASTICITY_EARLY = "Serial casting starts next week; physiotherapist asked for an early cycle"


EARLY_REASONS = {
    "migraine": "Severe breakthrough migraine; discussed risk of antibodies",
    "cd-dysport": CD_EARLY,
    "cd-botox": CD_EARLY,
    "oab": "Urgency incontinence back at 10 weeks; urology agreed to treat early",
    "spasticity-botox": SPASTICITY_EARLY,
    "spasticity-dysport": SPASTICITY_EARLY,
}


NURSE_SHARES = {
    "migraine": 0.25,
    "glabellar-botox": 0.6,
    "glabellar-azzalure": 0.6,
    "glabellar-bocouture": 0.6,
    "crows-feet": 0.6,
    "forehead": 0.6,
    "axillary": 0.2,
    "tmd": 0.3,
    "oab": 0,  # cystoscopy: the doctor
}


MILK_FREE_INSTEAD = {
    "glabellar-azzalure": "glabellar-botox",
    "cd-dysport": "cd-botox",
    "spasticity-dysport": "spasticity-botox",
    "paed-ul-dysport": "paed-ul-botox",
    "paed-ll-dysport": "paed-ll-botox",
}


UPSIZE = {"glabellar-botox": 0.3, "glabellar-bocouture": 0.2, "crows-feet": 0.3}


def plan_kinds(table: dict, *, child: bool) -> tuple[PlanKind, ...]:
    return tuple(
        PlanKind(
            key,
            indication,
            product,
            weight,
            D(units_per_ml),
            templates,
            child=child,
            early_reason=EARLY_REASONS.get(key, ""),
            nurse_share=0 if child else NURSE_SHARES.get(key, 0.1),
            instead=MILK_FREE_INSTEAD.get(key, ""),
            upsize=UPSIZE.get(key, 0.0),
        )
        for key, (indication, product, weight, units_per_ml, templates) in table.items()
    )


ADULT_KINDS = plan_kinds(ADULT_PLANS, child=False)


CHILD_KINDS = plan_kinds(CHILD_PLANS, child=True)


GLABELLAR_KINDS = {"glabellar-botox", "glabellar-azzalure", "glabellar-bocouture"}


COSMETIC_KINDS = GLABELLAR_KINDS | {"crows-feet", "forehead"}


# Cervical dystonia (rotational): splenius capitis, trapezius and levator scapulae on the
# side the head turns to, sternocleidomastoid on the other. Units per muscle.
CD_DYSPORT_RECIPES = ((200, 150, 100, 50), (250, 125, 125, 0), (150, 100, 100, 50))


CD_BOTOX_RECIPES = ((60, 40, 40, 30), (50, 30, 30, 20), (75, 50, 50, 25))


# Upper-limb spasticity: muscle, usual doses, needle points (biceps always first).
UL_BOTOX = (
    ("biceps-brachii", (50, 60, 75, 100), 2),
    ("brachialis", (30, 40, 50), 1),
    ("brachioradialis", (25, 30, 40), 1),
    ("flexor-carpi-radialis", (25, 40, 50), 1),
    ("flexor-carpi-ulnaris", (20, 30, 40), 1),
    ("flexor-digitorum-superficialis", (30, 40, 50), 2),
    ("flexor-digitorum-profundus", (30, 40, 50), 2),
    ("flexor-pollicis-longus", (10, 20), 1),
    ("adductor-pollicis", (10, 20), 1),
)


UL_DYSPORT = (
    ("biceps-brachii", (200, 250, 300), 2),
    ("brachialis", (100, 150), 1),
    ("brachioradialis", (100,), 1),
    ("flexor-carpi-radialis", (100, 150), 1),
    ("flexor-carpi-ulnaris", (100,), 1),
    ("flexor-digitorum-superficialis", (100, 150), 2),
    ("flexor-digitorum-profundus", (100, 150), 2),
    ("flexor-pollicis-longus", (50,), 1),
    ("adductor-pollicis", (25, 50), 1),
)


TOP_UP_REASONS = (
    "Asymmetric result at the 2-week review: residual movement in the {side} corrugator",
    "Residual frown at the 2-week review ({side} corrugator); top-up agreed at consent",
)


def plan_weight(kind: PlanKind, age: int, female: bool) -> float:
    """How likely a kind of plan is for a patient of this age and sex (relative)."""
    key, weight = kind.key, kind.weight
    if key in COSMETIC_KINDS:
        weight *= (0.3 if age >= 65 else 0.5 if age < 23 else 1.0) * (1.0 if female else 0.4)
    elif key == "migraine":
        weight *= (1.3 if age < 60 else 0.4) * (1.0 if female else 0.4)
    elif key == "oab":
        weight *= (2.0 if age >= 55 else 0.3) * (1.0 if female else 0.5)
    elif key == "blepharospasm":
        weight *= 2.0 if age >= 50 else 0.2
    elif key == "axillary":
        weight *= 1.5 if age < 45 else 0.3
    elif key == "tmd":
        weight *= 1.0 if age < 55 else 0.3
    elif key.startswith("spasticity"):
        weight *= 1.5 if age >= 50 else 0.6
    elif key.startswith("cd-"):
        weight *= 1.2 if 30 <= age < 70 else 0.5
    return weight


def round_to(value: float, step: int) -> Decimal:
    return D(max(step, round(value / step) * step))


def needles(units: Decimal, default: int, most: int) -> int:
    """Needle points at a site: the usual number, more when a point would exceed `most` U."""
    return max(default, math.ceil(units / most))


def child_weight(age_years: float, build: float) -> Decimal:
    """A plausible weight for age (kg, one decimal), scaled by the child's build."""
    base = 2 * age_years + 8 if age_years <= 10 else 28 + (age_years - 10) * 5
    return D(base * build).quantize(D("0.1"))


@dataclass
class Plan:
    """One patient's course of treatment, replayed from `start` until `end` (exclusive)."""

    patient: Patient
    kind: PlanKind
    start: date
    end: date  # today, or the day the patient was archived
    questionnaires: list  # IntakeQuestionnaire rows not yet filed, oldest first
    priors: list  # PriorTreatment rows reported on those questionnaires
    practitioner: object
    side: str = "left"  # side of a one-sided problem (dystonia turn, hemiplegia)
    both_sides: bool = True  # both legs (diplegia) for lower-limb spasticity
    build: float = 1.0  # a child's weight-for-age factor
    muscles: tuple = ()  # spasticity pattern, kept from cycle to cycle
    screening: IntakeQuestionnaire | None = None  # the latest filed questionnaire
    last_day: date | None = None
    last_session: TreatmentSession | None = None
    signed: int = 0
    # Bulk path: what the engine's history would read from the database.
    doses: list = field(default_factory=list)  # signed sessions here (safety.PriorDose)
    elsewhere: list = field(default_factory=list)  # filed toxin-elsewhere reports
    pvr_recorded: bool = False
    # Rule 34: the prescriber's face-to-face assessment before the first cosmetic session.
    assessed_on: date | None = None


@dataclass
class SessionPlan:
    indication: Indication
    points: list  # (site slug, side, units, needle points)
    fields: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)  # override reasons by finding code
    top_up: bool = False


@dataclass
class Prepared:
    """One session with its points and vial as generated, before it is recorded."""

    plan: Plan
    session: TreatmentSession  # unsaved draft
    points: list  # unsaved InjectionPoint rows
    vial: Vial  # unsaved, as received
    draw: VialDraw  # the units the session takes from its vial
    total: Decimal
    diluent: Decimal
    reasons: dict
    received_at: datetime
    made: datetime  # reconstituted
    signed_at: datetime
    discarded_at: datetime


@dataclass
class Pending:
    """Rows the bulk path has made and flush() inserts."""

    vials: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    points: list = field(default_factory=list)
    draws: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    assessments: list = field(default_factory=list)


@dataclass
class Signed:
    session: TreatmentSession
    kind: str
    signed_at: datetime
