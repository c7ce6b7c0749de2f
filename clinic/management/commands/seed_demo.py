"""Seed a realistic, invented demo clinic: staff accounts, patients, questionnaires and,
at demo size, 18 months of treatment: vials, signed sessions, findings, addenda, tasks.

Sized by flags and fast (bulk inserts in batches, history rows included), so the same
command fills a laptop demo (`make run`) or 100,000 patients for a benchmark:

    manage.py seed_demo                     # 250 patients with treatment, demo logins
    manage.py seed_demo --patients 100000   # benchmark size (patients only: see --sessions)
    manage.py seed_demo --if-empty          # only when no patient exists (make run)
    manage.py seed_demo --patients 8000 --sessions   # treatment history above 5,000 too

--sessions / --no-sessions: add the treatment history, or not. Default: on up to 5,000
patients, off above, so the 100,000-patient benchmark seed is no slower than before
(patients and questionnaires only). Up to 2,000 patients (REPLAY_MAX_PATIENTS) each
session is signed by services.session_sign, one at a time (about 30 ms a session on
SQLite: some 15 s for the default demo); above, the same safety engine is run in memory on
the same facts and the rows are inserted in bulk (5,000 patients, 8,500 sessions: about a
minute). A test checks that both ways record the same data.

The history is replayed in date order for each patient. Vials and draft sessions are
written as the services write them; services.session_sign signs (every safety rule runs
again, so findings, override reasons and rule-made follow-ups are the engine's own),
services.vial_discard discards (it checks drawn + wasted against the vial), and
followup_complete, followup_create and session_add_addendum do the rest; today's draft
goes through session_start and session_save_draft. While it runs, a replay clock makes
django.utils.timezone.now() return the moment each step happened, so signed_at,
discarded_at, done_at and history dates are the dates of the story.

What it adds (all invented), over the last 18 months:
- a plan for about 55% of adults (children: paediatric spasticity with weight, or
  nothing): chronic migraine (BOTOX, PREEMPT), glabellar lines (BOTOX, Azzalure or
  Bocouture), crow's feet, forehead with glabellar, axillary hyperhidrosis, cervical
  dystonia (Dysport 500 U or BOTOX), overactive bladder, blepharospasm, adult upper-limb
  spasticity (BOTOX or Dysport) and a few off-label masseter (TMD) patients;
- sessions every minimum interval + 0-8 weeks, a few early (an override with a reason)
  and a few glabellar top-ups within 2 weeks; each session has its own vial, received 1-6
  weeks before (lot, expiry), reconstituted that day at the usual dilution and discarded
  at the end with the rest recorded as waste, so every vial reconciles;
- a questionnaire on file before every session (filed in date order, so the engine sees
  the answers that stood that day); rule-made follow-ups, the older ones done; a few
  hand-made tasks, addenda and vials wasted for other reasons;
- today: one draft chronic-migraine session and stock: 2-4 unopened vials of each
  formulary product, a BOTOX 100 U vial reconstituted this morning (usable now) and one
  reconstituted yesterday (past its use-by, so not offered).
Sessions the engine refuses to sign are left as drafts and counted in the output (the
generator aims for none).

Every name, date, phone and NHS number is generated: NHS numbers come from the 999
range that is never issued to real people, and mobile numbers from 07700 900xxx (Ofcom's
drama range) where the demo is small enough.
"""

import argparse
import math
import random
import time
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.roles import Role
from clinic.staff.services import staff_record_created
from patients.choices import PatientStatus, ReferralSource, Sex, Title, YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from patients.services import allocate_record_numbers
from patients.validators import NHS_WEIGHTS
from treatments import safety, selectors, services
from treatments.choices import FollowUpKind, SafetyLevel, SafetyProfile, SessionStatus
from treatments.models import (
    AnatomicalSite,
    DoseGuideline,
    FollowUp,
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    OutcomeInstrument,
    Product,
    SessionAddendum,
    SessionFinding,
    SideEffect,
    SideEffectTerm,
    SiteTemplate,
    TreatmentSession,
    Vial,
    VialDraw,
)

DEMO_PASSWORD = "clinic-demo-2026"  # noqa: S105 - printed in the README; demo seed only

STAFF = [
    # username, first, last, role, is_staff (admin site), is_superuser
    ("reception", "Rita", "Okafor", Role.RECEPTION, False, False),
    ("practitioner", "Amelia", "Hart", Role.PRACTITIONER, False, False),
    ("manager", "Marcus", "Reid", Role.MANAGER, True, False),
    ("admin", "System", "Administrator", None, True, True),
    ("nurse", "Priya", "Shah", Role.PRACTITIONER, False, False),
]

STREETS = [
    "Kensington Church Street",
    "Holland Park Avenue",
    "Earls Court Road",
    "Gloucester Road",
    "Old Brompton Road",
    "Fulham Road",
    "Ladbroke Grove",
    "Portobello Road",
    "Abingdon Road",
    "Stratford Road",
    "Phillimore Gardens",
    "Campden Hill Road",
    "Warwick Gardens",
    "Cromwell Road",
    "Pembroke Road",
    "Redcliffe Square",
    "Queen's Gate",
    "Elgin Crescent",
    "Westbourne Grove",
    "Addison Road",
    "Edwardes Square",
    "Marloes Road",
    "Launceston Place",
    "Hornton Street",
    "Sheffield Terrace",
    "Palace Gardens Terrace",
    "Lexham Gardens",
    "Harrington Road",
    "Drayton Gardens",
    "Sydney Street",
    "King's Road",
    "Lillie Road",
    "North End Road",
    "Goldhawk Road",
    "Chiswick High Road",
    "Askew Road",
    "Bassett Road",
]
TOWNS = ["London"] * 12 + [
    "Richmond",
    "Twickenham",
    "Ealing",
    "Kingston upon Thames",
    "Wimbledon",
    "Harrow",
    "Slough",
    "Reading",
    "Guildford",
    "Watford",
]
OUTWARD = [
    "W8",
    "W14",
    "SW7",
    "SW5",
    "SW10",
    "SW3",
    "W11",
    "W10",
    "W2",
    "W6",
    "W4",
    "W12",
    "SW6",
    "SW1X",
    "NW1",
    "SE1",
    "TW9",
    "TW1",
    "W5",
    "KT1",
    "SW19",
    "HA1",
    "SL1",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PRACTICES = [
    "Kensington Park Medical Centre",
    "Holland Park Surgery",
    "Earls Court Health & Wellbeing",
    "The Abingdon Health Centre",
    "Stanhope Mews Surgery",
    "Knightsbridge Medical Centre",
    "Barlby Surgery",
    "Colville Health Centre",
    "Brompton Medical Centre",
    "The Good Practice",
    "Chelsea Practice",
    "Westbourne Medical Centre",
]
RELATIONSHIPS = [
    "Spouse",
    "Partner",
    "Mother",
    "Father",
    "Daughter",
    "Son",
    "Sister",
    "Brother",
    "Friend",
]
MEDICATIONS = [
    "",
    "",
    "",
    "Sumatriptan 50 mg as needed",
    "Propranolol 40 mg twice daily",
    "Topiramate 50 mg twice daily",
    "Amitriptyline 10 mg at night",
    "Levothyroxine 75 mcg",
    "Ramipril 5 mg daily",
    "Atorvastatin 20 mg",
    "Sertraline 50 mg",
    "Oxybutynin 5 mg",
    "Apixaban 5 mg twice daily",
    "Aspirin 75 mg daily",
    "Baclofen 10 mg three times daily",
    "Combined oral contraceptive",
    "Vitamin D 1000 IU",
]


# Baseline score ranges per indication for the demo's outcome charts (invented data, within
# each instrument's range in the reference data; all lower-is-better scales).
OUTCOME_BASELINES = {
    "chronic-migraine": (
        ("headache-days", (16, 24)),
        ("migraine-days", (9, 15)),
        ("hit6", (60, 72)),
    ),
    "hyperhidrosis-axillary": (("hdss", (3, 4)),),
    "cervical-dystonia": (("twstrs", (30, 50)),),
    "oab": (("ui-episodes-day", (3, 8)),),
    "glabellar-lines": (("fws", (2, 3)),),
    "lateral-canthal-lines": (("fws", (2, 3)),),
    "forehead-lines": (("fws", (2, 3)),),
    "blepharospasm": (("jrs", (4, 7)),),
}


def nhs_check_digit(first_nine: str) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


# Treatment history ----------------------------------------------------------------------

HISTORY_DAYS = 548  # about 18 months of sessions
SESSIONS_DEFAULT_MAX_PATIENTS = 5000  # above this, --sessions must be asked for
REPLAY_MAX_PATIENTS = 2000  # up to this, sessions are signed by services.session_sign
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
ADDENDA = (
    (
        "Patient call after treatment",
        "Patient phoned two days later: small bruise at one injection site, settling. "
        "No other effects.",
    ),
    (
        "Aftercare advice",
        "Aftercare advice also given in writing: avoid lying flat, massage and strenuous "
        "exercise for 4 hours.",
    ),
    ("Batch check", "Lot number re-checked against the carton after signing: matches."),
)
WRONG_SIDE = (
    "Correction: injection side",
    "Wrong side recorded for one frontalis point: was left, should be right.",
)
FOLLOW_UP_NOTES = {
    FollowUpKind.BLADDER_REVIEW: (
        "PVR {pvr} mL, urine dipstick clear, no UTI symptoms.",
        "PVR {pvr} mL; mild frequency only, continence much better.",
        "PVR {pvr} mL, no retention. Continue at the next cycle.",
    ),
    FollowUpKind.SIDE_EFFECT_REVIEW: (
        "No side effects reported.",
        "Mild injection-site tenderness for a day; nothing to record.",
        "Phoned: all well, no swallowing, speech or breathing problems.",
        "No side effects; happy with the effect so far.",
    ),
    FollowUpKind.OUTCOME_DUE: ("Scores recorded.", "Diary and scores entered."),
    FollowUpKind.REVIEW_CALL: (
        "Happy with the result; no side effects.",
        "Mild headache for two days, settled with paracetamol.",
        "Small bruise at one site, resolved.",
        "No answer at first; called back: all well.",
        "Some improvement so far; review at the next session.",
    ),
}
# Demo side effects (DOMAIN §4.1): likely terms per safety profile, and for cosmetic use.
SIDE_EFFECT_TERMS = {
    "chronic-migraine": (
        "neck-pain",
        "neck-pain",
        "eyelid-ptosis",
        "migraine-exacerbation",
        "neck-stiffness",
        "injection-site-pain",
        "muscular-weakness",
    ),
    "bladder": ("uti", "uti", "dysuria", "urinary-retention"),
    "blepharospasm": ("eyelid-ptosis", "diplopia", "bruising"),
    "strabismus": ("eyelid-ptosis", "diplopia"),
    "general": ("injection-site-pain", "bruising", "muscular-weakness", "dysphagia", "headache"),
    "cosmetic": (
        "bruising",
        "headache",
        "headache",
        "brow-ptosis",
        "eyelid-ptosis",
        "asymmetry",
        "injection-site-reaction",
    ),
}
SIDE_EFFECT_WORDS = {
    "neck-pain": ("Aching neck for a few days after the injections.", "Stiff, sore neck."),
    "eyelid-ptosis": ("Left upper eyelid drooping.", "Right eyelid lower than the left."),
    "brow-ptosis": ("Heavy brows, hard to lift the eyebrows.",),
    "migraine-exacerbation": ("Headaches worse for about a week after treatment.",),
    "neck-stiffness": ("Neck feels stiff when turning the head.",),
    "injection-site-pain": ("Sore at the injection sites for two days.",),
    "muscular-weakness": ("Weakness lifting the head from the pillow.",),
    "uti": ("Burning on passing urine and frequency; dipstick positive.",),
    "dysuria": ("Stinging on passing urine.",),
    "urinary-retention": ("Unable to empty the bladder fully; PVR 350 mL.",),
    "diplopia": ("Double vision looking to the side.",),
    "bruising": ("Small bruise at one injection site.",),
    "headache": ("Headache the day after treatment.",),
    "asymmetry": ("One eyebrow higher than the other.",),
    "injection-site-reaction": ("Redness and small bumps at the sites for a few hours.",),
    "dysphagia": ("Some difficulty swallowing solids.",),
}
SIDE_EFFECT_ACTIONS = {
    "uti": ("treatment",),
    "urinary-retention": ("treatment", "review"),
    "dysphagia": ("review", "dose-changed"),
    "eyelid-ptosis": ("advice", "treatment", "dose-changed"),
    "brow-ptosis": ("advice", "dose-changed"),
}
SIDE_EFFECT_TREATMENTS = {
    "uti": ("Nitrofurantoin 100 mg modified release twice daily for 3 days",),
    "urinary-retention": ("Taught clean intermittent self-catheterisation",),
    "eyelid-ptosis": ("Apraclonidine 0.5% eye drops three times a day",),
}
NOT_REPORTED_REASONS = (
    "Known, listed and non-serious reaction; patient recovered.",
    "Expected local reaction in the SmPC; mild and resolved.",
    "Causality unlikely; better explained by a viral illness.",
)
PHONED_IN = (
    "Patient phoned: left eyelid drooping since yesterday, worse in the evening.",
    "Patient phoned to say her neck has been aching and she finds it hard to lift her head.",
)
# Hand-made tasks: kind, title, due in (days from today, range), which plans.
HAND_TASKS = (
    (FollowUpKind.DIARY_DUE, "Call about headache diary", (0, 5), {"migraine"}),
    (FollowUpKind.SIDE_EFFECT_REVIEW, "Check brow heaviness has settled", (1, 5), COSMETIC_KINDS),
    (
        FollowUpKind.OUTCOME_DUE,
        "HIT-6 and headache days before the next PREEMPT cycle",
        (5, 21),
        {"migraine"},
    ),
    (
        FollowUpKind.OTHER,
        "Chase GP about anticoagulant plan before the next injection",
        (-5, -1),
        {"oab", "cd-botox", "cd-dysport", "spasticity-botox", "spasticity-dysport"},
    ),
    (FollowUpKind.OUTCOME_DUE, "TWSTRS at the next visit", (7, 30), {"cd-botox", "cd-dysport"}),
    (FollowUpKind.OTHER, "Send clinic letter to GP", (1, 7), None),
)
# Vials wasted for other reasons than the end of a session: reason, reconstituted first.
ODD_WASTE = (
    ("Dropped and broken before use", False),
    ("Cold-chain excursion: fridge logged 11 °C overnight; quarantined and discarded", False),
    ("Reconstituted for a patient who did not attend; past its use-by", True),
    ("Vial cracked during reconstitution", True),
)
# Stock dilutions (units per mL): BOTOX 100 U + 2 mL, Dysport 500 U + 2.5 mL, etc.
STOCK_UNITS_PER_ML = {
    "botox": D(50),
    "vistabel": D(40),
    "dysport": D(200),
    "azzalure": AZZALURE_PER_ML,
    "bocouture": D(40),
    "xeomin": D(40),
}


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


def lot_number(rng: random.Random, unit_family: str) -> str:
    """Lot numbers in each manufacturer's style: C4521C3 (Allergan), S12345 (Ipsen),
    A10203 (Merz)."""
    if unit_family == "allergan":
        return f"C{rng.randrange(1000, 10000)}C{rng.randrange(1, 10)}"
    if unit_family == "speywood":
        return f"S{rng.randrange(10000, 100000)}"
    if unit_family == "merz":
        return f"A{rng.randrange(10000, 100000)}"
    return f"L{rng.randrange(100000, 1000000)}"


def aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour, minute)))


def open_day(day: date) -> date:
    """The clinic is closed on Sundays."""
    return day + timedelta(days=1) if day.weekday() == 6 else day


def weekday_before(day: date) -> date:
    """Deliveries come on weekdays: the Friday before a weekend day."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def round_to(value: float, step: int) -> Decimal:
    return D(max(step, round(value / step) * step))


def needles(units: Decimal, default: int, most: int) -> int:
    """Needle points at a site: the usual number, more when a point would exceed `most` U."""
    return max(default, math.ceil(units / most))


def child_weight(age_years: float, build: float) -> Decimal:
    """A plausible weight for age (kg, one decimal), scaled by the child's build."""
    base = 2 * age_years + 8 if age_years <= 10 else 28 + (age_years - 10) * 5
    return D(base * build).quantize(D("0.1"))


class ReplayClock:
    """Makes django.utils.timezone.now() (so localdate(), auto_now fields, history dates
    and the services' own timestamps) return `at` while the seed replays the past. The
    command is single-threaded; the real clock is always put back."""

    def __init__(self):
        self.at: datetime | None = None
        self._real = timezone.now

    def now(self) -> datetime:
        return self.at if self.at is not None else self._real()

    def __enter__(self) -> "ReplayClock":
        timezone.now = self.now
        return self

    def __exit__(self, *exc_info) -> None:
        timezone.now = self._real


class LotCalendar:
    """Deliveries come in lots: a lot number covers 1-3 months of deliveries of one
    presentation and expires 6-21 months after the last one, so every vial expires 6-24
    months after it was received, and a lot recall finds several patients."""

    def __init__(self, rng: random.Random, first: date, last: date):
        self.rng, self.first, self.last = rng, first, last
        self.calendars: dict[tuple, tuple[list[date], list[tuple[str, date]]]] = {}
        self.used: set[str] = set()

    def lot(self, product: Product, presentation: int, received_on: date) -> tuple[str, date]:
        key = (product.slug, presentation)  # each presentation has its own lots
        if key not in self.calendars:
            self.calendars[key] = self._calendar(product)
        starts, lots = self.calendars[key]
        return lots[max(bisect_right(starts, received_on) - 1, 0)]

    def _calendar(self, product: Product):
        starts, lots = [], []
        day = self.first
        while day <= self.last:
            length = self.rng.randrange(30, 91)
            number = lot_number(self.rng, product.unit_family)
            while number in self.used:
                number = lot_number(self.rng, product.unit_family)
            self.used.add(number)
            expiry = day + timedelta(days=length + self.rng.randrange(183, 640))
            starts.append(day)
            lots.append((number, expiry))
            day += timedelta(days=length)
        return starts, lots


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


@dataclass
class Signed:
    session: TreatmentSession
    kind: str
    signed_at: datetime


class TreatmentHistory:
    """Plans treatment for the patients the command creates, then replays it in date
    order: through services.session_sign when `replaying` (see the module docstring),
    else with the same engine in memory and bulk inserts."""

    def __init__(self, command: "Command", rng: random.Random, staff: dict, replaying: bool):
        self.command, self.rng, self.staff, self.replaying = command, rng, staff, replaying
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.has_outcomes: dict[int, bool] = {}  # indication id -> has outcome measures
        self.products = {p.slug: p for p in Product.objects.all()}
        self.formulary = sorted(
            (p for p in self.products.values() if p.on_formulary and p.presentations),
            key=lambda p: p.brand,
        )
        self.indications = {i.slug: i for i in Indication.objects.all()}
        self.sites = {s.slug: s for s in AnatomicalSite.objects.all()}
        self.templates = {
            t.slug: sorted(t.rows.all(), key=lambda r: r.order)
            for t in SiteTemplate.objects.prefetch_related("rows__site")
        }
        self.intervals = {
            (g.indication.slug, g.product.slug): g.min_interval_days
            for g in DoseGuideline.objects.select_related("indication", "product")
            if g.min_interval_days
        }
        self.kinds = {k.key: k for k in ADULT_KINDS + CHILD_KINDS if self.available(k)}
        self.adult_kinds = [k for k in ADULT_KINDS if k.key in self.kinds]
        self.child_kinds = [k for k in CHILD_KINDS if k.key in self.kinds]
        self.lots = LotCalendar(rng, self.today - timedelta(days=HISTORY_DAYS + 60), self.today)
        self.plans: list[Plan] = []
        self.signed: list[Signed] = []
        self.refused: Counter = Counter()
        self.refused_sessions = 0
        self.drafts = 0
        self.vials_used = self.vials_wasted = self.vials_stock = 0
        self.created: dict[type, dict[int, datetime]] = {}
        self.signed_times: dict[int, datetime] = {}
        self.tasks_by_hand = self.addenda = 0
        self.first_session_pk = self.first_task_pk = 0
        self.pending = Pending()
        self.facts: dict = {}  # bulk path: (product, indication) -> guideline, reference
        self.dose_ids = 0

    def available(self, kind: PlanKind) -> bool:
        product = self.products.get(kind.product)
        return (
            kind.indication in self.indications
            and product is not None
            and product.on_formulary
            and all(slug in self.templates for slug in kind.templates)
        )

    # Planning ----------------------------------------------------------------------------
    def choose_kind(self, patient: Patient, today: date) -> PlanKind | None:
        age, rng = patient.age_on(today), self.rng
        if age < 18:
            kinds = self.child_kinds if rng.random() < CHILD_PLAN_SHARE else []
        else:
            kinds = self.adult_kinds if rng.random() < ADULT_PLAN_SHARE else []
        if not kinds:
            return None
        female = patient.sex == Sex.FEMALE
        weights = [plan_weight(kind, age, female) for kind in kinds]
        return rng.choices(kinds, weights=weights)[0]

    def make_plan(self, patient, kind, questionnaires, priors) -> Plan | None:
        """A plan starting in the last 18 months, after registration (and for adult-only
        indications after the 18th birthday), or None when there is no room for one."""
        rng, today = self.rng, self.today
        earliest = max(today - timedelta(days=HISTORY_DAYS), timezone.localdate(patient.created_at))
        if kind.child:
            earliest = max(earliest, patient.date_of_birth + timedelta(days=913))  # 2.5 years
        else:
            earliest = max(earliest, add_years(patient.date_of_birth, 18) + timedelta(days=1))
        end = today
        if patient.archived_at:
            end = min(end, timezone.localdate(patient.archived_at))
        span = (end - earliest).days
        if span < 1 or not questionnaires:
            return None
        # Two in five are established patients, treated since the start of the window.
        offset = rng.randrange(min(span, 45)) if rng.random() < 0.4 else rng.randrange(span)
        start = open_day(earliest + timedelta(days=offset))
        if start >= end:
            return None
        # Cow's milk protein allergy: a product without the contraindication instead.
        contraindicated = self.products[kind.product].milk_protein_contraindicated
        if contraindicated and any(q.allergy_cows_milk_protein for q in questionnaires):
            kind = self.kinds.get(kind.instead, kind)
        nurse = kind.nurse_share and rng.random() < kind.nurse_share
        if kind.indication == "chronic-migraine":
            # NICE TA260 asks for 3 or more failed preventives; a few fall short.
            failed = rng.choice((3, 3, 4, 4, 5, 6, 2))
            for questionnaire in questionnaires:
                questionnaire.migraine_preventives_failed = failed
        return Plan(
            patient=patient,
            kind=kind,
            start=start,
            end=end,
            questionnaires=questionnaires,
            priors=priors,
            practitioner=self.staff["nurse" if nurse else "practitioner"],
            side=rng.choice(("left", "right")),
            both_sides=rng.random() < 0.6,
            build=rng.uniform(0.85, 1.2),
        )

    def interval(self, indication: str, product: str) -> int:
        return self.intervals.get((indication, product)) or (
            self.indications[indication].min_interval_days
        )

    def visits(self, plan: Plan):
        """(day, sessions, is top-up) from the plan's start to its end, in date order."""
        kind, rng = plan.kind, self.rng
        interval = self.interval(kind.indication, kind.product)
        day, number, reasons = plan.start, 0, {}
        while day < plan.end:
            number += 1
            yield day, self.sessions_for(plan, day, number, reasons), False
            if kind.key in GLABELLAR_KINDS and rng.random() < 0.08:
                top_up_day = open_day(day + timedelta(days=rng.randrange(10, 13)))
                if top_up_day < plan.end:
                    yield top_up_day, [self.top_up(plan)], True
                    day = top_up_day
            if rng.random() < 0.07:
                return  # the patient stopped coming
            gap, reasons = interval + rng.randrange(0, 57), {}
            if kind.early_reason and rng.random() < 0.06:
                gap = interval - rng.randrange(7, 22)
                reasons = {"interval.too_soon": kind.early_reason}
            day = open_day(day + timedelta(days=gap))

    def template_points(self, slug: str, optional: int = 0, scale: Decimal = ONE) -> list:
        rows = self.templates[slug]
        chosen = [row for row in rows if not row.optional]
        chosen += self.rng.sample([row for row in rows if row.optional], optional)
        chosen.sort(key=lambda row: row.order)
        return [
            (row.site.slug, row.side, (row.units * scale).quantize(D("0.01")), row.points)
            for row in chosen
        ]

    def sessions_for(self, plan: Plan, day: date, number: int, reasons: dict) -> list:
        kind, rng = plan.kind, self.rng
        key, other = kind.key, "right" if plan.side == "left" else "left"
        male = plan.patient.sex == Sex.MALE
        fields, notes = {}, ""
        if key == "migraine":
            extra = rng.choice((0, 0, 0, 2, 4, 4, 6, 8))
            points = self.template_points("preempt", extra)
            notes = (
                f"PREEMPT cycle {number}: 31 fixed sites"
                + (f" and {extra} follow-the-pain sites" if extra else "")
                + f". Headache days last month: {rng.randrange(6, 25)}."
            )
        elif key == "glabellar-botox":
            strong = D("1.25") if male and rng.random() < 0.35 else D(1)
            points = self.template_points("glabellar-botox", scale=strong)
            notes = "Dynamic glabellar lines at maximum frown; aftercare leaflet given."
        elif key == "glabellar-azzalure":
            points = self.template_points("glabellar-azzalure")
            notes = "Glabellar lines, moderate at maximum frown; aftercare leaflet given."
        elif key == "glabellar-bocouture":  # no template: five points
            u = D(5) if male and rng.random() < 0.35 else D(4)
            points = [
                ("procerus", "midline", u, 1),
                ("corrugator", "left", 2 * u, 2),
                ("corrugator", "right", 2 * u, 2),
            ]
            notes = "Five-point glabellar pattern; aftercare leaflet given."
        elif key == "crows-feet":
            more = D("1.25") if rng.random() < 0.15 else D(1)
            points = self.template_points("crows-feet-botox", scale=more)
            notes = "Lateral canthal lines at maximum smile; three points each side."
        elif key == "forehead":  # forehead lines are treated with the glabellar complex
            glabellar = SessionPlan(
                self.indications["glabellar-lines"],
                self.template_points("glabellar-botox"),
                {"notes": "Glabellar complex treated with the forehead."},
                dict(reasons),
            )
            forehead = SessionPlan(
                self.indications[kind.indication],
                self.template_points("forehead-botox"),
                {"notes": "Five frontalis points, kept 2 cm above the brow."},
                dict(reasons),
            )
            return [glabellar, forehead]
        elif key == "axillary":
            points = self.template_points("axillary-grid")
            notes = "Starch-iodine test: sweating area mapped; ten points each axilla."
        elif key in ("cd-dysport", "cd-botox"):
            dysport = key == "cd-dysport"
            recipe = rng.choice(CD_DYSPORT_RECIPES if dysport else CD_BOTOX_RECIPES)
            most = 200 if dysport else 50
            points = []
            for (site, side, default), units in zip(
                (
                    ("splenius-capitis", plan.side, 2),
                    ("sternocleidomastoid", other, 2),
                    ("trapezius", plan.side, 2),
                    ("levator-scapulae", plan.side, 1),
                ),
                recipe,
                strict=True,
            ):
                if units:
                    points.append((site, side, D(units), needles(D(units), default, most)))
            notes = f"Rotational torticollis to the {plan.side}. TWSTRS {rng.randrange(18, 45)}."
        elif key == "oab":
            points = self.template_points("oab-20")
            fields = {
                "pvr_ml": rng.randrange(15, 150),
                "antibiotic_prophylaxis": True,
                "performs_cic": False,
            }
            if plan.screening and plan.screening.bleeding_risk and rng.random() < 0.8:
                fields["antiplatelet_stopped_days"] = rng.randrange(3, 8)
            notes = "Flexible cystoscopy; 20 intradetrusor injections, trigone spared."
        elif key == "blepharospasm":
            points = []
            for side in ("left", "right"):
                preseptal = (D("7.5"), 3) if rng.random() < 0.5 else (D(5), 2)
                points += [
                    ("orbicularis-oculi-pretarsal", side, D(5), 2),
                    ("orbicularis-oculi-preseptal", side, *preseptal),
                    ("lateral-orbicularis-oculi", side, D("2.5"), 1),
                ]
            notes = "2.5 U per point, five or six points each eye; lid margins avoided."
        elif key in ("spasticity-botox", "spasticity-dysport"):
            menu, cap, most = (
                (UL_DYSPORT, 500, 200) if key.endswith("dysport") else (UL_BOTOX, 200, 50)
            )
            if not plan.muscles:
                plan.muscles = (0, *sorted(rng.sample(range(1, len(menu)), rng.randrange(2, 5))))
            points, total = [], 0
            for index in plan.muscles:
                site, doses, default = menu[index]
                units = rng.choice(doses)
                if total + units <= cap:
                    total += units
                    points.append((site, plan.side, D(units), needles(D(units), default, most)))
            notes = f"Post-stroke spasticity, {plan.side} arm. Modified Ashworth 2-3 at elbow."
        elif key == "tmd":
            units = D(rng.choice((20, 25, 30)))
            points = [("masseter", "left", units, 3), ("masseter", "right", units, 3)]
            if rng.random() < 0.3:
                points += [("temporalis", "left", D(10), 2), ("temporalis", "right", D(10), 2)]
            fields = {"off_label_consent": True}
            notes = "Off-label: masseter hypertrophy with bruxism; night guard continued."
        else:  # paediatric spasticity, dosed by weight
            age = (day - plan.patient.date_of_birth).days / 365.25
            weight = child_weight(age, plan.build)
            points = self.paediatric_points(plan, float(weight))
            fields = {"weight_kg": weight, "weight_measured_on": day}
            notes = f"Weighed today: {weight} kg. GMFCS II; physiotherapy programme continues."
        fields.setdefault("notes", notes)
        return [SessionPlan(self.indications[kind.indication], points, fields, dict(reasons))]

    def paediatric_points(self, plan: Plan, weight: float) -> list:
        rng, key = self.rng, plan.kind.key
        dysport = key.endswith("dysport")
        most = 100 if dysport else 50  # Dysport in children: at most 0.5 mL a point
        if key.startswith("paed-ul"):
            if dysport:
                total = min(round_to(weight * rng.uniform(8, 12), 10), D(500))
            else:
                total = min(round_to(weight * rng.uniform(3, 5), 5), D(200))
            biceps = round_to(float(total) * 0.5, 5)
            wrist = round_to(float(total) * 0.25, 5)
            split = [
                ("biceps-brachii", biceps),
                ("flexor-carpi-ulnaris", wrist),
                ("flexor-carpi-radialis", total - biceps - wrist),
            ]
            return [
                (site, plan.side, units, needles(units, 1, most))
                for site, units in split
                if units > 0
            ]
        sides = ("left", "right") if plan.both_sides else (plan.side,)
        if dysport:
            per_leg = min(round_to(weight * rng.uniform(7.5, 10), 10), D(500 // len(sides)))
        else:
            per_leg = min(round_to(weight * rng.uniform(2.5, 3.5), 5), D(100))
        return [("gastrocnemius", side, per_leg, needles(per_leg, 2, most)) for side in sides]

    def top_up(self, plan: Plan) -> SessionPlan:
        side = self.rng.choice(("left", "right"))
        units = D(10) if plan.kind.product == "azzalure" else D(4)
        reason = self.rng.choice(TOP_UP_REASONS).format(side=side)
        # Recorded on the session (a warning), or given at signing (an override).
        fields, reasons = {}, {}
        if self.rng.random() < 0.5:
            fields["top_up_reason"] = reason
        else:
            reasons["interval.top_up"] = reason
        fields["notes"] = "Top-up at the 2-week review."
        return SessionPlan(
            self.indications["glabellar-lines"],
            [("corrugator", side, units, 1)],
            fields,
            reasons,
            top_up=True,
        )

    # Replay -----------------------------------------------------------------------------
    def replay(self) -> None:
        started = time.monotonic()
        self.first_session_pk = (
            TreatmentSession.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self.first_task_pk = (
            FollowUp.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        with ReplayClock() as clock:
            done = 0
            for chunk in batched(self.plans, 50):
                with transaction.atomic():
                    for plan in chunk:
                        self.replay_plan(plan, clock)
                    self.flush()
                done += len(chunk)
                if len(self.plans) > 1000 and done % 500 == 0:
                    self.command.stdout.write(
                        f"  sessions: {len(self.signed):,} signed for {done:,}/"
                        f"{len(self.plans):,} treated patients "
                        f"({time.monotonic() - started:.1f}s)"
                    )
            with transaction.atomic():
                self.odd_waste(clock)
                self.close_follow_ups(clock)
                self.add_tasks(clock)
                self.add_addenda(clock)
                self.today_draft(clock)
                self.stock(clock)
                self.backdate()
        self.report(time.monotonic() - started)

    def replay_plan(self, plan: Plan, clock: ReplayClock) -> None:
        rng = self.rng
        main = None
        for day, sessions, top_up in self.visits(plan):
            self.file_questionnaires(plan, day)
            practitioner = plan.practitioner
            if plan.kind.nurse_share and rng.random() < 0.1:  # the other one covered
                practitioner = self.staff[
                    "practitioner" if practitioner == self.staff["nurse"] else "nurse"
                ]
            hour = rng.randrange(9, 13 if day.weekday() == 5 else 17)
            at = aware(day, hour, rng.choice((0, 15, 30, 45)))
            for index, spec in enumerate(sessions):
                prepared = self.prepare(
                    plan, spec, at + timedelta(minutes=10 * index), practitioner, main
                )
                if self.replaying:
                    session = self.sign_with_services(prepared, clock)
                else:
                    session = self.sign_in_memory(prepared)
                if index == 0 and not top_up:
                    main = session
            plan.last_day = day
        self.file_questionnaires(plan, None)

    def file_questionnaires(self, plan: Plan, upto: date | None) -> None:
        """File the questionnaires answered by `upto` (all when None), so that the engine
        reads, at each session, the answers that stood that day."""
        due = [q for q in plan.questionnaires if upto is None or q.completed_on <= upto]
        if not due:
            return
        plan.questionnaires = plan.questionnaires[len(due) :]
        IntakeQuestionnaire.objects.bulk_create(due)
        plan.screening = due[-1]
        priors = [
            p for p in plan.priors if p.questionnaire.pk and any(p.questionnaire is q for q in due)
        ]
        PriorTreatment.objects.bulk_create(priors)
        plan.elsewhere += [
            safety.PriorDose(
                on=prior.treated_on,
                product_slug=prior.product.slug,
                brand=prior.product.brand,
                unit_family=prior.product.unit_family,
                units=D(prior.units) if prior.units is not None else None,
                elsewhere=True,
                clinic_name=prior.clinic_name,
            )
            for prior in priors
        ]

    def receive(self, product: Product, presentation: int, on: date, clock: ReplayClock) -> Vial:
        """A vial delivered on a weekday morning and booked in by reception."""
        on = weekday_before(on)
        clock.at = aware(on, self.rng.randrange(9, 12), self.rng.randrange(60))
        lot, expiry = self.lots.lot(product, presentation, on)
        vial = services.vial_receive(
            product=product,
            presentation_units=presentation,
            lot=lot,
            expiry=expiry,
            received_by=self.staff["reception"],
            received_on=on,
        )
        self.created.setdefault(Vial, {})[vial.pk] = clock.at
        return vial

    def presentation(self, product: Product, units: Decimal, upsize: float) -> int:
        sizes = sorted(p for p in product.presentations if p >= units) or [
            max(product.presentations)
        ]
        if len(sizes) > 1 and self.rng.random() < upsize:
            return sizes[1]
        return sizes[0]

    def prepare(self, plan: Plan, spec: SessionPlan, at, practitioner, main) -> Prepared:
        """The session, its points and its vial as they will be recorded, with the times
        of each step: received 1-6 weeks before, reconstituted just before the session at
        the usual dilution, signed after it and discarded at the end."""
        rng = self.rng
        product = self.products[plan.kind.product]
        total = sum((units for _, _, units, _ in spec.points), D(0))
        presentation = self.presentation(product, total, plan.kind.upsize)
        diluent = (D(presentation) / plan.kind.units_per_ml).quantize(D("0.01"))
        per_ml = D(presentation) / diluent
        received_on = weekday_before(timezone.localdate(at) - timedelta(rng.randrange(7, 41)))
        received_at = aware(received_on, rng.randrange(9, 12), rng.randrange(60))
        lot, expiry = self.lots.lot(product, presentation, received_on)
        vial = Vial(
            product=product,
            presentation_units=presentation,
            lot=lot,
            expiry=expiry,
            received_on=received_on,
            received_by=self.staff["reception"],
            created_at=received_at,
        )
        session = TreatmentSession(
            patient=plan.patient,
            practitioner=practitioner,
            indication=spec.indication,
            product=product,
            vial=vial,
            performed_at=at,
            created_at=at,
            top_up_of=main if spec.top_up else None,
            **CONFIRMED,
            **spec.fields,
        )
        points = [
            InjectionPoint(
                session=session,
                order=order,
                site=self.sites[site],
                side=side,
                units=units,
                volume_ml=(units / per_ml).quantize(D("0.001"), rounding=ROUND_HALF_UP),
                points=count,
            )
            for order, (site, side, units, count) in enumerate(spec.points)
        ]
        signed_at = at + timedelta(minutes=rng.randrange(15, 35))
        return Prepared(
            plan=plan,
            session=session,
            points=points,
            vial=vial,
            draw=VialDraw(session=session, vial=vial, units=total),
            total=total,
            diluent=diluent,
            reasons=spec.reasons,
            received_at=received_at,
            made=at - timedelta(minutes=rng.randrange(5, 30)),
            signed_at=signed_at,
            discarded_at=signed_at + timedelta(minutes=rng.randrange(5, 20)),
        )

    @staticmethod
    def reconstitute(vial: Vial, at: datetime, diluent: Decimal, by) -> None:
        """What services.vial_reconstitute records (use-by = time + in-use hours)."""
        vial.reconstituted_at, vial.diluent_ml, vial.reconstituted_by = at, diluent, by
        hours = vial.product.in_use_hours
        vial.use_by = at + timedelta(hours=hours) if hours else None
        vial.version = 2

    def sign_with_services(self, prepared: Prepared, clock: ReplayClock) -> TreatmentSession:
        """Record the vial and the draft, then sign with services.session_sign (every
        rule re-run, findings and rule-made follow-ups written by the service) and discard
        the vial with services.vial_discard (which checks the reconciliation)."""
        vial, session = prepared.vial, prepared.session
        practitioner = session.practitioner
        clock.at = prepared.received_at
        vial._history_user = vial.received_by
        vial.save()
        clock.at = prepared.made
        self.reconstitute(vial, prepared.made, prepared.diluent, practitioner)
        vial._history_user = practitioner
        vial.save()
        clock.at = session.performed_at
        session._history_user = practitioner
        session.save()
        InjectionPoint.objects.bulk_create(prepared.points)
        VialDraw.objects.bulk_create([prepared.draw])
        clock.at = prepared.signed_at
        try:
            session = services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons=prepared.reasons,
                acknowledge_warnings=True,
            )
        except services.SigningRefused as refused:
            self.refused_sessions += 1
            self.refused.update(f.code for f in refused.blocks + refused.missing_reasons)
        else:
            self.signed_times[session.pk] = prepared.signed_at
            self.signed_one(prepared, session)
        clock.at = prepared.discarded_at
        services.vial_discard(
            vial=vial,
            reason=END_OF_SESSION,
            wasted_units=D(vial.presentation_units) - prepared.total,
            discarded_by=practitioner,
        )
        self.vials_used += 1
        return session

    def signed_one(self, prepared: Prepared, session: TreatmentSession) -> None:
        plan = prepared.plan
        plan.signed += 1
        plan.last_session = session
        self.signed.append(Signed(session, plan.kind.key, prepared.signed_at))

    def sign_in_memory(self, prepared: Prepared) -> TreatmentSession:
        """The bulk path (more than REPLAY_MAX_PATIENTS patients): the same safety engine
        on the same facts, evaluated in memory, and what session_sign and vial_discard
        would write, inserted in bulk by flush()."""
        plan, vial, session = prepared.plan, prepared.vial, prepared.session
        practitioner, pending = session.practitioner, self.pending
        self.reconstitute(vial, prepared.made, prepared.diluent, practitioner)
        proposed, history, reference = self.engine_inputs(prepared)
        findings = safety.evaluate(proposed, history, reference)
        reasons = {code: text.strip() for code, text in prepared.reasons.items()}
        refused = [
            f
            for f in findings
            if f.level == safety.Level.BLOCK
            or (f.level == safety.Level.OVERRIDE and not reasons.get(f.code))
        ]
        session._history_user = practitioner
        if refused:
            self.refused_sessions += 1
            self.refused.update(f.code for f in refused)
            session._history_date = session.performed_at
        else:
            session.status = SessionStatus.SIGNED
            session.signed_at, session.signed_by = prepared.signed_at, practitioner
            session.is_off_label = safety.is_off_label(proposed)
            session.version = 2
            session._history_date = prepared.signed_at
            pending.findings += [
                SessionFinding(
                    session=session,
                    code=f.code,
                    level=f.level,
                    message=f.message,
                    source=f.source,
                    override_reason=reasons.get(f.code, "")
                    if f.level == safety.Level.OVERRIDE
                    else "",
                    recorded_by=practitioner,
                    recorded_at=prepared.signed_at,
                )
                for f in findings
            ]
            first_here = not any(dose.session_id for dose in history.doses)
            pending.follow_ups += self.rule_follow_ups(prepared, reference, first_here, proposed)
            self.dose_ids += 1
            plan.doses.append(
                safety.PriorDose(
                    on=proposed.on,
                    product_slug=session.product.slug,
                    brand=session.product.brand,
                    unit_family=session.product.unit_family,
                    units=prepared.total,
                    indication_slug=session.indication.slug,
                    session_id=self.dose_ids,
                )
            )
            bladder = session.indication.safety_profile == SafetyProfile.BLADDER
            plan.pvr_recorded = plan.pvr_recorded or (bladder and session.pvr_ml is not None)
            self.signed_one(prepared, session)
        vial.discarded_at, vial.discarded_by = prepared.discarded_at, practitioner
        vial.discard_reason = END_OF_SESSION
        vial.wasted_units = D(vial.presentation_units) - prepared.total
        vial.version = 3
        vial._history_user, vial._history_date = practitioner, prepared.discarded_at
        pending.vials.append(vial)
        pending.sessions.append(session)
        pending.points += prepared.points
        pending.draws.append(prepared.draw)
        self.vials_used += 1
        return session

    def engine_inputs(self, prepared: Prepared):
        """The engine's inputs as treatments.selectors.safety_inputs builds them, from the
        rows in memory (history: this plan's signed sessions and toxin elsewhere)."""
        plan, session, vial = prepared.plan, prepared.session, prepared.vial
        product, indication = session.product, session.indication
        key = (product.pk, indication.pk)
        if key not in self.facts:
            self.facts[key] = (
                selectors.guideline_facts(product, indication),
                selectors.reference_facts(product, indication),
            )
        guideline, reference = self.facts[key]
        fields = {name: getattr(session, name) for name in selectors.SESSION_SAFETY_FIELDS}
        proposed = safety.ProposedSession(
            patient_id=plan.patient.pk,
            on=timezone.localdate(session.performed_at),
            at=session.performed_at,
            date_of_birth=plan.patient.date_of_birth,
            indication=selectors.indication_facts(indication),
            product=selectors.product_facts(product),
            guideline=guideline,
            vial=safety.VialFacts(
                id=0,
                product_slug=product.slug,
                lot=vial.lot,
                expiry=vial.expiry,
                reconstituted_at=vial.reconstituted_at,
                units_per_ml=vial.units_per_ml,
                remaining_units=D(vial.presentation_units),  # a new vial for each session
            ),
            points=tuple(selectors.point_facts_from_points(prepared.points)),
            **selectors.proposed_session_fields(fields),
        )
        history = safety.PatientHistory(
            doses=tuple(sorted(plan.doses + plan.elsewhere, key=lambda d: d.on, reverse=True)),
            screening=selectors.screening_facts(plan.patient),
            pvr_recorded_before=plan.pvr_recorded,
        )
        return proposed, history, reference

    def rule_follow_ups(self, prepared: Prepared, reference, first_here: bool, proposed) -> list:
        """The tasks services.session_sign makes (bladder review, first-treatment call)."""
        session = prepared.session
        performed_on = timezone.localdate(session.performed_at)
        made = {
            "patient": session.patient,
            "session": session,
            "assigned_to": session.practitioner,
            "created_by": session.practitioner,
            "created_at": prepared.signed_at,
        }
        tasks = []
        if session.indication.safety_profile == SafetyProfile.BLADDER:
            days = int(reference.parameters.get("bladder_review_days", 14))
            tasks.append(
                FollowUp(
                    kind=FollowUpKind.BLADDER_REVIEW,
                    title="Post-void residual and UTI review after intradetrusor injection",
                    due_on=performed_on + timedelta(days=days),
                    rule_code="bladder.review",
                    **made,
                )
            )
        else:
            days = int(reference.parameters["side_effect_review_days"])
            tasks.append(
                FollowUp(
                    kind=FollowUpKind.SIDE_EFFECT_REVIEW,
                    title=f"Side-effect review after {session.indication.name} treatment",
                    due_on=performed_on + timedelta(days=days),
                    rule_code="side-effect.review",
                    **made,
                )
            )
        if self.has_outcomes.get(session.indication_id) is None:
            self.has_outcomes[session.indication_id] = (
                session.indication.outcome_instruments.exists()
            )
        if self.has_outcomes[session.indication_id]:
            guideline = proposed.guideline
            interval = (guideline.min_interval_days if guideline else None) or (
                session.indication.min_interval_days
            )
            tasks.append(
                FollowUp(
                    kind=FollowUpKind.OUTCOME_DUE,
                    title=f"Outcome scores for {session.indication.name} before the next treatment",
                    due_on=performed_on + timedelta(days=interval),
                    rule_code="outcome.due",
                    **made,
                )
            )
        if first_here:
            days = int(reference.parameters.get("first_treatment_review_days", 14))
            tasks.append(
                FollowUp(
                    kind=FollowUpKind.REVIEW_CALL,
                    title=f"Review call after first {session.product} treatment",
                    due_on=performed_on + timedelta(days=days),
                    rule_code="first.review-call",
                    **made,
                )
            )
        return tasks

    def flush(self) -> None:
        """Insert what the bulk path made (vials and sessions with their history)."""
        pending = self.pending
        if not pending.sessions:
            return
        bulk_create_with_history(pending.vials, Vial, batch_size=1000)
        mains = [s for s in pending.sessions if s.top_up_of is None]
        top_ups = [s for s in pending.sessions if s.top_up_of is not None]
        for sessions in (mains, top_ups):  # a top-up refers to its main session
            if sessions:
                bulk_create_with_history(sessions, TreatmentSession, batch_size=1000)
        InjectionPoint.objects.bulk_create(pending.points, batch_size=2000)
        VialDraw.objects.bulk_create(pending.draws, batch_size=2000)
        SessionFinding.objects.bulk_create(pending.findings, batch_size=2000)
        FollowUp.objects.bulk_create(pending.follow_ups, batch_size=2000)
        self.pending = Pending()

    def odd_waste(self, clock: ReplayClock) -> None:
        """A few vials lost for other reasons: dropped, cold chain, did not attend."""
        rng = self.rng
        for index in range(max(2, len(self.signed) // 80)):
            reason, opened = ODD_WASTE[index % len(ODD_WASTE)]
            product = rng.choice(self.formulary)
            presentation = rng.choice(product.presentations)
            day = open_day(self.today - timedelta(days=rng.randrange(3, HISTORY_DAYS)))
            vial = self.receive(product, presentation, day - timedelta(rng.randrange(7, 43)), clock)
            user = self.staff[rng.choice(("practitioner", "nurse"))]
            gone = aware(day, 8, 45)
            if opened:
                made = aware(day, 9)
                clock.at = made
                vial = services.vial_reconstitute(
                    vial=vial,
                    diluent_ml=(D(presentation) / STOCK_UNITS_PER_ML[product.slug]).quantize(
                        D("0.01")
                    ),
                    reconstituted_by=user,
                    at=made,
                )
                late = "did not attend" in reason
                gone = made + (timedelta(hours=25) if late else timedelta(minutes=5))
            clock.at = gone
            services.vial_discard(
                vial=vial, reason=reason, wasted_units=D(presentation), discarded_by=user
            )
            self.vials_wasted += 1

    def close_follow_ups(self, clock: ReplayClock) -> None:
        """Rule-made tasks: all those due more than 2 months ago were done, most of those
        due since (a few are overdue), about half of last week's, none still to come."""
        rng, latest = self.rng, self.now - timedelta(hours=1)
        tasks = (
            FollowUp.objects.filter(pk__gt=self.first_task_pk, done_at__isnull=True)
            .select_related("assigned_to")
            .order_by("due_on", "pk")
        )
        closed = []
        for task in tasks:
            overdue = (self.today - task.due_on).days
            chance = 1 if overdue > 60 else 0.85 if overdue > 7 else 0.5 if overdue > 0 else 0
            if rng.random() >= chance:
                continue
            done_on = task.due_on + timedelta(days=rng.randrange(0, 3))
            when = min(aware(done_on, rng.randrange(10, 17), rng.randrange(60)), latest)
            by = task.assigned_to or self.staff["practitioner"]
            note = rng.choice(FOLLOW_UP_NOTES.get(task.kind, ("Done.",)))
            note = note.format(pvr=rng.randrange(20, 140))
            if self.replaying:
                clock.at = when
                services.followup_complete(task=task, done_by=by, note=note)
            else:  # what followup_complete writes, in bulk
                task.done_at, task.done_by, task.outcome_note = when, by, note[:500]
                task.updated_at, task._history_user, task._history_date = when, by, when
                closed.append(task)
        if closed:
            fields = ["done_at", "done_by", "outcome_note", "updated_at"]
            FollowUp.objects.bulk_update(closed, fields, batch_size=500)
            FollowUp.history.bulk_history_create(closed, update=True, batch_size=1000)

    def add_tasks(self, clock: ReplayClock) -> None:
        """A handful of tasks made by hand: one due this week is a headache diary call."""
        rng = self.rng
        treated = [
            p for p in self.plans if p.last_session and p.patient.status == PatientStatus.ACTIVE
        ]
        if not treated:
            return
        for index in range(max(len(HAND_TASKS), len(treated) // 25)):
            kind, title, (low, high), keys = HAND_TASKS[index % len(HAND_TASKS)]
            pool = [p for p in treated if keys is None or p.kind.key in keys] or treated
            plan = rng.choice(pool)
            due = self.today + timedelta(days=rng.randrange(low, high + 1))
            clock.at = aware(
                min(due, self.today) - timedelta(days=rng.randrange(1, 8)),
                rng.randrange(9, 17),
                rng.randrange(60),
            )
            task = services.followup_create(
                patient=plan.patient,
                created_by=plan.practitioner,
                kind=kind,
                title=title,
                due_on=due,
                session=plan.last_session,
                assigned_to=plan.practitioner,
            )
            self.created.setdefault(FollowUp, {})[task.pk] = clock.at
            self.tasks_by_hand += 1

    def add_addenda(self, clock: ReplayClock) -> None:
        rng, latest = self.rng, self.now - timedelta(hours=1)
        if not self.signed:
            return
        picks = rng.sample(self.signed, min(len(self.signed), max(2, len(self.signed) // 60)))
        migraine = [s for s in self.signed if s.kind == "migraine"]
        if migraine:
            picks[0] = rng.choice(migraine)
        for index, signed in enumerate(picks):
            if index == 0 and signed.kind == "migraine":
                reason, text = WRONG_SIDE
            else:
                reason, text = rng.choice(ADDENDA)
            clock.at = min(signed.signed_at + timedelta(days=rng.randrange(1, 6)), latest)
            addendum = services.session_add_addendum(
                session=signed.session,
                author=signed.session.practitioner,
                reason=reason,
                text=text,
            )
            self.created.setdefault(SessionAddendum, {})[addendum.pk] = clock.at
            self.addenda += 1

    def today_draft(self, clock: ReplayClock) -> None:
        """Today's chronic-migraine session in progress: points from the PREEMPT template,
        its vial reconstituted just before; not yet signed."""
        indication = self.indications.get("chronic-migraine")
        product = self.products.get("botox")
        patient = self.draft_patient()
        if indication is None or product is None or patient is None:
            return
        # Started 20 minutes ago (today, even just after midnight).
        at = max(self.now - timedelta(minutes=20), aware(self.today, 0, 1))
        at = at.replace(second=0, microsecond=0)
        vial = self.receive(product, 200, self.today - timedelta(self.rng.randrange(7, 29)), clock)
        clock.at = max(at - timedelta(minutes=10), aware(self.today, 0))
        practitioner = self.staff["practitioner"]
        vial = services.vial_reconstitute(
            vial=vial, diluent_ml=D(4), reconstituted_by=practitioner, at=clock.at
        )
        clock.at = at
        session = services.session_start(
            patient=patient,
            practitioner=practitioner,
            indication=indication,
            product=product,
            template=selectors.site_template_for(indication=indication, product=product),
        )
        points = [
            {name: getattr(p, name) for name in ("site", "side", "units", "volume_ml", "points")}
            for p in selectors.session_points(session=session)
        ]
        services.session_save_draft(
            session=session,
            saved_by=practitioner,
            expected_version=session.version,
            fields={
                "performed_at": at,
                "vial": vial,
                "screening_reviewed": True,
                "consent_taken": True,
                "notes": "PREEMPT: 31 fixed sites. Headache days last month: 17.",
            },
            points=points,
        )
        self.created.setdefault(TreatmentSession, {})[session.pk] = at
        self.drafts += 1

    def draft_patient(self) -> Patient | None:
        """A chronic-migraine patient due a cycle (else any such patient, else an adult
        with a questionnaire on file)."""
        migraine = [
            p
            for p in self.plans
            if p.kind.key == "migraine" and p.patient.status == PatientStatus.ACTIVE
        ]
        due = [
            p
            for p in migraine
            if p.last_day
            and (self.today - p.last_day).days >= self.interval("chronic-migraine", "botox")
        ]
        if due or migraine:
            return self.rng.choice(due or migraine).patient
        return (
            Patient.objects.filter(
                status=PatientStatus.ACTIVE,
                questionnaires__isnull=False,
                date_of_birth__lte=add_years(self.today, -19),
            )
            .order_by("pk")
            .first()
        )

    def stock(self, clock: ReplayClock) -> None:
        """Today's fridge: 2-4 unopened vials of each formulary product, a BOTOX 100 U
        reconstituted this morning (usable now) and one reconstituted yesterday (past its
        use-by, not discarded: not offered)."""
        rng = self.rng
        for product in self.formulary:
            for _ in range(rng.randint(2, 4)):
                presentation = rng.choice(product.presentations)
                self.receive(
                    product, presentation, self.today - timedelta(rng.randrange(7, 43)), clock
                )
                self.vials_stock += 1
        botox = self.products.get("botox")
        if botox is None or not botox.on_formulary:
            return
        yesterday = self.today - timedelta(days=1)
        mornings = (  # today (before now), and yesterday more than 24 hours ago
            (
                max(
                    min(aware(self.today, 8, 30), self.now - timedelta(minutes=15)),
                    aware(self.today, 0),
                ),
                "practitioner",
            ),
            (
                max(
                    min(aware(yesterday, 8, 30), self.now - timedelta(hours=24, minutes=10)),
                    aware(yesterday, 0),
                ),
                "nurse",
            ),
        )
        for made, who in mornings:
            vial = self.receive(botox, 100, self.today - timedelta(rng.randrange(8, 29)), clock)
            clock.at = made
            services.vial_reconstitute(
                vial=vial, diluent_ml=D(2), reconstituted_by=self.staff[who], at=made
            )
            self.vials_stock += 1

    def backdate(self) -> None:
        """created_at is a plain default (not the replay clock): set it to when each row
        was made, on the rows and on their history."""
        follow_ups = FollowUp.objects.filter(
            pk__gt=self.first_task_pk, session__isnull=False, rule_code__gt=""
        ).values_list("pk", "session_id")
        for pk, session_id in follow_ups:
            if session_id in self.signed_times:
                self.created.setdefault(FollowUp, {})[pk] = self.signed_times[session_id]
        for model, when in self.created.items():
            if model is SessionAddendum and connection.vendor == "postgresql":
                # A signed session's addenda cannot change there (treatments migration
                # 0012, whatever the role): they keep the date they were written.
                continue
            rows = [model(pk=pk, created_at=at) for pk, at in when.items()]
            model.objects.bulk_update(rows, ["created_at"], batch_size=500)
            history = getattr(model, "history", None)
            if history is None:
                continue
            past = history.model.objects.filter(id__gte=min(when), id__lte=max(when))
            changed = []
            for row in past.only("history_id", "id"):
                if row.id in when:
                    row.created_at = when[row.id]
                    changed.append(row)
            history.model.objects.bulk_update(changed, ["created_at"], batch_size=500)

    def report(self, seconds: float) -> None:
        out, style = self.command.stdout, self.command.style
        kinds = Counter(p.kind.indication for p in self.plans)
        out.write(
            f"  treatment plans: {len(self.plans):,} patients ("
            + ", ".join(f"{slug} {count}" for slug, count in kinds.most_common())
            + ")"
        )
        how = "by services.session_sign" if self.replaying else "by the engine in memory"
        out.write(
            f"  sessions: {len(self.signed):,} signed {how}, {self.drafts} draft today, "
            f"{self.refused_sessions} refused by the safety engine (left as drafts) "
            f"({seconds:.1f}s)"
        )
        if self.refused:
            listed = ", ".join(f"{code} x{n}" for code, n in self.refused.most_common())
            out.write(style.WARNING(f"  refused at signing (left as drafts): {listed}"))
        findings = Counter(
            SessionFinding.objects.filter(session_id__gt=self.first_session_pk).values_list(
                "level", flat=True
            )
        )
        with_findings = (
            SessionFinding.objects.filter(session_id__gt=self.first_session_pk)
            .values("session_id")
            .distinct()
            .count()
        )
        out.write(
            f"  findings: {findings[SafetyLevel.WARN]:,} warnings acknowledged, "
            f"{findings[SafetyLevel.OVERRIDE]:,} overrides with reasons, "
            f"on {with_findings:,} sessions; {self.addenda} addenda"
        )
        out.write(
            f"  vials: {self.vials_used:,} used and discarded at the end of the session "
            f"(drawn + wasted = presentation), {self.vials_wasted} wasted otherwise, "
            f"{self.vials_stock} in the fridge today (2 reconstituted)"
        )
        tasks = FollowUp.objects.filter(pk__gt=self.first_task_pk)
        open_tasks = tasks.filter(done_at__isnull=True)
        out.write(
            f"  follow-ups: {tasks.filter(done_at__isnull=False).count():,} done, "
            f"{open_tasks.count():,} open ({open_tasks.filter(due_on__lt=self.today).count()} "
            f"overdue); {self.tasks_by_hand} made by hand"
        )


class Command(BaseCommand):
    help = (
        "Seed invented demo data: staff logins, patients and questionnaires, and (up to "
        "5,000 patients, or with --sessions) 18 months of vials, sessions and follow-ups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=250)
        parser.add_argument("--seed", type=int, default=20261121, help="random seed")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when patients already exist"
        )
        parser.add_argument(
            "--sessions",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="add 18 months of treatment history (default: on up to "
            f"{SESSIONS_DEFAULT_MAX_PATIENTS:,} patients, off above)",
        )

    def handle(self, *args, patients, seed, batch_size, if_empty, sessions, **options):
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.staff = self.ensure_staff()
        if if_empty and Patient.objects.exists():
            self.stdout.write("Patients already exist: demo data left as it is.")
            self.print_logins()
            return
        if sessions is None:
            sessions = patients <= SESSIONS_DEFAULT_MAX_PATIENTS
        large = patients > SESSIONS_DEFAULT_MAX_PATIENTS
        self.load_name_lists()
        self.products = list(Product.objects.filter(on_formulary=True))
        self.treatment = None
        if sessions:
            replaying = patients <= REPLAY_MAX_PATIENTS
            self.treatment = TreatmentHistory(self, self.rng, self.staff, replaying)
        made = 0
        while made < patients:
            size = min(batch_size, patients - made)
            self.seed_batch(size, large=large)
            made += size
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {made:>9,}/{patients:,} patients  ({made / max(elapsed, 1e-6):,.0f}/s)"
            )
        done = f"Seeded {patients:,} patients"
        if self.treatment is not None:
            self.treatment.replay()
            done += f" and {len(self.treatment.signed):,} signed sessions"
            scores = self.record_outcomes()
            done += f" and {scores:,} outcome scores"
            reactions = self.record_side_effects()
            done += f" and {reactions:,} side effects"
        done += f" and {self.record_access_and_subject_access():,} access events"  # issue 6
        if self.treatment is not None:
            self.record_background_work()  # issue 12.2
        self.stdout.write(self.style.SUCCESS(f"{done} in {time.monotonic() - started:.1f}s"))
        self.print_logins()

    # Access log and subject access (issue 6) ----------------------------------------------
    def record_access_and_subject_access(self) -> int:
        """Some staff views of a few patients over the last two months, so that "who viewed
        this record" has something to show, and one open subject access request."""
        from clinic.models import AccessEvent
        from patients.models import SubjectAccessCopy, SubjectAccessRequest

        viewers = [
            (self.staff[name], role)
            for name, role in (
                ("reception", "Reception"),
                ("practitioner", "Practitioner"),
                ("manager", "Manager"),
            )
            if name in self.staff
        ]
        patients = list(Patient.objects.order_by("id")[:15])
        if not viewers or not patients:
            return 0
        now = timezone.now()
        events = []
        for patient in patients:
            for _ in range(self.rng.randint(2, 6)):
                user, role = self.rng.choice(viewers)
                events.append(
                    AccessEvent(
                        occurred_at=now - timedelta(minutes=self.rng.randint(30, 60 * 24 * 60)),
                        user=user,
                        username=user.username,
                        role=role,
                        patient=patient,
                        action="patient.view",
                        method="GET",
                        path=patient.get_absolute_url(),
                        ip_address=f"10.20.0.{self.rng.randint(2, 40)}",
                        status_code=200,
                    )
                )
        AccessEvent.objects.bulk_create(events)
        manager = self.staff.get("manager")
        if manager is not None and not SubjectAccessRequest.objects.exists():
            verified = SubjectAccessRequest.objects.create(
                patient=patients[0],
                requester="The patient (by email)",
                received_on=timezone.localdate() - timedelta(days=10),
                identity_verified_on=timezone.localdate() - timedelta(days=8),
                recorded_by=manager,
                notes="Asked for a copy of their treatment records.",
            )
            # A readable copy already made for it; a newer request still waits for the
            # requester's ID, so its copy cannot be produced yet (issue 10).
            SubjectAccessCopy.objects.create(
                request=verified,
                produced_by=manager,
                produced_at=timezone.now() - timedelta(days=6),
                kind="print",
            )
            SubjectAccessRequest.objects.create(
                patient=patients[min(1, len(patients) - 1)],
                requester="Solicitor, with the patient's signed authority",
                received_on=timezone.localdate() - timedelta(days=2),
                recorded_by=manager,
                notes="Waiting for proof of identity and the signed authority.",
            )
        return len(events)

    # Background work (issue 12.2) ----------------------------------------------------------
    def record_background_work(self) -> None:
        """The manager's Exports page shows one finished large export (the sessions of the
        last quarter, written by the real export task) and one that failed for good three
        days ago, which /jobs/failed/ lists as a worker would have recorded it."""
        from clinic.jobs.models import FailedJob
        from clinic.reports import exports
        from clinic.reports.models import ReportExport

        manager = self.staff.get("manager")
        if manager is None or ReportExport.objects.filter(prepared=True).exists():
            return
        today = timezone.localdate()
        data = {"start": [f"{today - timedelta(days=90):%d/%m/%Y}"], "end": [f"{today:%d/%m/%Y}"]}
        asked = timezone.now() - timedelta(hours=3)
        export = ReportExport.objects.create(
            user=manager, report="sessions", filters=data, prepared=True, started_at=asked
        )
        exports.prepare_report_export.call(export.pk, data)
        failed_at = timezone.now() - timedelta(days=3)
        ReportExport.objects.create(
            user=manager,
            report="side-effects",
            filters={},
            prepared=True,
            started_at=failed_at - timedelta(minutes=2),
            failed_at=failed_at,
        )
        FailedJob.objects.create(
            task_name="prepare_report_export",
            task_path="clinic.reports.exports.prepare_report_export",
            attempts=3,
            error="OperationalError",
            failed_at=failed_at,
        )

    # Outcomes ----------------------------------------------------------------------------
    def record_outcomes(self) -> int:
        """Scores over time for treated patients: a baseline a week or two before the first
        session, then one about four weeks after each session. Most respond (30-65% better
        on lower-is-better scales), about one in five barely does, so the charts, responder
        badges and the NICE continuation warnings all have something to show."""
        rng = random.Random(self.rng.random())
        instruments = {i.slug: i for i in OutcomeInstrument.objects.all()}
        linked = {
            ind.pk: {i.slug for i in ind.outcome_instruments.all()}
            for ind in Indication.objects.prefetch_related("outcome_instruments")
        }
        sessions = (
            TreatmentSession.objects.filter(status=SessionStatus.SIGNED)
            .select_related("patient", "indication", "practitioner")
            .order_by("patient_id", "indication_id", "performed_at")
        )
        courses: dict[tuple[int, int], list[TreatmentSession]] = {}
        for session in sessions:
            courses.setdefault((session.patient_id, session.indication_id), []).append(session)
        rows = []
        for course in courses.values():
            first = course[0]
            for slug, (low, high) in OUTCOME_BASELINES.get(first.indication.slug, ()):
                instrument = instruments.get(slug)
                if instrument is None or slug not in linked[first.indication_id]:
                    continue
                baseline = Decimal(rng.randint(low, high))
                best = rng.uniform(0.30, 0.65) if rng.random() > 0.2 else rng.uniform(0, 0.2)
                start = timezone.localdate(first.performed_at)
                rows.append(
                    self._score(
                        first,
                        instrument,
                        baseline,
                        start - timedelta(days=rng.randint(7, 14)),
                        True,
                    )
                )
                for number, session in enumerate(course, start=1):
                    # The effect builds over the first cycles, then holds.
                    gain = best * min(1.0, 0.6 + 0.2 * number) * rng.uniform(0.85, 1.1)
                    value = baseline * Decimal(str(round(1 - min(gain, 0.95), 3)))
                    on = timezone.localdate(session.performed_at) + timedelta(
                        days=rng.randint(24, 35)
                    )
                    if on <= timezone.localdate():
                        rows.append(self._score(session, instrument, value, on, False))
        for row in rows:
            value = row.value.quantize(Decimal(1))
            low, high = row.instrument.min_value, row.instrument.max_value
            if low is not None:
                value = max(low, value)
            if high is not None:
                value = min(high, value)
            row.value = value
        OutcomeAssessment.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    # Side effects ------------------------------------------------------------------------
    def record_side_effects(self) -> int:
        """Suspected reactions to about one session in eight, with terms typical of the
        indication (DOMAIN §4.1): mostly mild or moderate and decided (not reported with
        a reason, or reported with a Yellow Card reference); a few recent ones still
        awaiting a decision, one serious one flagged without a decision, and two calls
        reception logged this week for a practitioner to review."""
        rng = random.Random(self.rng.random())
        terms = {t.slug: t for t in SideEffectTerm.objects.all()}
        today = timezone.localdate()
        sessions = list(
            TreatmentSession.objects.filter(status=SessionStatus.SIGNED)
            .select_related("indication", "practitioner", "patient")
            .order_by("performed_at", "id")
        )
        rows, serious_left_open = [], False
        reception = self.staff["reception"]
        for session in sessions:
            if rng.random() > 0.125:
                continue
            treated_on = timezone.localdate(session.performed_at)
            onset = treated_on + timedelta(days=rng.randint(1, 9))
            if onset > today:
                continue
            slug = rng.choice(SIDE_EFFECT_TERMS.get(session.indication.safety_profile, ()))
            if session.indication.category == "cosmetic":
                slug = rng.choice(SIDE_EFFECT_TERMS["cosmetic"])
            severity = rng.choices((1, 2, 3), weights=(60, 33, 7))[0]
            age = (today - onset).days
            resolved = age > 21 and rng.random() < 0.9
            resolution = (
                min(onset + timedelta(days=rng.randint(3, 45)), today) if resolved else None
            )
            serious = (
                severity == 3 and slug in ("dysphagia", "urinary-retention") and rng.random() < 0.6
            )
            reviewer = session.practitioner
            reviewed_at = aware(min(onset + timedelta(days=rng.randint(0, 3)), today), 12, 30)
            se = SideEffect(
                patient=session.patient,
                session=session,
                term=terms[slug],
                description=rng.choice(SIDE_EFFECT_WORDS.get(slug, ("Reported at review.",))),
                onset_date=onset,
                resolution_date=resolution,
                severity=severity,
                serious_hospitalisation=serious and slug == "urinary-retention",
                serious_medically_important=serious,
                is_serious=serious,
                outcome="recovered" if resolved else rng.choice(("recovering", "continuing")),
                causality=rng.choices(
                    ("probable", "possible", "certain", "unlikely"), weights=(50, 35, 8, 7)
                )[0],
                action_taken=rng.choice(SIDE_EFFECT_ACTIONS.get(slug, ("advice", "none"))),
                reporter=rng.choice(("patient", "patient", "clinician")),
                status="reviewed",
                logged_by=reviewer,
                reviewed_by=reviewer,
                reviewed_at=reviewed_at,
                created_at=reviewed_at,
            )
            if se.action_taken == "treatment":
                se.treatment_given = rng.choice(SIDE_EFFECT_TREATMENTS.get(slug, ("Paracetamol",)))
            recent = age < 14
            if serious and not serious_left_open:
                serious_left_open = True  # no decision yet: the flag staff see
            elif serious or rng.random() < 0.12:
                se.regulator_decision = "reported"
                se.yellow_card_reference = f"GB-MHRA-ADR {rng.randint(30000000, 30999999)}"
            elif not recent or rng.random() < 0.5:
                se.regulator_decision = "not-reported"
                se.not_reported_reason = rng.choice(NOT_REPORTED_REASONS)
            if se.regulator_decision:
                se.decided_by, se.decided_at = reviewer, reviewed_at
            rows.append(se)
        # Two calls logged by reception this week, waiting for a practitioner.
        recent_sessions = [
            s for s in sessions if (today - timezone.localdate(s.performed_at)).days < 20
        ]
        for session, words in zip(
            rng.sample(recent_sessions, min(2, len(recent_sessions))), PHONED_IN, strict=False
        ):
            logged = aware(today - timedelta(days=rng.randint(0, 2)), 9, rng.randrange(60))
            rows.append(
                SideEffect(
                    patient=session.patient,
                    session=session,
                    description=words,
                    onset_date=max(
                        timezone.localdate(session.performed_at), today - timedelta(days=3)
                    ),
                    reporter="patient",
                    status="unreviewed",
                    logged_by=reception,
                    created_at=min(logged, timezone.now() - timedelta(minutes=5)),
                )
            )
        if serious_left_open is False and rows:
            # Make sure the governance flag has something to show in the demo.
            severe = [r for r in reversed(rows) if r.status == "reviewed" and r.severity == 3]
            could_be_serious = {"dysphagia", "urinary-retention", "muscular-weakness"}
            flagged = next((r for r in severe if r.term.slug in could_be_serious), None)
            if flagged is None and severe:
                flagged = severe[0]
                flagged.term = terms["dysphagia"]
                flagged.description = "Difficulty swallowing solids; seen in A&E, not admitted."
            if flagged is not None:
                flagged.is_serious = flagged.serious_medically_important = True
                flagged.regulator_decision = flagged.yellow_card_reference = ""
                flagged.not_reported_reason, flagged.decided_by, flagged.decided_at = "", None, None
        SideEffect.objects.bulk_create(rows, batch_size=1000)
        for row in rows:
            row._history_user, row._history_date = row.logged_by, row.created_at
        SideEffect.history.bulk_history_create(rows, batch_size=1000)
        return len(rows)

    @staticmethod
    def _score(session, instrument, value, on, baseline):
        return OutcomeAssessment(
            patient_id=session.patient_id,
            indication_id=session.indication_id,
            instrument=instrument,
            value=value,
            assessed_on=on,
            is_baseline=baseline,
            session=None if baseline else session,
            recorded_by=session.practitioner,
        )

    # Staff -------------------------------------------------------------------------------
    def ensure_staff(self) -> dict:
        user_model = get_user_model()
        groups = {g.name: g for g in Group.objects.all()}
        staff, created_now = {}, []
        for username, first, last, role, is_staff, is_superuser in STAFF:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                    "email": f"{username}@clinic.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role is not None:
                    user.groups.add(groups[role.value])
                created_now.append(user)
            staff[username] = user
        for user in created_now:  # each shows its "created" row on the staff page (issue 10)
            staff_record_created(created_by=staff["admin"], user=user)
        return staff

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _, _ in STAFF:
            label = role.value if role else "superuser"
            self.stdout.write(f"  {username:<13} {first} {last} ({label})")

    # Patients ----------------------------------------------------------------------------
    def load_name_lists(self):
        from faker.providers.person.en_GB import Provider as Names

        self.female_names = list(Names.first_names_female)
        self.male_names = list(Names.first_names_male)
        self.last_names = list(Names.last_names)
        self.used_nhs = set(
            Patient.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
        )

    def nhs_number(self) -> str:
        while True:
            first_nine = "999" + f"{self.rng.randrange(10**6):06d}"
            check = nhs_check_digit(first_nine)
            number = f"{first_nine}{check}" if check is not None else None
            if number and number not in self.used_nhs:
                self.used_nhs.add(number)
                return number

    def phone(self, large: bool) -> str:
        if large:
            return f"07{self.rng.randrange(10**9):09d}"
        return f"07700900{self.rng.randrange(1000):03d}"

    def postcode(self) -> str:
        letters = "".join(self.rng.choice(INWARD_LETTERS) for _ in range(2))
        return f"{self.rng.choice(OUTWARD)} {self.rng.randrange(1, 10)}{letters}"

    def date_of_birth(self, today: date) -> date:
        # Mostly adults 25-75 (therapeutic and cosmetic), some children (spasticity).
        if self.rng.random() < 0.05:
            age_days = self.rng.randrange(3 * 365, 17 * 365)
        else:
            age_days = self.rng.randrange(19 * 365, 88 * 365)
        return today - timedelta(days=age_days)

    def make_patient(self, record_number: str, today: date, large: bool) -> Patient:
        rng = self.rng
        female = rng.random() < 0.68  # toxin clinics see more women
        given = rng.choice(self.female_names if female else self.male_names)
        if rng.random() < 0.2:
            given += " " + rng.choice(self.female_names if female else self.male_names)
        family = rng.choice(self.last_names)
        dob = self.date_of_birth(today)
        registered = timezone.make_aware(
            datetime.combine(
                # Not before the patient was born (young children).
                today - timedelta(days=rng.randrange(0, min(6 * 365, (today - dob).days))),
                dtime(rng.randrange(8, 19), rng.randrange(60)),
            )
        )
        email_ok, sms_ok = rng.random() < 0.6, rng.random() < 0.7
        contact_family = rng.choice(self.last_names) if rng.random() < 0.3 else family
        archived = rng.random() < 0.04
        flat = f"Flat {rng.randrange(1, 40)}, " if rng.random() < 0.35 else ""
        return Patient(
            record_number=record_number,
            title=rng.choice(
                [Title.MRS, Title.MS, Title.MISS, Title.DR]
                if female
                else [Title.MR, Title.MR, Title.DR]
            ),
            given_names=given,
            family_name=family,
            preferred_name=given.split()[0][:4] if rng.random() < 0.05 else "",
            date_of_birth=dob,
            sex=Sex.FEMALE if female else Sex.MALE,
            nhs_number=self.nhs_number() if rng.random() < 0.7 else "",
            phone=self.phone(large),
            email=f"{given.split()[0].lower()}.{family.lower().replace(' ', '')}"
            f"{rng.randrange(100)}@example.com"
            if rng.random() < 0.85
            else "",
            address_line_1=f"{flat}{rng.randrange(1, 220)} {rng.choice(STREETS)}",
            town=rng.choice(TOWNS),
            postcode=self.postcode(),
            gp_practice=rng.choice(PRACTICES),
            gp_name=f"Dr {rng.choice(self.last_names)}" if rng.random() < 0.8 else "",
            emergency_contact_name=f"{rng.choice(self.female_names + self.male_names)} "
            f"{contact_family}",
            emergency_contact_relationship=rng.choice(RELATIONSHIPS),
            emergency_contact_phone=self.phone(large),
            referral_source=rng.choice(ReferralSource.values),
            consent_contact_email=email_ok,
            consent_contact_email_at=registered if email_ok else None,
            consent_contact_sms=sms_ok,
            consent_contact_sms_at=registered if sms_ok else None,
            status=PatientStatus.ARCHIVED if archived else PatientStatus.ACTIVE,
            archived_at=min(registered + timedelta(days=400), timezone.now()) if archived else None,
            archived_reason="Moved away from London" if archived else "",
            registered_by=self.staff["reception"],
            created_at=registered,
        )

    def make_questionnaires(self, patient: Patient, today: date, *, treated=False, bladder=False):
        """Dated answers from registration to today; a patient to be treated has at least
        one (the first on the day they registered, before any session)."""
        rng = self.rng
        count = rng.choices([0, 1, 2, 3], weights=[15, 55, 20, 10])[0]
        if treated:
            count = max(count, 1)
        first = patient.created_at.date()
        span = max((today - first).days, 1)
        result = []
        for index in range(count):
            completed = first + timedelta(days=int(span * index / max(count, 1)))
            alert = rng.random() < 0.25
            female = patient.sex == Sex.FEMALE
            # Only recent answers still wait for a practitioner; older ones were reviewed.
            reviewed = (today - completed).days > 21 or rng.random() < 0.3
            questionnaire = IntakeQuestionnaire(
                patient=patient,
                completed_on=completed,
                allergy_toxin_or_albumin=False,
                allergy_cows_milk_protein=alert and rng.random() < 0.15,
                allergy_details="Penicillin: rash" if rng.random() < 0.1 else "",
                infection_at_sites=False,
                neuromuscular_disorder=False,
                swallowing_or_breathing_problems=alert and rng.random() < 0.1,
                pregnant_or_breastfeeding=YesNoNotApplicable.NO
                if female
                else YesNoNotApplicable.NOT_APPLICABLE,
                bleeding_risk=alert and rng.random() < 0.5,
                interacting_medicines=alert and rng.random() < 0.2,
                toxin_in_last_4_months=False,
                previous_poor_response=alert and rng.random() < 0.1,
                facial_surgery_fillers_or_asymmetry=alert and rng.random() < 0.3,
                bladder_infection_or_retention=YesNoNotApplicable.NO
                if bladder
                else YesNoNotApplicable.NOT_APPLICABLE,
                can_self_catheterise=YesNoNotApplicable.NO
                if bladder
                else YesNoNotApplicable.NOT_APPLICABLE,
                heart_disease=alert and rng.random() < 0.1,
                important_event_or_driving=rng.random() < 0.2,
                current_medications=rng.choice(MEDICATIONS),
                entered_by=self.staff["reception"],
                reviewed_by=self.staff["practitioner"] if reviewed else None,
                reviewed_at=timezone.make_aware(datetime.combine(completed, dtime(12)))
                if reviewed
                else None,
                created_at=timezone.make_aware(datetime.combine(completed, dtime(9))),
            )
            if questionnaire.allergy_cows_milk_protein and not questionnaire.allergy_details:
                questionnaire.allergy_details = "Cow's milk protein: hives"
            if questionnaire.bleeding_risk and "Apixaban" not in questionnaire.current_medications:
                questionnaire.current_medications = "Apixaban 5 mg twice daily"
            result.append(questionnaire)
        return result

    @transaction.atomic
    def seed_batch(self, size: int, *, large: bool):
        today = timezone.localdate()
        numbers = allocate_record_numbers(size)
        patients = [self.make_patient(n, today, large) for n in numbers]
        for patient in patients:
            patient._history_date = patient.created_at  # history shows the registration date
            patient.refresh_name_keys()  # bulk_create skips save(): search needs these
        patients = bulk_create_with_history(
            patients,
            Patient,
            batch_size=2000,
            default_user=self.staff["reception"],
            default_change_reason="Demo seed",
        )
        if not patients[0].pk:  # backends without RETURNING on bulk insert
            by_number = dict(
                Patient.objects.filter(record_number__in=numbers).values_list("record_number", "pk")
            )
            for patient in patients:
                patient.pk = by_number[patient.record_number]
        questionnaires, prior_rows = [], []
        for patient in patients:
            kind = self.treatment.choose_kind(patient, today) if self.treatment else None
            answers = self.make_questionnaires(
                patient,
                today,
                treated=kind is not None,
                bladder=kind is not None and kind.indication == "oab",
            )
            priors = self.make_prior_treatments(patient, answers)
            plan = self.treatment.make_plan(patient, kind, answers, priors) if kind else None
            if plan is not None:  # filed later, in date order with the sessions
                self.treatment.plans.append(plan)
            else:
                questionnaires.extend(answers)
                prior_rows.extend(priors)
        IntakeQuestionnaire.objects.bulk_create(questionnaires, batch_size=2000)
        PriorTreatment.objects.bulk_create(
            [row for row in prior_rows if row.questionnaire.pk], batch_size=2000
        )

    def make_prior_treatments(self, patient: Patient, questionnaires) -> list:
        """Some adults had toxin elsewhere recently: say so, with the treatment details."""
        rows = []
        for questionnaire in questionnaires:
            if not self.products or self.rng.random() >= 0.08:
                continue
            if patient.age_on(questionnaire.completed_on) < 18:
                continue
            questionnaire.toxin_in_last_4_months = True
            rows.append(
                PriorTreatment(
                    questionnaire=questionnaire,
                    patient=patient,
                    treated_on=questionnaire.completed_on
                    - timedelta(days=self.rng.randrange(20, 110)),
                    product=self.rng.choice(self.products),
                    units=self.rng.choice([20, 24, 40, 50, 64]),
                    area="Glabellar lines"
                    if self.rng.random() < 0.7
                    else "Forehead and crow's feet",
                    clinic_name=self.rng.choice(
                        [
                            "Harley Street Aesthetics",
                            "A salon in Chelsea",
                            "Dr Lewis, Marylebone",
                            "Unknown",
                        ]
                    ),
                )
            )
        return rows
