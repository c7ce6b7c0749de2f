"""The DOMAIN reference values (§3, §10, §11) for the dose-safety engine's tests, the way
the seeded reference tables hand them to the engine: parameters, products, indications,
guidelines, dose limits, the PREEMPT protocol, and `reference()` bundling them. Pure: no
database. The session and history builders are in safety_builders.py."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from treatments.safety import (
    DoseLimitFacts,
    GuidelineFacts,
    IndicationFacts,
    Level,
    ProductFacts,
    ProtocolFacts,
    ProtocolGroup,
    ReferenceFacts,
)

D = Decimal
LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 12, 7)
AT = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
PATIENT = 1
BLOCK, OVERRIDE, WARN = Level.BLOCK, Level.OVERRIDE, Level.WARN

# Reference data (DOMAIN values) ------------------------------------------------------------

PARAMETERS = {
    "adult_age_years": D(18),
    "other_family_window_days": D(112),
    "volume_mismatch_percent": D(5),
    "child_weight_valid_days": D(90),
    "top_up_window_days": D(14),
    "bladder_pvr_max_ml": D(200),
    "antiplatelet_stop_days": D(3),
    "cosmetic_min_age_years": D(18),
    "cosmetic_caution_age_years": D(65),
    "childbearing_min_age_years": D(12),  # rule 27 (verify)
    "childbearing_max_age_years": D(55),
    # Rule 33 (NICE TA260): read only for chronic migraine with a baseline diary.
    "nice_min_headache_days": D(15),
    "nice_min_migraine_days": D(8),
    "nice_min_failed_preventives": D(3),
    "nice_min_reduction_percent": D(30),
    "nice_episodic_months": D(3),
}
PARAMETER_SOURCES = {key: f"SP:{key}" for key in PARAMETERS}

PRODUCTS = {
    "botox": ProductFacts("botox", "BOTOX", "allergan", True, True, True, 24),
    "vistabel": ProductFacts(
        "vistabel",
        "Vistabel",
        "allergan",
        True,
        True,
        True,
        24,
        cosmetic_neuromuscular_contraindicated=True,
    ),
    "botox-cosmetic": ProductFacts(
        "botox-cosmetic", "BOTOX Cosmetic", "allergan", False, False, True, 24
    ),
    "dysport": ProductFacts(
        "dysport",
        "Dysport",
        "speywood",
        True,
        True,
        True,
        24,
        milk_protein_contraindicated=True,
        cosmetic_max_age_years=65,
    ),
    "azzalure": ProductFacts(
        "azzalure",
        "Azzalure",
        "speywood",
        True,
        True,
        True,
        24,
        milk_protein_contraindicated=True,
        cosmetic_neuromuscular_contraindicated=True,
        cosmetic_max_age_years=65,
    ),
    "alluzience": ProductFacts("alluzience", "Alluzience", "speywood", True, True, False, None),
    "xeomin": ProductFacts("xeomin", "Xeomin", "merz", True, True, True, 24),
    "bocouture": ProductFacts(
        "bocouture",
        "Bocouture",
        "merz",
        True,
        True,
        True,
        24,
        cosmetic_neuromuscular_contraindicated=True,
        inflammation_contraindicated=True,
        cosmetic_max_age_years=65,
    ),
}

INDICATIONS = {
    "chronic-migraine": IndicationFacts(
        "chronic-migraine", "Chronic migraine prophylaxis", "therapeutic", "chronic-migraine", 84
    ),
    "cervical-dystonia": IndicationFacts(
        "cervical-dystonia", "Cervical dystonia", "therapeutic", "general", 84, min_age_years=12
    ),
    "blepharospasm": IndicationFacts(
        "blepharospasm", "Blepharospasm", "therapeutic", "blepharospasm", 84, min_age_years=12
    ),
    "strabismus": IndicationFacts("strabismus", "Strabismus", "therapeutic", "strabismus", 84),
    "spasticity-ul-adult": IndicationFacts(
        "spasticity-ul-adult", "Upper limb spasticity, adult", "therapeutic", "general", 84, 18
    ),
    "spasticity-paed-ul": IndicationFacts(
        "spasticity-paed-ul",
        "Upper limb spasticity, child",
        "therapeutic",
        "general",
        84,
        min_age_years=2,
        max_age_years=17,
    ),
    "hyperhidrosis-axillary": IndicationFacts(
        "hyperhidrosis-axillary",
        "Severe primary axillary hyperhidrosis",
        "therapeutic",
        "general",
        84,
    ),
    "oab": IndicationFacts(
        "oab", "Overactive bladder (idiopathic)", "therapeutic", "bladder", 84, 18
    ),
    "sialorrhoea-paediatric": IndicationFacts(
        "sialorrhoea-paediatric",
        "Chronic sialorrhoea, child",
        "therapeutic",
        "general",
        112,
        min_age_years=2,
        max_age_years=17,
    ),
    "glabellar-lines": IndicationFacts(
        "glabellar-lines", "Glabellar lines", "cosmetic", "general", 84, min_age_years=18
    ),
    "tmd-bruxism": IndicationFacts(
        "tmd-bruxism", "Myogenous TMD / bruxism", "off-label", "general", 84
    ),
    "parkinsons-tremor": IndicationFacts(
        "parkinsons-tremor", "Parkinson's tremor", "investigational", "general", 84
    ),
}

GUIDELINES = {
    ("botox", "chronic-migraine"): GuidelineFacts(True, "S7", D(155), D(195)),
    ("botox", "cervical-dystonia"): GuidelineFacts(
        True, "S24", min_interval_days=70, min_age_years=12
    ),
    ("dysport", "cervical-dystonia"): GuidelineFacts(True, "S37", D(250), D(1000)),
    ("botox", "blepharospasm"): GuidelineFacts(True, "S25", min_age_years=12),
    ("botox", "strabismus"): GuidelineFacts(False, "S18"),
    ("botox", "spasticity-ul-adult"): GuidelineFacts(True, "S26"),
    ("dysport", "spasticity-ul-adult"): GuidelineFacts(True, "S43"),
    ("botox", "spasticity-paed-ul"): GuidelineFacts(True, "S15", min_age_years=2),
    ("dysport", "spasticity-paed-ul"): GuidelineFacts(
        True, "S36", min_interval_days=112, min_age_years=2
    ),
    ("botox", "hyperhidrosis-axillary"): GuidelineFacts(
        True, "S48b", D(100), D(100), min_age_years=12
    ),
    ("botox", "oab"): GuidelineFacts(True, "S19b", D(100), D(100)),
    ("xeomin", "sialorrhoea-paediatric"): GuidelineFacts(
        True, "S45", min_interval_days=112, min_age_years=2, min_weight_kg=D(12)
    ),
    ("xeomin", "spasticity-ul-adult"): GuidelineFacts(True, "S46"),
    ("botox", "glabellar-lines"): GuidelineFacts(True, "S27", D(20), D(20)),
    ("vistabel", "glabellar-lines"): GuidelineFacts(True, "S29", D(20), D(20)),
    ("azzalure", "glabellar-lines"): GuidelineFacts(True, "S30", D(50), D(50)),
    ("bocouture", "glabellar-lines"): GuidelineFacts(True, "S32", D(20), D(30)),
}


def limit(code, label, family, level, source, scope, **kw) -> DoseLimitFacts:
    return DoseLimitFacts(code, label, family, level, source, scope, **kw)


LIMITS = (
    limit(
        "dose.allergan_adult_84d",
        "BOTOX family, adults, rolling 84 days",
        "allergan",
        OVERRIDE,
        "S107 (verify)",
        "window",
        population="adult",
        window_days=84,
        max_units=D(400),
    ),
    limit(
        "dose.allergan_child_84d",
        "BOTOX family, children, rolling 84 days",
        "allergan",
        OVERRIDE,
        "US PI §2.1 (verify)",
        "window",
        population="child",
        window_days=84,
        max_units=D(340),
        max_units_per_kg=D(10),
    ),
    limit(
        "dose.botox_paed_ul",
        "BOTOX paediatric upper limb per session",
        "allergan",
        OVERRIDE,
        "S15",
        "session",
        product_slug="botox",
        indication_slug="spasticity-paed-ul",
        population="child",
        max_units=D(200),
        max_units_per_kg=D(6),
    ),
    limit(
        "dose.dysport_paed_session",
        "Dysport paediatric, all limbs per session",
        "speywood",
        OVERRIDE,
        "S36; S38",
        "session",
        product_slug="dysport",
        population="child",
        max_units=D(1000),
        max_units_per_kg=D(30),
    ),
    limit(
        "dose.dysport_paed_ul_unilateral",
        "Dysport paediatric upper limb, one side",
        "speywood",
        OVERRIDE,
        "S36",
        "session",
        product_slug="dysport",
        indication_slug="spasticity-paed-ul",
        population="child",
        laterality="unilateral",
        max_units=D(640),
        max_units_per_kg=D(16),
    ),
    limit(
        "dose.dysport_paed_ul_bilateral",
        "Dysport paediatric upper limb, both sides",
        "speywood",
        OVERRIDE,
        "S36",
        "session",
        product_slug="dysport",
        indication_slug="spasticity-paed-ul",
        population="child",
        laterality="bilateral",
        max_units=D(840),
        max_units_per_kg=D(21),
    ),
    limit(
        "dose.dysport_paed_site_ml",
        "Dysport paediatric volume per site",
        "speywood",
        WARN,
        "S36; S38",
        "site",
        product_slug="dysport",
        population="child",
        max_volume_ml=D("0.5"),
    ),
    limit(
        "dose.dysport_adult_ul",
        "Dysport adult upper limb per session",
        "speywood",
        OVERRIDE,
        "S43",
        "session",
        product_slug="dysport",
        indication_slug="spasticity-ul-adult",
        population="adult",
        max_units=D(1000),
    ),
    limit(
        "dose.botox_site",
        "BOTOX per injection site",
        "allergan",
        WARN,
        "S20; S22",
        "site",
        product_slug="botox",
        max_units=D(50),
    ),
    limit(
        "dose.botox_scm",
        "BOTOX sternocleidomastoid total",
        "allergan",
        WARN,
        "S20; S23",
        "muscle-group",
        product_slug="botox",
        indication_slug="cervical-dystonia",
        muscle_group="Sternocleidomastoid",
        max_units=D(100),
    ),
    limit(
        "dose.botox_strabismus",
        "BOTOX strabismus per injection",
        "allergan",
        BLOCK,
        "S18",
        "site",
        product_slug="botox",
        indication_slug="strabismus",
        max_units=D(25),
    ),
    limit(
        "dose.botox_bleph_initial_eye",
        "BOTOX blepharospasm initial dose per eye (UK)",
        "allergan",
        OVERRIDE,
        "S25",
        "side",
        product_slug="botox",
        indication_slug="blepharospasm",
        first_treatment_only=True,
        max_units=D(25),
    ),
    limit(
        "dose.botox_bleph_84d",
        "BOTOX blepharospasm per 12 weeks (UK)",
        "allergan",
        OVERRIDE,
        "S25",
        "window",
        product_slug="botox",
        indication_slug="blepharospasm",
        window_days=84,
        max_units=D(100),
    ),
    limit(
        "dose.xeomin_session",
        "Xeomin per session (US)",
        "merz",
        OVERRIDE,
        "S46",
        "session",
        product_slug="xeomin",
        max_units=D(400),
    ),
)

PREEMPT = ProtocolFacts(
    name="PREEMPT",
    source="S7",
    min_units=D(155),
    max_units=D(195),
    min_sites=31,
    max_sites=39,
    groups=(
        ProtocolGroup("Corrugator", fixed_units=D(10)),
        ProtocolGroup("Procerus", fixed_units=D(5)),
        ProtocolGroup("Frontalis", fixed_units=D(20)),
        ProtocolGroup("Temporalis", max_units=D(50)),
        ProtocolGroup("Occipitalis", max_units=D(40)),
        ProtocolGroup("Cervical paraspinal", fixed_units=D(20)),
        ProtocolGroup("Trapezius", max_units=D(50)),
    ),
    unit_family="allergan",
)


def reference(**kw) -> ReferenceFacts:
    base = {
        "limits": LIMITS,
        "protocol": PREEMPT,
        "parameters": dict(PARAMETERS),
        "parameter_sources": dict(PARAMETER_SOURCES),
    }
    return ReferenceFacts(**{**base, **kw})
