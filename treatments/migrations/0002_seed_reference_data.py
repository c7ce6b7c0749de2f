# Clinical text keeps the typography of DOMAIN.md (en dashes, multiplication and minus signs).
# ruff: noqa: RUF001
"""Seed the treatment reference data from DOMAIN.md §11 (with §1, §2, §3.2, §5).

The data lives here as literals so that later model changes never alter history.
`source` holds the DOMAIN.md §9 keys that support each row ("§11" when DOMAIN cites
none); anything DOMAIN marks "verify" is repeated in the row's `notes`.
"""

import datetime
from decimal import Decimal

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 11, 21)

# ---------------------------------------------------------------------------
# Products (DOMAIN §11.1, §1.1, §1.3)
# ---------------------------------------------------------------------------
PRODUCTS = [
    {
        "slug": "botox",
        "brand": "BOTOX",
        "generic_name": "onabotulinumtoxinA",
        "unit_family": "allergan",
        "company": "AbbVie/Allergan",
        "presentations": [50, 100, 200],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": True,
        "storage": "2–8 °C",
        "in_use_hours": 24,
        "on_formulary": True,
        "source": "S9, S10, S9b, S1, S12, S28, S57",
        "notes": (
            "Therapeutic and UK facial-lines licence. Same formulation as BOTOX Cosmetic and "
            "Vistabel (Allergan units) [S60]. Reconstitute with preservative-free 0.9% NaCl; "
            "store reconstituted at 2–8 °C and use within 24 h, then discard [S12][S28]. "
            "Excursion −70 °C to 30 °C for ≤5 days does not affect stability: return to the "
            "fridge and mark 'use first' [S57]."
        ),
    },
    {
        "slug": "botox-cosmetic",
        "brand": "BOTOX Cosmetic",
        "generic_name": "onabotulinumtoxinA",
        "unit_family": "allergan",
        "company": "AbbVie/Allergan",
        "presentations": [50, 100],
        "form": "powder",
        "uk_licensed": False,
        "us_licensed": True,
        "storage": "2–8 °C",
        "in_use_hours": 24,
        "on_formulary": False,
        "source": "S2, S28, S60",
        "notes": (
            "US brand (not UK-licensed). Same formulation as BOTOX; may be used "
            "interchangeably with the appropriate dilution [S60]."
        ),
    },
    {
        "slug": "vistabel",
        "brand": "Vistabel",
        "generic_name": "onabotulinumtoxinA",
        "unit_family": "allergan",
        "company": "AbbVie/Allergan",
        "presentations": [50],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "2–8 °C",
        "in_use_hours": 24,
        "on_formulary": True,
        "source": "S29, S55, S60, S12",
        "notes": (
            "UK licence: a UK SmPC exists [S29] but Vistabel was not on UKHSA's Aug 2025 list of "
            "UK-licensed aesthetic toxins [S55]: verify current UK status. "
            "In-use limit (24 h): verify against current SmPC. 50 U vial = 4 Allergan U/0.1 mL."
        ),
    },
    {
        "slug": "dysport",
        "brand": "Dysport",
        "generic_name": "abobotulinumtoxinA",
        "unit_family": "speywood",
        "company": "Ipsen",
        "presentations": [300, 500],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": True,
        "storage": "2–8 °C, do not freeze",
        "in_use_hours": 24,
        "on_formulary": True,
        "source": "S34, S35, S41, S42b, S43",
        "notes": (
            "Speywood units. Excipients human albumin + lactose [S41] (cow's milk protein "
            "allergy: contraindicated [S40][S91]). Unopened shelf life 2 years; in-use "
            "chemical/physical stability 24 h at 2–8 °C, microbiologically use immediately [S41]."
        ),
    },
    {
        "slug": "azzalure",
        "brand": "Azzalure",
        "generic_name": "abobotulinumtoxinA",
        "unit_family": "speywood",
        "company": "Galderma",
        "presentations": [125],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "2–8 °C",
        "in_use_hours": 24,
        "on_formulary": True,
        "source": "S30, S31, S55, S57",
        "notes": (
            "Cosmetic licence (Ipsen toxin, Speywood units). One patient, one session only [S30]. "
            "In-use limit (24 h at 2–8 °C, not sourced): verify against current SmPC. "
            "Contact Galderma about any temperature excursion [S57]."
        ),
    },
    {
        "slug": "alluzience",
        "brand": "Alluzience",
        "generic_name": "abobotulinumtoxinA (solution)",
        "unit_family": "speywood",
        "company": "Galderma",
        "presentations": [],
        "form": "solution",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "",
        "in_use_hours": None,
        "on_formulary": False,
        "source": "S55",
        "notes": (
            "Listed as a UK-licensed aesthetic toxin [S55]. Ready-to-use solution (not sourced). "
            "Presentations: verify. Storage: verify. In-use limit: n/a, verify against current "
            "SmPC. Speywood unit family assumed (not sourced)."
        ),
    },
    {
        "slug": "xeomin",
        "brand": "Xeomin",
        "generic_name": "incobotulinumtoxinA",
        "unit_family": "merz",
        "company": "Merz",
        "presentations": [50, 100, 200],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": True,
        "storage": "≤25 °C",
        "in_use_hours": 24,
        "on_formulary": True,
        "source": "S45, S44, S44b, S47",
        "notes": (
            "Free from complexing proteins (150 kD) [S45]. US: store unopened at or below 25 °C; "
            "refrigeration not required [S44]. Reconstituted: up to 24 h at 2–8 °C [S44][S44b]."
        ),
    },
    {
        "slug": "bocouture",
        "brand": "Bocouture",
        "generic_name": "incobotulinumtoxinA",
        "unit_family": "merz",
        "company": "Merz",
        "presentations": [50, 100],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "≤25 °C",
        "in_use_hours": None,
        "on_formulary": True,
        "source": "S32, S32b, S33, S55",
        "notes": (
            "Cosmetic licence (same substance as Xeomin, Merz units). Storage (≤25 °C, not "
            "sourced): verify. In-use limit: verify against current SmPC (older SmPC: use "
            "immediately, one treatment per patient [S32b]; current UK SmPC may allow 24 h at "
            "2–8 °C)."
        ),
    },
    {
        "slug": "myobloc",
        "brand": "Myobloc / NeuroBloc",
        "generic_name": "rimabotulinumtoxinB",
        "unit_family": "solstice-b",
        "company": "Solstice (US)",
        "presentations": [2500, 5000, 10000],
        "form": "solution",
        "uk_licensed": False,
        "us_licensed": True,
        "storage": "2–8 °C",
        "in_use_hours": 4,
        "on_formulary": False,
        "source": "S3, S3b, S52",
        "notes": (
            "Type B toxin, ready-to-use solution 5000 U/mL (2500 U/0.5 mL vial) [S3b][S52]. "
            "NeuroBloc UK licence: verify (not sourced). Presentations beyond 2500 U: verify. "
            "Storage (2–8 °C): verify. In-use limit: diluted solution 4 h, verify. Single-dose "
            "vial, one session, one patient [S52]."
        ),
    },
    {
        "slug": "jeuveau",
        "brand": "Jeuveau",
        "generic_name": "prabotulinumtoxinA-xvfs",
        "unit_family": "evolus",
        "company": "Evolus",
        "presentations": [100],
        "form": "powder",
        "uk_licensed": False,
        "us_licensed": True,
        "storage": "2–8 °C",
        "in_use_hours": 24,
        "on_formulary": False,
        "source": "S6, S54, S54b",
        "notes": (
            "US brand; glabellar lines only [S6]. 900 kDa complex [S54b]. Storage (refrigerate): "
            "verify. Reconstituted: within 24 h at 2–8 °C in carton, do not freeze; one session, "
            "one patient [S54]."
        ),
    },
    {
        "slug": "nuceiva",
        "brand": "Nuceiva",
        "generic_name": "prabotulinumtoxinA",
        "unit_family": "evolus",
        "company": "Evolus",
        "presentations": [],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "",
        "in_use_hours": None,
        "on_formulary": False,
        "source": "S55",
        "notes": (
            "UK/EU brand of Jeuveau; listed as a UK-licensed aesthetic toxin [S55]. "
            "Presentations: verify. Storage: verify. In-use limit: verify against current SmPC."
        ),
    },
    {
        "slug": "daxxify",
        "brand": "Daxxify",
        "generic_name": "daxibotulinumtoxinA-lanm",
        "unit_family": "revance",
        "company": "Revance",
        "presentations": [50, 100],
        "form": "powder",
        "uk_licensed": False,
        "us_licensed": True,
        "storage": "",
        "in_use_hours": 72,
        "on_formulary": False,
        "source": "S4, S53, S53b, S53c",
        "notes": (
            "US only: glabellar lines, cervical dystonia [S53]. No human albumin [S4]. "
            "Storage (room temperature or refrigerated, not sourced): verify. "
            "In-use limit (72 h, not sourced): verify against current PI."
        ),
    },
    {
        "slug": "letybo",
        "brand": "Letybo",
        "generic_name": "letibotulinumtoxinA",
        "unit_family": "hugel",
        "company": "Hugel",
        "presentations": [],
        "form": "powder",
        "uk_licensed": True,
        "us_licensed": True,
        "storage": "",
        "in_use_hours": None,
        "on_formulary": False,
        "source": "S5, S55",
        "notes": (
            "UK-licensed aesthetic toxin [S55]; US glabellar lines only [S5]. "
            "Presentations: verify. Storage: verify. In-use limit: verify against current SmPC."
        ),
    },
    {
        "slug": "relfydess",
        "brand": "Relfydess",
        "generic_name": "relabotulinumtoxinA",
        "unit_family": "galderma-rela",
        "company": "Galderma",
        "presentations": [],
        "form": "solution",
        "uk_licensed": True,
        "us_licensed": False,
        "storage": "",
        "in_use_hours": None,
        "on_formulary": False,
        "source": "S55",
        "notes": (
            "Listed as a UK-licensed aesthetic toxin [S55]. Ready-to-use liquid (not sourced). "
            "US status: verify (seeded as not licensed). Presentations: verify. Storage: verify. "
            "In-use limit: verify against current SmPC."
        ),
    },
]

# ---------------------------------------------------------------------------
# Outcome instruments (DOMAIN §5, §11.3)
# ---------------------------------------------------------------------------
OUTCOME_INSTRUMENTS = [
    {
        "slug": "headache-days",
        "name": "Headache days per month",
        "description": "Headache days in a 28–30 day diary month; record a baseline before cycle 1.",
        "unit": "days/month",
        "min_value": Decimal("0"),
        "max_value": Decimal("31"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S58",
        "notes": (
            "NICE TA260: stop if <30% reduction in headache days after 2 cycles; stop if "
            "<15 headache days/month for 3 consecutive months."
        ),
    },
    {
        "slug": "migraine-days",
        "name": "Migraine days per month",
        "description": "Migraine days per diary month (acute medication days recorded alongside).",
        "unit": "days/month",
        "min_value": Decimal("0"),
        "max_value": Decimal("31"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S58",
        "notes": (
            "DOMAIN gives the unit (days) without a range; bounded here by the days in a month. "
            "Medication overuse must be managed (NICE)."
        ),
    },
    {
        "slug": "hit6",
        "name": "HIT-6 (Headache Impact Test)",
        "description": "6 items, 5 responses each; recall period 4 weeks.",
        "unit": "points",
        "min_value": Decimal("36"),
        "max_value": Decimal("78"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S78, S78b",
        "notes": "Bands: ≤49 little or no impact; 50–55 some; 56–59 substantial; ≥60 severe.",
    },
    {
        "slug": "midas",
        "name": "MIDAS (Migraine Disability Assessment)",
        "description": "Days lost over 3 months (5 items).",
        "unit": "days (3 months)",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S79",
        "notes": "Grade I 0–5 minimal; II 6–10 mild; III 11–20 moderate; IV ≥21 severe.",
    },
    {
        "slug": "twstrs",
        "name": "TWSTRS total (Toronto Western Spasmodic Torticollis Rating Scale)",
        "description": "Total of severity (0–35), disability (0–30) and pain (0–20) subscales.",
        "unit": "points",
        "min_value": Decimal("0"),
        "max_value": Decimal("85"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S80",
        "notes": (
            "Store subscales separately and record the scale version: one manufacturer page "
            "reports 0–87 (disability 0–32)."
        ),
    },
    {
        "slug": "tsui",
        "name": "Tsui scale",
        "description": "Cervical dystonia severity rating.",
        "unit": "points",
        "min_value": Decimal("0"),
        "max_value": Decimal("25"),
        "direction": "lower",
        "per_muscle": False,
        "source": "§11",
        "notes": "Range 0–25 not sourced here: verify.",
    },
    {
        "slug": "pain-vas",
        "name": "Pain visual analogue scale (VAS)",
        "description": "Pain on a 0–100 mm visual analogue scale (cervical dystonia, TMD).",
        "unit": "mm",
        "min_value": Decimal("0"),
        "max_value": Decimal("100"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S80, S104",
        "notes": "TMD studies may use an NRS 0–10 instead [S104]; this instrument is the 0–100 mm VAS.",
    },
    {
        "slug": "jrs",
        "name": "Jankovic Rating Scale",
        "description": "Severity 0–4 + frequency 0–4 (blepharospasm, hemifacial spasm).",
        "unit": "points",
        "min_value": Decimal("0"),
        "max_value": Decimal("8"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S86, S86b",
        "notes": "A 2-point change is judged clinically meaningful.",
    },
    {
        "slug": "bsdi",
        "name": "Blepharospasm Disability Index",
        "description": "Weighted mean of item scores, 0–4.",
        "unit": "points (weighted mean)",
        "min_value": Decimal("0"),
        "max_value": Decimal("4"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S86b",
        "notes": "A change of ≥0.7 is meaningful.",
    },
    {
        "slug": "mas",
        "name": "Modified Ashworth Scale",
        "description": "Ordinal grade per muscle/joint: 0, 1, 1+, 2, 3, 4.",
        "unit": "grade (analysis code 0–5)",
        "min_value": Decimal("0"),
        "max_value": Decimal("5"),
        "direction": "lower",
        "per_muscle": True,
        "source": "S81",
        "notes": (
            "Ordinal, not numeric: store the grade code ('1+'). Bounds are the analysis mapping "
            "0→0, 1→1, 1+→2, 2→3, 3→4, 4→5."
        ),
    },
    {
        "slug": "tardieu",
        "name": "Modified Tardieu Scale / passive range of motion",
        "description": "Angle of catch and passive range of motion per muscle/joint.",
        "unit": "degrees",
        "min_value": None,
        "max_value": None,
        "direction": "higher",
        "per_muscle": True,
        "source": "S111",
        "notes": "Higher range of motion is better.",
    },
    {
        "slug": "gas",
        "name": "Goal Attainment Scaling",
        "description": "Attainment of each functional goal agreed before injection, −2 to +2.",
        "unit": "points per goal",
        "min_value": Decimal("-2"),
        "max_value": Decimal("2"),
        "direction": "higher",
        "per_muscle": False,
        "source": "§11",
        "notes": "Range −2 to +2 not sourced here: verify.",
    },
    {
        "slug": "hdss",
        "name": "Hyperhidrosis Disease Severity Scale (HDSS)",
        "description": "1 never noticeable … 4 intolerable, always interferes with daily activities.",
        "unit": "grade",
        "min_value": Decimal("1"),
        "max_value": Decimal("4"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S82, S82b",
        "notes": (
            "3–4 = severe; no change at 1 month = failure. Responder often defined as a ≥2-grade "
            "improvement (not sourced here): verify."
        ),
    },
    {
        "slug": "gravimetric",
        "name": "Gravimetric sweat rate",
        "description": "Sweat production measured by weighing filter paper.",
        "unit": "mg/min",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S112",
        "notes": "Minor starch-iodine area (cm²) is recorded alongside for mapping.",
    },
    {
        "slug": "ui-episodes-day",
        "name": "Urinary incontinence episodes per day",
        "description": "From a 3-day bladder diary (urgency and micturitions/day recorded alongside).",
        "unit": "episodes/day",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S113",
        "notes": "",
    },
    {
        "slug": "iqol",
        "name": "I-QOL (Incontinence Quality of Life)",
        "description": (
            "22 items; total and 3 subscales (avoidance, psychosocial, social embarrassment)."
        ),
        "unit": "points (0–100)",
        "min_value": Decimal("0"),
        "max_value": Decimal("100"),
        "direction": "higher",
        "per_muscle": False,
        "source": "S83, S83b",
        "notes": (
            "0–100 scoring transform not sourced here: verify. Minimally important change 2–5%."
        ),
    },
    {
        "slug": "pvr-ml",
        "name": "Post-void residual volume (PVR)",
        "description": "Bladder safety measure before treatment and about 2 weeks after.",
        "unit": "mL",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S21, S101",
        "notes": (
            "PVR >200 mL in a patient not performing CIC contraindicates intradetrusor injection."
        ),
    },
    {
        "slug": "dsfs",
        "name": "Drooling Severity and Frequency Scale",
        "description": "Severity 1–5 + frequency 1–4.",
        "unit": "points",
        "min_value": Decimal("2"),
        "max_value": Decimal("9"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S85, S105",
        "notes": "",
    },
    {
        "slug": "usfr",
        "name": "Unstimulated salivary flow rate",
        "description": "Unstimulated saliva production (Myobloc sialorrhoea trial endpoint).",
        "unit": "g/min",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S51b",
        "notes": "",
    },
    {
        "slug": "mmo-mm",
        "name": "Maximal mouth opening",
        "description": "Maximal interincisal mouth opening (TMD / bruxism).",
        "unit": "mm",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "higher",
        "per_muscle": False,
        "source": "S104",
        "notes": "",
    },
    {
        "slug": "prism-dioptres",
        "name": "Deviation in prism dioptres",
        "description": "Strabismus angle of deviation.",
        "unit": "PD",
        "min_value": Decimal("0"),
        "max_value": None,
        "direction": "lower",
        "per_muscle": False,
        "source": "S18",
        "notes": "Re-examine 7–14 days after each injection.",
    },
    {
        "slug": "fws",
        "name": "Facial Wrinkle Scale (Allergan)",
        "description": "0 none, 1 mild, 2 moderate, 3 severe; at maximum contraction and at rest.",
        "unit": "grade",
        "min_value": Decimal("0"),
        "max_value": Decimal("3"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S84, S84c",
        "notes": (
            "Responder: ≥1-grade (or ≥2-grade) improvement, rated by investigator and subject."
        ),
    },
    {
        "slug": "merz-mas",
        "name": "Merz Aesthetics Scales",
        "description": "0 no … 4 very severe.",
        "unit": "grade",
        "min_value": Decimal("0"),
        "max_value": Decimal("4"),
        "direction": "lower",
        "per_muscle": False,
        "source": "S84b",
        "notes": "Responder: score 0–1 and ≥2-grade improvement.",
    },
    {
        "slug": "gais",
        "name": "Global Aesthetic Improvement Scale",
        "description": "5-point global rating of aesthetic improvement (with patient satisfaction).",
        "unit": "5-point scale",
        "min_value": Decimal("1"),
        "max_value": Decimal("5"),
        "direction": "higher",
        "per_muscle": False,
        "source": "§11",
        "notes": (
            "5-point format not sourced here: verify scoring orientation (DOMAIN: higher is "
            "better; some versions score 1 = very much improved)."
        ),
    },
    {
        "slug": "pgic",
        "name": "Patient/clinician global impression of change",
        "description": "7-point global impression of change (PGI-C / CGI-C); usable for any indication.",
        "unit": "7-point scale",
        "min_value": Decimal("1"),
        "max_value": Decimal("7"),
        "direction": "higher",
        "per_muscle": False,
        "source": "§11",
        "notes": (
            "7-point format not sourced here: verify scoring orientation (DOMAIN: higher is "
            "better; some versions score 1 = very much improved)."
        ),
    },
]

# ---------------------------------------------------------------------------
# Anatomical sites (DOMAIN §2.2, §2.3, §11.3)
# ---------------------------------------------------------------------------
_NOT_NAMED = "Not named in DOMAIN.md (general knowledge): verify."

ANATOMICAL_SITES = [
    # PREEMPT muscle groups (chronic migraine) [S7]
    {
        "slug": "corrugator",
        "name": "Corrugator supercilii",
        "region": "head-face",
        "muscle_group": "Corrugator",
        "paired": True,
        "source": "S7, S27",
        "notes": "PREEMPT fixed 10 U (2 sites). Glabellar lines: 2 points per corrugator.",
    },
    {
        "slug": "procerus",
        "name": "Procerus",
        "region": "head-face",
        "muscle_group": "Procerus",
        "paired": False,
        "source": "S7, S27",
        "notes": "Midline. PREEMPT fixed 5 U (1 site). Glabellar lines: 1 point.",
    },
    {
        "slug": "frontalis",
        "name": "Frontalis",
        "region": "head-face",
        "muscle_group": "Frontalis",
        "paired": True,
        "source": "S7, S27, S32",
        "notes": "PREEMPT fixed 20 U (4 sites). Forehead lines: 5 points, with glabellar.",
    },
    {
        "slug": "temporalis",
        "name": "Temporalis",
        "region": "head-face",
        "muscle_group": "Temporalis",
        "paired": True,
        "source": "S7",
        "notes": "PREEMPT 40 U (8 sites), follow-the-pain up to 50 U (10 sites). Also TMD.",
    },
    {
        "slug": "occipitalis",
        "name": "Occipitalis",
        "region": "head-face",
        "muscle_group": "Occipitalis",
        "paired": True,
        "source": "S7",
        "notes": "PREEMPT 30 U (6 sites), follow-the-pain up to 40 U (8 sites).",
    },
    {
        "slug": "cervical-paraspinal",
        "name": "Cervical paraspinal",
        "region": "neck",
        "muscle_group": "Cervical paraspinal",
        "paired": True,
        "source": "S7",
        "notes": "PREEMPT fixed 20 U (4 sites).",
    },
    {
        "slug": "trapezius",
        "name": "Trapezius",
        "region": "shoulder-back",
        "muscle_group": "Trapezius",
        "paired": True,
        "source": "S7, S24",
        "notes": "PREEMPT 30 U (6 sites), follow-the-pain up to 50 U (10 sites). Also cervical dystonia.",
    },
    # Jaw
    {
        "slug": "masseter",
        "name": "Masseter",
        "region": "head-face",
        "muscle_group": "",
        "paired": True,
        "source": "S27, S87",
        "notes": "TMD/bruxism and cosmetic contouring (off-label): 20–30 U per side over 2 sites.",
    },
    # Cervical dystonia [S24]
    {
        "slug": "sternocleidomastoid",
        "name": "Sternocleidomastoid",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24, S20, S23",
        "notes": "BOTOX: SCM total ≤100 U per session (dysphagia risk).",
    },
    {
        "slug": "splenius-capitis",
        "name": "Splenius capitis",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24",
        "notes": "",
    },
    {
        "slug": "levator-scapulae",
        "name": "Levator scapulae",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24",
        "notes": "",
    },
    {
        "slug": "scalenes",
        "name": "Scalenes",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24",
        "notes": "",
    },
    {
        "slug": "semispinalis-capitis",
        "name": "Semispinalis capitis",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24",
        "notes": "",
    },
    {
        "slug": "longissimus-capitis",
        "name": "Longissimus capitis",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S24",
        "notes": "",
    },
    # Eye and orbit
    {
        "slug": "orbicularis-oculi-pretarsal",
        "name": "Orbicularis oculi (pretarsal)",
        "region": "eye",
        "muscle_group": "Orbicularis oculi",
        "paired": True,
        "source": "S13, S25",
        "notes": (
            "Blepharospasm/hemifacial spasm: medial and lateral pretarsal upper lid and lateral "
            "lower lid, 1.25–2.5 U per site. Avoid levator palpebrae (ptosis) and medial lower "
            "lid (diplopia)."
        ),
    },
    {
        "slug": "orbicularis-oculi-preseptal",
        "name": "Orbicularis oculi (preseptal)",
        "region": "eye",
        "muscle_group": "Orbicularis oculi",
        "paired": True,
        "source": "§11",
        "notes": "Alternative blepharospasm site. " + _NOT_NAMED,
    },
    {
        "slug": "medial-rectus",
        "name": "Medial rectus",
        "region": "eye",
        "muscle_group": "Extraocular",
        "paired": True,
        "source": "S18",
        "notes": "Strabismus (EMG-guided); persistent VI nerve palsy 1.25–2.5 U. ≤25 U per injection.",
    },
    {
        "slug": "lateral-rectus",
        "name": "Lateral rectus",
        "region": "eye",
        "muscle_group": "Extraocular",
        "paired": True,
        "source": "S18",
        "notes": "Strabismus (EMG-guided). ≤25 U per injection.",
    },
    # Upper limb spasticity
    {
        "slug": "biceps-brachii",
        "name": "Biceps brachii",
        "region": "upper-limb",
        "muscle_group": "Elbow flexors",
        "paired": True,
        "source": "S20",
        "notes": "US BOTOX adult: 100–200 U (4 sites).",
    },
    {
        "slug": "brachialis",
        "name": "Brachialis",
        "region": "upper-limb",
        "muscle_group": "Elbow flexors",
        "paired": True,
        "source": "§11",
        "notes": "",
    },
    {
        "slug": "brachioradialis",
        "name": "Brachioradialis",
        "region": "upper-limb",
        "muscle_group": "Elbow flexors",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    {
        "slug": "flexor-carpi-radialis",
        "name": "Flexor carpi radialis",
        "region": "upper-limb",
        "muscle_group": "Wrist flexors",
        "paired": True,
        "source": "S20",
        "notes": "US BOTOX adult: 12.5–50 U.",
    },
    {
        "slug": "flexor-carpi-ulnaris",
        "name": "Flexor carpi ulnaris",
        "region": "upper-limb",
        "muscle_group": "Wrist flexors",
        "paired": True,
        "source": "S20",
        "notes": "US BOTOX adult: 12.5–50 U.",
    },
    {
        "slug": "flexor-digitorum-superficialis",
        "name": "Flexor digitorum superficialis",
        "region": "upper-limb",
        "muscle_group": "Finger flexors",
        "paired": True,
        "source": "S20",
        "notes": "US BOTOX adult: 30–50 U.",
    },
    {
        "slug": "flexor-digitorum-profundus",
        "name": "Flexor digitorum profundus",
        "region": "upper-limb",
        "muscle_group": "Finger flexors",
        "paired": True,
        "source": "S20",
        "notes": "US BOTOX adult: 30–50 U.",
    },
    {
        "slug": "flexor-pollicis-longus",
        "name": "Flexor pollicis longus",
        "region": "upper-limb",
        "muscle_group": "Thumb",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    {
        "slug": "adductor-pollicis",
        "name": "Adductor pollicis",
        "region": "upper-limb",
        "muscle_group": "Thumb",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    {
        "slug": "pronator-teres",
        "name": "Pronator teres",
        "region": "upper-limb",
        "muscle_group": "Forearm pronators",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    # Lower limb spasticity
    {
        "slug": "gastrocnemius",
        "name": "Gastrocnemius",
        "region": "lower-limb",
        "muscle_group": "Ankle plantarflexors",
        "paired": True,
        "source": "§11",
        "notes": "Calf; paediatric equinus.",
    },
    {
        "slug": "soleus",
        "name": "Soleus",
        "region": "lower-limb",
        "muscle_group": "Ankle plantarflexors",
        "paired": True,
        "source": "§11",
        "notes": "Calf; paediatric equinus.",
    },
    {
        "slug": "tibialis-posterior",
        "name": "Tibialis posterior",
        "region": "lower-limb",
        "muscle_group": "Ankle invertors",
        "paired": True,
        "source": "§11",
        "notes": "",
    },
    {
        "slug": "flexor-digitorum-longus",
        "name": "Flexor digitorum longus",
        "region": "lower-limb",
        "muscle_group": "Toe flexors",
        "paired": True,
        "source": "§11",
        "notes": "",
    },
    {
        "slug": "flexor-hallucis-longus",
        "name": "Flexor hallucis longus",
        "region": "lower-limb",
        "muscle_group": "Toe flexors",
        "paired": True,
        "source": "§11",
        "notes": "",
    },
    {
        "slug": "hamstrings",
        "name": "Hamstrings",
        "region": "lower-limb",
        "muscle_group": "Knee flexors",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    {
        "slug": "hip-adductors",
        "name": "Hip adductors",
        "region": "lower-limb",
        "muscle_group": "Hip adductors",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
    # Bladder
    {
        "slug": "bladder-detrusor",
        "name": "Bladder detrusor (intradetrusor)",
        "region": "bladder",
        "muscle_group": "",
        "paired": False,
        "source": "S16, S19b",
        "notes": "Cystoscopic. OAB 20 × 0.5 mL avoiding trigone; NDO 30 × 1 mL.",
    },
    # Salivary glands
    {
        "slug": "parotid-gland",
        "name": "Parotid gland",
        "region": "salivary",
        "muscle_group": "",
        "paired": True,
        "source": "S48, S51",
        "notes": "Xeomin adult 30 U per parotid; ultrasound guidance recommended.",
    },
    {
        "slug": "submandibular-gland",
        "name": "Submandibular gland",
        "region": "salivary",
        "muscle_group": "",
        "paired": True,
        "source": "S48, S51",
        "notes": "Xeomin adult 20 U per submandibular gland; ultrasound guidance recommended.",
    },
    # Skin (intradermal)
    {
        "slug": "axilla-intradermal",
        "name": "Axilla (intradermal)",
        "region": "skin",
        "muscle_group": "",
        "paired": True,
        "source": "S48b, S42",
        "notes": "10–15 intradermal sites 1–2 cm apart; map with Minor starch-iodine test.",
    },
    {
        "slug": "palm-intradermal",
        "name": "Palm (intradermal)",
        "region": "skin",
        "muscle_group": "",
        "paired": True,
        "source": "S92",
        "notes": "About 20 intradermal sites per palm; nerve block often needed. Off-label.",
    },
    # Cosmetic areas
    {
        "slug": "glabellar-complex",
        "name": "Glabellar complex",
        "region": "head-face",
        "muscle_group": "",
        "paired": False,
        "source": "S27, S28, S30, S32",
        "notes": "Corrugators + procerus; 5 standard points (2 per corrugator, 1 procerus).",
    },
    {
        "slug": "lateral-orbicularis-oculi",
        "name": "Lateral orbicularis oculi (crow's feet)",
        "region": "head-face",
        "muscle_group": "Orbicularis oculi",
        "paired": True,
        "source": "S27, S32",
        "notes": "Lateral canthal lines: 3 points per side.",
    },
    {
        "slug": "platysma",
        "name": "Platysma",
        "region": "neck",
        "muscle_group": "",
        "paired": True,
        "source": "S27b",
        "notes": "Platysma bands (US BOTOX Cosmetic licence; UK off-label).",
    },
    {
        "slug": "mentalis",
        "name": "Mentalis",
        "region": "head-face",
        "muscle_group": "",
        "paired": True,
        "source": "§11",
        "notes": "Often a single midline chin point. " + _NOT_NAMED,
    },
    {
        "slug": "depressor-anguli-oris",
        "name": "Depressor anguli oris",
        "region": "head-face",
        "muscle_group": "",
        "paired": True,
        "source": "§11",
        "notes": _NOT_NAMED,
    },
]

# ---------------------------------------------------------------------------
# Indications (DOMAIN §11.2, §2, §3.2, §5, §10 rule 31)
#
# min_interval_days: 12 wk = 84, 10 wk = 70, 16 wk = 112, "3 mo" = 84 (DOMAIN §3.2: "3 months (12 weeks)"). Where products
# differ, the longest UK minimum is seeded (the conservative floor) and the
# product-specific intervals are spelled out in notes.
# ---------------------------------------------------------------------------
_COSMETIC_INSTRUMENTS = ["fws", "merz-mas", "gais"]
_SPASTICITY_INSTRUMENTS = ["mas", "tardieu", "gas"]
_BLADDER_INSTRUMENTS = ["ui-episodes-day", "iqol", "pvr-ml"]
_BLADDER_RULES = (
    "PVR, UTI, CIC rules: no UTI at treatment; contraindicated with retention or PVR >200 mL "
    "in a patient not performing CIC; antibiotic prophylaxis (not aminoglycoside); review "
    "PVR/UTI at about 2 weeks."
)

INDICATIONS = [
    {
        "slug": "chronic-migraine",
        "name": "Chronic migraine prophylaxis",
        "category": "therapeutic",
        "uk": ["botox"],
        "us": ["botox"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "31 (up to 39), 7 muscle groups, 5 U/site",
        "default_dose": "botox: 155 (up to 195)",
        "notes": (
            "195 U; NICE stop rules (stop if <30% reduction in headache days after 2 cycles, or "
            "<15 headache days/month for 3 consecutive months). Eligibility: ≥15 headache "
            "days/month with ≥8 migraine days; NICE: ≥3 preventives failed."
        ),
        "instruments": ["headache-days", "migraine-days", "hit6", "midas"],
        "source": "S7, S9, S1, S58, S93",
    },
    {
        "slug": "cervical-dystonia",
        "name": "Cervical dystonia",
        "category": "therapeutic",
        "uk": ["botox", "dysport", "xeomin"],
        "us": ["botox", "dysport", "xeomin", "myobloc", "daxxify"],
        "min_interval_days": 84,
        "min_age_years": 12,
        "max_age_years": None,
        "typical_sites": "SCM, splenius, trapezius, levator scapulae, scalenes",
        "default_dose": (
            "botox 198–300 (US); botox UK ≤200 first; dysport 500 (250–1000); xeomin 120; "
            "myobloc 2500–5000; daxxify 125–250"
        ),
        "notes": (
            "SCM ≤100 U botox; ≤50 U/site. Min interval 12 wk (84 d); BOTOX (UK) 10 wk (70 d). "
            "UK BOTOX caps (≤200 U first course, ≤300 U per sitting): verify. "
            "NeuroBloc UK licence: verify. Min age 12 y is the UK BOTOX licence."
        ),
        "instruments": ["twstrs", "tsui", "pain-vas"],
        "source": "S9, S34, S45, S60, S42b, S52, S53, S8, S20, S23, S24, S37, S50, S46, S53b, S80",
    },
    {
        "slug": "blepharospasm",
        "name": "Blepharospasm",
        "category": "therapeutic",
        "uk": ["botox", "dysport", "xeomin"],
        "us": ["botox", "xeomin"],
        "min_interval_days": 84,
        "min_age_years": 12,
        "max_age_years": None,
        "typical_sites": "3+ sites per eye (orbicularis oculi)",
        "default_dose": "botox 1.25–2.5 per site, ≤25/eye initial (UK)",
        "notes": (
            "UK ≤100 U/12 wk; US ≤200 U/30 d. Interval ~3 months (tolerance if more often). "
            "Dysport UK dose: verify current SmPC."
        ),
        "instruments": ["jrs", "bsdi"],
        "source": "S9, S34, S45, S13, S49, S8, S25, S35, S86, S86b",
    },
    {
        "slug": "hemifacial-spasm",
        "name": "Hemifacial spasm",
        "category": "therapeutic",
        "uk": ["botox", "dysport", "xeomin"],
        "us": [],
        "min_interval_days": 84,
        "min_age_years": 12,
        "max_age_years": None,
        "typical_sites": "unilateral facial",
        "default_dose": "botox 1.25–2.5 per site",
        "notes": "As blepharospasm (UK BOTOX treats it as unilateral blepharospasm). US: off-label.",
        "instruments": ["jrs"],
        "source": "S9, S34, S45, S8, S25, S13, S86",
    },
    {
        "slug": "strabismus",
        "name": "Strabismus",
        "category": "therapeutic",
        "uk": [],
        "us": ["botox"],
        "min_interval_days": 84,
        "min_age_years": 12,
        "max_age_years": None,
        "typical_sites": "1 extraocular muscle, EMG",
        "default_dose": "botox 1.25–5 per muscle",
        "notes": (
            "25 U per injection. Review 7–14 d after each injection; no labelled re-treatment "
            "interval found, default 12 wk (84 d) seeded: verify. UK: off-label. "
            "Ophthalmology only; EMG-guided. Min age 12 y from the US label."
        ),
        "instruments": ["prism-dioptres"],
        "source": "S18, S9",
    },
    {
        "slug": "spasticity-ul-adult",
        "name": "Upper limb spasticity, adult",
        "category": "therapeutic",
        "uk": ["botox", "dysport", "xeomin"],
        "us": ["botox", "dysport", "xeomin"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "elbow, wrist, finger flexors",
        "default_dose": "botox ≤400; dysport ≤1000; xeomin ≤400 (US)",
        "notes": (
            "≤50 U/site botox; shoulder muscles combined ≤250 U; Dysport ≤1 mL/site (UK). "
            "Xeomin UK maximum (possibly 500 U): verify."
        ),
        "instruments": _SPASTICITY_INSTRUMENTS,
        "source": "S26, S34, S45, S20, S42b, S46, S43",
    },
    {
        "slug": "spasticity-ll-adult",
        "name": "Lower limb spasticity (ankle/foot), adult",
        "category": "therapeutic",
        "uk": ["botox", "dysport", "xeomin"],
        "us": ["botox", "dysport"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "calf, tibialis posterior, toe flexors",
        "default_dose": "botox 300–400 (US, verify); dysport ≤1500 (verify)",
        "notes": (
            "Doses: verify (BOTOX US and Dysport figures not sourced; UK doses not retrieved). "
            "US licences: not sourced here, verify."
        ),
        "instruments": _SPASTICITY_INSTRUMENTS,
        "source": "S9, S34, S45",
    },
    {
        "slug": "spasticity-paed-ul",
        "name": "Upper limb spasticity, child (incl. CP)",
        "category": "therapeutic",
        "uk": ["botox", "dysport"],
        "us": ["botox", "dysport", "xeomin"],
        "min_interval_days": 112,
        "min_age_years": 2,
        "max_age_years": 17,
        "typical_sites": "biceps, brachialis, wrist/finger flexors",
        "default_dose": "botox 3–6 U/kg (≤200); dysport 8–16 U/kg (≤640)",
        "notes": (
            "Total ≤10 U/kg or 340 U botox (verify); ≤30 U/kg or 1000 U dysport. Min interval: "
            "botox 12 wk (84 d); dysport 16 wk (112 d), seeded 112. US Xeomin: excluding CP. "
            "Specialist rehabilitation setting only."
        ),
        "instruments": _SPASTICITY_INSTRUMENTS,
        "source": "S9, S34, S15, S38, S48, S36, S8, S111",
    },
    {
        "slug": "spasticity-paed-ll",
        "name": "Lower limb spasticity / equinus, child",
        "category": "therapeutic",
        "uk": ["botox", "dysport"],
        "us": ["botox", "dysport"],
        "min_interval_days": 84,
        "min_age_years": 2,
        "max_age_years": 17,
        "typical_sites": "gastrocnemius, soleus",
        "default_dose": "botox 4–8 U/kg (≤300, verify); dysport 10–15 U/kg/leg (≤1000)",
        "notes": (
            "Dysport ≤0.5 mL/site. BOTOX paediatric lower-limb dose: verify. "
            "Specialist rehabilitation setting only."
        ),
        "instruments": _SPASTICITY_INSTRUMENTS,
        "source": "S9, S34, S15, S38, S36, S8, S111",
    },
    {
        "slug": "hyperhidrosis-axillary",
        "name": "Severe primary axillary hyperhidrosis",
        "category": "therapeutic",
        "uk": ["botox", "dysport"],
        "us": ["botox"],
        "min_interval_days": 112,
        "min_age_years": 12,
        "max_age_years": None,
        "typical_sites": "10–15 intradermal/axilla",
        "default_dose": "botox 50/axilla; dysport 100/axilla (≤200)",
        "notes": (
            "Min interval: botox on recurrence (effect 4–7 mo); dysport ≥16 wk (112 d), seeded "
            "112. Exclude secondary causes first (e.g. hyperthyroidism). BOTOX: limited data "
            "12–17 y."
        ),
        "instruments": ["hdss", "gravimetric"],
        "source": "S9, S34, S20c, S8, S48b, S48c, S98, S42, S82, S112",
    },
    {
        "slug": "hyperhidrosis-palmar",
        "name": "Palmar hyperhidrosis",
        "category": "off-label",
        "uk": [],
        "us": [],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "~20 intradermal/palm",
        "default_dose": "botox 50–100/palm",
        "notes": (
            "Grip/pinch weakness (pinch strength fell 23% at 50 U, 40% at 100 U at 2 weeks). "
            "Re-treat on recurrence; floor 12 wk (84 d)."
        ),
        "instruments": ["hdss", "gravimetric"],
        "source": "S92",
    },
    {
        "slug": "oab",
        "name": "Overactive bladder (idiopathic)",
        "category": "therapeutic",
        "uk": ["botox"],
        "us": ["botox"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "20 × 0.5 mL intradetrusor",
        "default_dose": "botox 100",
        "notes": (
            _BLADDER_RULES
            + " Anticholinergic failure. 12-week minimum not sourced for OAB specifically: verify."
        ),
        "instruments": _BLADDER_INSTRUMENTS,
        "source": "S9, S19, S19b, S21, S22, S101",
    },
    {
        "slug": "ndo-adult",
        "name": "Neurogenic detrusor overactivity, adult",
        "category": "therapeutic",
        "uk": ["botox", "dysport"],
        "us": ["botox"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "30 × 1 mL intradetrusor",
        "default_dose": "botox 200",
        "notes": (
            _BLADDER_RULES + " Median time to re-treatment 42–48 wk. Dysport (UK): patients "
            "performing CIC only; Dysport dose not retrieved: verify."
        ),
        "instruments": _BLADDER_INSTRUMENTS,
        "source": "S9, S35, S16, S20, S21, S22",
    },
    {
        "slug": "ndo-paediatric",
        "name": "Neurogenic detrusor overactivity, child ≥5 y",
        "category": "therapeutic",
        "uk": [],
        "us": ["botox"],
        "min_interval_days": 84,
        "min_age_years": 5,
        "max_age_years": 17,
        "typical_sites": "intradetrusor",
        "default_dose": "botox 200 (≥34 kg) or 6 U/kg",
        "notes": "≤ lower of 6 U/kg and 200 U. US licence only; UK off-label. " + _BLADDER_RULES,
        "instruments": _BLADDER_INSTRUMENTS,
        "source": "S16, S17, S17b",
    },
    {
        "slug": "sialorrhoea-adult",
        "name": "Chronic sialorrhoea, adult",
        "category": "therapeutic",
        "uk": ["xeomin"],
        "us": ["xeomin", "myobloc"],
        "min_interval_days": 112,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "4 glands",
        "default_dose": "xeomin 100 (30/parotid, 20/submandibular); myobloc 1500–3500",
        "notes": (
            "Min interval: xeomin 16 wk (112 d); myobloc 3 mo, seeded 112. Xeomin dosing seen "
            "only in a secondary summary: verify. Ultrasound guidance recommended for Xeomin."
        ),
        "instruments": ["dsfs", "usfr", "pgic"],
        "source": "S45, S47, S51, S48, S85, S51b",
    },
    {
        "slug": "sialorrhoea-paediatric",
        "name": "Chronic sialorrhoea, child 2–17 y, ≥12 kg",
        "category": "therapeutic",
        "uk": ["xeomin"],
        "us": ["xeomin"],
        "min_interval_days": 112,
        "min_age_years": 2,
        "max_age_years": 17,
        "typical_sites": "4 glands",
        "default_dose": "weight-based (3:2 parotid:submandibular)",
        "notes": "Weight ≥12 kg. Dosing seen only in a secondary summary: verify.",
        "instruments": ["dsfs", "usfr", "pgic"],
        "source": "S45, S47, S48, S85",
    },
    {
        "slug": "tmd-bruxism",
        "name": "Myogenous TMD / bruxism",
        "category": "off-label",
        "uk": [],
        "us": [],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "masseter ± temporalis",
        "default_dose": "botox masseter 20–30/side; temporalis 10–25/side (verify)",
        "notes": "CQC: therapeutic intent is a regulated activity. Temporalis dose: verify.",
        "instruments": ["pain-vas", "mmo-mm"],
        "source": "S27, S87, S104",
    },
    {
        "slug": "parkinsons-tremor",
        "name": "Parkinson's tremor / foot dystonia / FOG",
        "category": "investigational",
        "uk": [],
        "us": [],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "forearm / foot muscles",
        "default_dose": "specialist protocol",
        "notes": (
            "Specialist only: off-label consent and a named supervising specialist required. "
            "No indication-specific outcome measure in DOMAIN §5; global impression of change "
            "linked."
        ),
        "instruments": ["pgic"],
        "source": "S88, S88b",
    },
    {
        "slug": "glabellar-lines",
        "name": "Glabellar lines",
        "category": "cosmetic",
        "uk": [
            "botox",
            "vistabel",
            "azzalure",
            "bocouture",
            "alluzience",
            "letybo",
            "nuceiva",
            "relfydess",
        ],
        "us": ["botox-cosmetic", "dysport", "xeomin", "jeuveau", "daxxify", "letybo"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "5 (2 per corrugator, 1 procerus)",
        "default_dose": (
            "botox 20; azzalure/dysport 50; bocouture/xeomin 20 (≤30); jeuveau 20; daxxify 40"
        ),
        "notes": (
            "Adults; <65 for azzalure/bocouture/dysport. Avoid levator palpebrae (ptosis). "
            "Under 18: criminal offence (England)."
        ),
        "instruments": _COSMETIC_INSTRUMENTS,
        "source": (
            "S9, S30, S32, S55, S2, S39, S47, S6, S53, S5, S74, S40, S27, S28, S54, S53b, S84b"
        ),
    },
    {
        "slug": "lateral-canthal-lines",
        "name": "Crow's feet",
        "category": "cosmetic",
        "uk": ["botox", "vistabel", "azzalure", "bocouture"],
        "us": ["botox-cosmetic", "xeomin"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "6 (3/side)",
        "default_dose": "botox 24 (12/side); bocouture 24; azzalure 60 (30/side, verify)",
        "notes": "Azzalure crow's-feet dose: verify.",
        "instruments": _COSMETIC_INSTRUMENTS,
        "source": "S9, S29, S30, S32, S27, S47, S74, S84",
    },
    {
        "slug": "forehead-lines",
        "name": "Horizontal forehead lines",
        "category": "cosmetic",
        "uk": ["botox", "vistabel", "bocouture"],
        "us": ["botox-cosmetic", "xeomin"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "5",
        "default_dose": "botox 20 (+20 glabellar); bocouture 10–20",
        "notes": "Treat with glabellar (brow ptosis risk).",
        "instruments": _COSMETIC_INSTRUMENTS,
        "source": "S99, S32, S27, S47, S74, S84",
    },
    {
        "slug": "upper-face-combined",
        "name": "Glabellar + crow's feet + forehead",
        "category": "cosmetic",
        "uk": ["botox", "vistabel", "bocouture"],
        "us": ["botox-cosmetic", "xeomin"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "16",
        "default_dose": "botox 64; xeomin ≤64",
        "notes": "64 U.",
        "instruments": _COSMETIC_INSTRUMENTS,
        "source": "S27, S47, S74, S84",
    },
    {
        "slug": "platysma-bands",
        "name": "Platysma bands",
        "category": "cosmetic",
        "uk": [],
        "us": ["botox-cosmetic"],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "neck + jawline",
        "default_dose": "26 / 31 / 36 by severity",
        "notes": "UK: off-label (not sourced here). US BOTOX Cosmetic approval Oct 2024.",
        "instruments": ["merz-mas", "gais"],
        "source": "S27b, S74",
    },
    {
        "slug": "masseter-contouring",
        "name": "Masseter hypertrophy (cosmetic)",
        "category": "off-label",
        "uk": [],
        "us": [],
        "min_interval_days": 84,
        "min_age_years": 18,
        "max_age_years": None,
        "typical_sites": "2 sites/side",
        "default_dose": "botox 20–30/side",
        "notes": "Cosmetic purpose: under-18 law applies.",
        "instruments": ["merz-mas", "gais"],
        "source": "S27, S74",
    },
]

_M2M_KEYS = ("uk", "us", "instruments")


def _seed_rows(model, rows):
    for row in rows:
        defaults = {k: v for k, v in row.items() if k != "slug" and k not in _M2M_KEYS}
        defaults["verified_on"] = VERIFIED_ON
        model.objects.update_or_create(slug=row["slug"], defaults=defaults)


def _by_slug(model, slugs):
    found = list(model.objects.filter(slug__in=slugs))
    missing = set(slugs) - {obj.slug for obj in found}
    if missing:
        raise ValueError(f"{model.__name__} slugs not seeded: {sorted(missing)}")
    return found


def seed(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    OutcomeInstrument = apps.get_model("treatments", "OutcomeInstrument")
    AnatomicalSite = apps.get_model("treatments", "AnatomicalSite")
    Indication = apps.get_model("treatments", "Indication")

    _seed_rows(Product, PRODUCTS)
    _seed_rows(OutcomeInstrument, OUTCOME_INSTRUMENTS)
    _seed_rows(AnatomicalSite, ANATOMICAL_SITES)
    _seed_rows(Indication, INDICATIONS)

    for row in INDICATIONS:
        indication = Indication.objects.get(slug=row["slug"])
        indication.uk_licensed_products.set(_by_slug(Product, row["uk"]))
        indication.us_licensed_products.set(_by_slug(Product, row["us"]))
        indication.outcome_instruments.set(_by_slug(OutcomeInstrument, row["instruments"]))


def unseed(apps, schema_editor):
    # Indications first: their M2M rows reference products and instruments.
    for model_name, rows in (
        ("Indication", INDICATIONS),
        ("AnatomicalSite", ANATOMICAL_SITES),
        ("OutcomeInstrument", OUTCOME_INSTRUMENTS),
        ("Product", PRODUCTS),
    ):
        model = apps.get_model("treatments", model_name)
        model.objects.filter(slug__in=[row["slug"] for row in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0001_reference_models"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
