"""The dose-safety engine (treatments.safety): every rule of DOMAIN §10 rules 1-32 plus the
screening, consent (35) and advice (40) checks, at its boundaries.

Pure: no database. The builders below hold the DOMAIN reference values (§3, §10, §11) the
way the seeded reference tables hand them to the engine. The property tests live in
test_safety_properties.py and reuse these builders.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from treatments import safety
from treatments.safety import (
    LEVEL_ORDER,
    PARAMETER_KEYS,
    DoseLimitFacts,
    Finding,
    GuidelineFacts,
    IndicationFacts,
    Level,
    MigraineDiaryFacts,
    MissingParameterError,
    PatientHistory,
    PointFacts,
    PrescriberAssessmentFacts,
    PriorDose,
    ProductFacts,
    ProposedSession,
    ProtocolFacts,
    ProtocolGroup,
    ReferenceFacts,
    ScreeningFacts,
    VialFacts,
    evaluate,
    is_off_label,
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


# Session builders --------------------------------------------------------------------------


def born(years: int, days_short: int = 0) -> date:
    """Date of birth making the patient `years` old on DAY; days_short > 0 moves the
    birthday that many days after DAY (so 18, 1 is 17 years 364 days)."""
    return DAY.replace(year=DAY.year - years) + timedelta(days=days_short)


def pt(
    units,
    group: str = "Biceps",
    side: str = "left",
    volume=None,
    points: int = 1,
    site: str | None = None,
) -> PointFacts:
    return PointFacts(
        site_slug=(site or group).lower().replace(" ", "-"),
        site_name=site or group,
        muscle_group=group,
        side=side,
        units=D(units),
        volume_ml=None if volume is None else D(volume),
        points=points,
    )


def vial(product_slug: str = "botox", **kw) -> VialFacts:
    base = {
        "id": 7,
        "product_slug": product_slug,
        "lot": "C1234AB",
        "expiry": date(2027, 6, 30),
        "reconstituted_at": AT - timedelta(hours=2),
        "units_per_ml": D(50),
    }
    return VialFacts(**{**base, **kw})


def screening(**answers) -> ScreeningFacts:
    return ScreeningFacts(answered_on=DAY, **answers)


# A well-prepared patient: a prescriber saw them face to face (rule 34) and, for chronic
# migraine, a baseline headache diary that meets NICE TA260 (rule 33).
ASSESSED = PrescriberAssessmentFacts(assessed_on=DAY - timedelta(days=7), prescriber="Dr Patel")
BASELINE = MigraineDiaryFacts(
    baseline_headache_days=D(18), baseline_migraine_days=D(10), preventives_failed=3
)


def history(*doses: PriorDose, screening_facts=None, **kw) -> PatientHistory:
    kw.setdefault("prescriber_assessment", ASSESSED)
    kw.setdefault("migraine", BASELINE)
    return PatientHistory(
        doses=tuple(doses),
        screening=screening() if screening_facts is None else screening_facts,
        **kw,
    )


def prior(
    days_ago: int,
    units=100,
    product_slug: str = "botox",
    indication: str | None = "spasticity-ul-adult",
    **kw,
) -> PriorDose:
    product = PRODUCTS[product_slug]
    return PriorDose(
        on=DAY - timedelta(days=days_ago),
        product_slug=product_slug,
        brand=product.brand,
        unit_family=product.unit_family,
        units=None if units is None else D(units),
        indication_slug=indication,
        **kw,
    )


def session(
    product_slug: str | None = "botox",
    indication: str = "spasticity-ul-adult",
    points=None,
    **kw,
) -> ProposedSession:
    """A well-prepared adult session: screening reviewed, consent, advice, valid vial, and a
    treating registered medical practitioner (rule 29b, for the children here; its own
    tests are in test_safety_child_doctor.py)."""
    base = {
        "patient_id": PATIENT,
        "on": DAY,
        "at": AT,
        "date_of_birth": born(40),
        "indication": INDICATIONS[indication],
        "product": PRODUCTS[product_slug] if product_slug else None,
        "guideline": GUIDELINES.get((product_slug, indication)),
        "vial": vial(product_slug or "botox"),
        "points": tuple(points) if points is not None else (pt(40, "Biceps"),),
        "screening_reviewed": True,
        "consent_taken": True,
        "spread_advice_given": True,
        "practitioner_is_doctor": True,
    }
    base.update(kw)
    return ProposedSession(**base)


def run(s: ProposedSession, h: PatientHistory | None = None, r=None) -> list[Finding]:
    return evaluate(s, h or history(), r or reference())


def codes(findings: list[Finding]) -> set[tuple[str, Level]]:
    return {(f.code, f.level) for f in findings}


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def one(findings: list[Finding], code: str) -> Finding:
    matching = only(findings, code)
    assert len(matching) == 1, (code, findings)
    return matching[0]


def uk(days_ago: int) -> str:
    return (DAY - timedelta(days=days_ago)).strftime("%d/%m/%Y")


# Standard protocols: a well-prepared licensed session raises nothing ------------------------


def preempt_points() -> list[PointFacts]:
    """PREEMPT fixed sites: 31 points of 5 U (0.1 mL at 50 U/mL) = 155 U."""
    layout = [
        ("Corrugator", {"left": 1, "right": 1}),
        ("Procerus", {"midline": 1}),
        ("Frontalis", {"left": 2, "right": 2}),
        ("Temporalis", {"left": 4, "right": 4}),
        ("Occipitalis", {"left": 3, "right": 3}),
        ("Cervical paraspinal", {"left": 2, "right": 2}),
        ("Trapezius", {"left": 3, "right": 3}),
    ]
    return [
        pt(5, group, side, volume="0.1")
        for group, sides in layout
        for side, count in sides.items()
        for _ in range(count)
    ]


def standard_sessions() -> dict[str, ProposedSession]:
    return {
        "preempt-155": session("botox", "chronic-migraine", preempt_points()),
        "oab-100": session(
            "botox",
            "oab",
            [pt(5, "Detrusor", "midline", volume="0.5") for _ in range(20)],
            vial=vial("botox", units_per_ml=D(10)),
            pvr_ml=80,
            antibiotic_prophylaxis=True,
        ),
        "axillary-50-per-axilla": session(
            "botox",
            "hyperhidrosis-axillary",
            [
                pt(50, "Axilla", "left", volume="1.0", points=12),
                pt(50, "Axilla", "right", volume="1.0", points=12),
            ],
        ),
        "glabellar-botox-20": session(
            "botox",
            "glabellar-lines",
            [
                pt(8, "Corrugator", "left", volume="0.2", points=2),
                pt(8, "Corrugator", "right", volume="0.2", points=2),
                pt(4, "Procerus", "midline", volume="0.1"),
            ],
            vial=vial("botox", units_per_ml=D(40)),
        ),
        "glabellar-azzalure-50": session(
            "azzalure",
            "glabellar-lines",
            [
                pt(20, "Corrugator", "left", volume="0.1", points=2),
                pt(20, "Corrugator", "right", volume="0.1", points=2),
                pt(10, "Procerus", "midline", volume="0.05"),
            ],
            vial=vial("azzalure", units_per_ml=D(200)),
        ),
        "cervical-dystonia-dysport-500": session(
            "dysport",
            "cervical-dystonia",
            [
                pt(150, "Sternocleidomastoid", "left", volume="0.3"),
                pt(250, "Splenius capitis", "right", volume="0.5", points=2),
                pt(100, "Trapezius", "right", volume="0.2"),
            ],
            vial=vial("dysport", units_per_ml=D(500)),
        ),
    }


@pytest.mark.parametrize("name", sorted(standard_sessions()))
def test_standard_licensed_protocol_has_no_findings(name):
    s = standard_sessions()[name]
    assert not is_off_label(s)
    assert run(s) == []


def test_default_session_has_no_findings():
    assert run(session()) == []


def test_preempt_builder_is_155_units_over_31_sites():
    points = preempt_points()
    assert sum(p.units for p in points) == 155
    assert sum(p.points for p in points) == 31


# Contract: parameters are read from reference data, and a missing one is loud ----------------


@pytest.mark.parametrize("key", PARAMETER_KEYS)
def test_missing_parameter_raises_naming_the_key(key):
    params = {k: v for k, v in PARAMETERS.items() if k != key}
    with pytest.raises(MissingParameterError) as caught:
        run(session(), r=reference(parameters=params))
    assert isinstance(caught.value, KeyError)
    assert caught.value.missing == (key,)
    assert key in str(caught.value)


def test_rule_called_directly_without_its_parameter_raises():
    params = {k: v for k, v in PARAMETERS.items() if k != "bladder_pvr_max_ml"}
    s = session("botox", "oab", pvr_ml=10, antibiotic_prophylaxis=True)
    with pytest.raises(MissingParameterError, match="bladder_pvr_max_ml"):
        safety.bladder_session(s, history(), reference(parameters=params))


def test_thresholds_follow_the_reference_data():
    # The same 401 U is fine once the reference table says 450 U: nothing is hard-coded.
    s = session(points=[pt(50, "Biceps")] * 8 + [pt(1, "Biceps")])
    assert only(run(s), "dose.allergan_adult_84d")
    raised = tuple(
        replace(lim, max_units=D(450)) if lim.code == "dose.allergan_adult_84d" else lim
        for lim in LIMITS
    )
    assert not only(run(s, r=reference(limits=raised)), "dose.allergan_adult_84d")
    # And the cosmetic minimum age moves with its parameter.
    young = session("botox", "glabellar-lines", [pt(20, "Corrugator")], date_of_birth=born(19))
    params = {**PARAMETERS, "cosmetic_min_age_years": D(21)}
    assert codes(run(young, r=reference(parameters=params))) >= {("age.cosmetic_under_18", BLOCK)}


def test_findings_are_sorted_block_override_warn():
    s = session(
        points=[pt(51, "Biceps")],
        consent_taken=False,
        vial=vial(expiry=DAY - timedelta(days=1)),
    )
    h = history(prior(30), screening_facts=screening(swallowing_or_breathing_problems=True))
    findings = run(s, h)
    levels = [f.level for f in findings]
    assert levels == sorted(levels, key=LEVEL_ORDER.__getitem__)
    assert {BLOCK, OVERRIDE, WARN} <= set(levels)


# Rule 1: product ---------------------------------------------------------------------------


def test_rule1_points_without_product_block():
    f = one(run(session(None)), "product.missing")
    assert f.level == BLOCK
    assert f.source.startswith("DOMAIN §10 rule 1")


def test_rule1_no_points_no_product_finding():
    assert not only(run(session(None, points=[])), "product.missing")


# Rule 2: another unit family in the last 16 weeks -------------------------------------------


def test_rule2_other_family_111_days_warns_with_details():
    dose = prior(
        111, 500, "dysport", "cervical-dystonia", elsewhere=True, clinic_name="Harley St Clinic"
    )
    f = one(run(session(), history(dose)), "history.other_family")
    assert f.level == WARN
    assert uk(111) in f.message
    assert "Dysport" in f.message and "500 U" in f.message
    assert "cervical-dystonia" in f.message and "Harley St Clinic" in f.message
    assert "16 weeks" in f.message
    assert "DOMAIN §10 rule 2" in f.source and "SP:other_family_window_days" in f.source


def test_rule2_other_family_112_days_is_outside_the_window():
    assert not only(run(session(), history(prior(112, 500, "dysport"))), "history.other_family")


def test_rule2_unknown_dose_and_same_family():
    f = one(run(session(), history(prior(10, None, "xeomin", None))), "history.other_family")
    assert f"Xeomin (dose unknown) on {uk(10)}, indication not recorded." in f.message
    # The same family (Vistabel is Allergan units) is not "another family".
    assert not only(run(session(), history(prior(10, 20, "vistabel"))), "history.other_family")


def test_rule2_lists_every_other_family_dose_in_one_finding():
    h = history(prior(20, 50, "azzalure", "glabellar-lines"), prior(40, 20, "bocouture"))
    f = one(run(session(), h), "history.other_family")
    assert "Azzalure" in f.message and "Bocouture" in f.message


# Rule 3: vial lot, expiry, product ----------------------------------------------------------


def test_rule3_no_vial_blocks():
    assert codes(run(session(vial=None))) == {("vial.missing", BLOCK)}


@pytest.mark.parametrize("change", [{"lot": ""}, {"lot": "  "}, {"expiry": None}])
def test_rule3_lot_or_expiry_missing_blocks(change):
    findings = run(session(vial=vial(**change)))
    assert codes(findings) == {("vial.lot_or_expiry_missing", BLOCK)}


def test_rule3_vial_expiring_on_the_session_date_is_usable():
    assert run(session(vial=vial(expiry=DAY))) == []


def test_rule3_vial_expired_the_day_before_blocks():
    f = one(run(session(vial=vial(expiry=DAY - timedelta(days=1)))), "vial.expired")
    assert f.level == BLOCK
    assert uk(1) in f.message and uk(0) in f.message


def test_rule3_vial_of_another_product_blocks():
    f = one(run(session(vial=vial("xeomin"))), "vial.wrong_product")
    assert f.level == BLOCK and "xeomin" in f.message and "BOTOX" in f.message


def test_rule3_discarded_vial_blocks():
    assert codes(run(session(vial=vial(discarded=True)))) == {("vial.discarded", BLOCK)}


# Rule 4: reconstitution and in-use time -----------------------------------------------------


def test_rule4_powder_not_reconstituted_blocks():
    findings = run(session(vial=vial(reconstituted_at=None)))
    assert codes(findings) == {("vial.not_reconstituted", BLOCK)}


def test_rule4_ready_to_use_solution_needs_no_reconstitution():
    s = session(
        "alluzience",
        "glabellar-lines",
        [pt(50, "Corrugator")],
        vial=vial("alluzience", reconstituted_at=None),
    )
    assert not only(run(s), "vial.not_reconstituted")


def test_rule4_exactly_in_use_hours_is_allowed():
    s = session(vial=vial(reconstituted_at=AT - timedelta(hours=24)))
    assert run(s) == []


def test_rule4_one_minute_past_in_use_hours_blocks():
    s = session(vial=vial(reconstituted_at=AT - timedelta(hours=24, minutes=1)))
    f = one(run(s), "vial.over_age")
    assert f.level == BLOCK
    assert "24 h 1 min" in f.message and "within 24 h" in f.message
    assert "06/12/2026 09:59" in f.message


def test_rule4_unknown_in_use_hours_skips_the_age_check():
    s = session(
        "alluzience",
        "glabellar-lines",
        [pt(50, "Corrugator")],
        vial=vial("alluzience", reconstituted_at=AT - timedelta(days=30)),
    )
    assert not only(run(s), "vial.over_age")


@pytest.mark.parametrize(
    ("reconstituted_at", "blocks"),
    [
        (AT.replace(hour=0, minute=0), False),  # earlier the same day
        (AT - timedelta(days=1), True),  # yesterday
        (AT - timedelta(days=10), True),  # the review's 10-day-old vial
    ],
)
def test_rule4_unknown_in_use_hours_of_a_powder_allows_the_day_of_reconstitution_only(
    reconstituted_at, blocks
):
    """Review 04/12: a reconstituted powder whose in-use time is not in the reference data
    (Bocouture) had no age check at all; now it is usable on the day it was reconstituted
    only, as the vial picker reads it."""
    product = replace(PRODUCTS["bocouture"], in_use_hours=None)
    s = session(
        "bocouture",
        "glabellar-lines",
        [pt(20, "Corrugator")],
        product=product,
        vial=vial("bocouture", reconstituted_at=reconstituted_at),
    )
    found = only(run(s), "vial.over_age")
    assert bool(found) is blocks
    if blocks:
        assert found[0].level == BLOCK
        assert "not known" in found[0].message and "Bocouture" in found[0].message


# Rule 5: one vial, one patient --------------------------------------------------------------


def test_rule5_vial_used_for_this_patient_only_is_fine():
    assert run(session(vial=vial(other_patient_ids=frozenset({PATIENT})))) == []


def test_rule5_vial_used_for_another_patient_blocks():
    s = session(vial=vial(other_patient_ids=frozenset({PATIENT, 99})))
    f = one(run(s), "vial.other_patient")
    assert f.level == BLOCK and f.message.endswith(
        "was already used for 1 other patient: one vial, one patient"
    )
    s = session(vial=vial(other_patient_ids=frozenset({98, 99})))
    assert "used for 2 other patients:" in one(run(s), "vial.other_patient").message


# Rule 6: units versus volume x concentration ------------------------------------------------


@pytest.mark.parametrize("units", ["26.25", "23.75"])
def test_rule6_exactly_5_percent_apart_is_fine(units):
    assert run(session(points=[pt(units, volume="0.5")])) == []


@pytest.mark.parametrize("units", ["26.275", "23.725"])
def test_rule6_5_1_percent_apart_warns(units):
    f = one(run(session(points=[pt(units, volume="0.5")])), "dose.volume_mismatch")
    assert f.level == WARN
    assert "0.5 mL at 50 U/mL is 25 U (5.1% apart; tolerance 5%)" in f.message


def test_rule6_one_finding_per_point_and_needs_volume_and_concentration():
    points = [pt(45, volume="1.0"), pt(30, volume="0.5"), pt(5, "Triceps", volume="0.1")]
    assert len(only(run(session(points=points)), "dose.volume_mismatch")) == 2
    assert run(session(points=[pt(45)])) == []
    assert run(session(points=[pt(45, volume="0.5")], vial=vial(units_per_ml=None))) == []


# Rule 7: formulary --------------------------------------------------------------------------


def test_rule7_product_not_uk_licensed_blocks():
    s = session("botox-cosmetic", "glabellar-lines", [pt(20, "Corrugator")], off_label_consent=True)
    f = one(run(s), "product.not_on_formulary")
    assert f.level == BLOCK and "not UK-licensed" in f.message


def test_rule7_product_off_the_formulary_blocks():
    s = session(product=replace(PRODUCTS["botox"], on_formulary=False))
    assert codes(run(s)) == {("product.not_on_formulary", BLOCK)}
    assert "not on the clinic formulary" in run(s)[0].message


def test_rule7_formulary_product_that_is_not_uk_licensed_blocks():
    s = session(product=replace(PRODUCTS["botox"], uk_licensed=False))
    assert codes(run(s)) == {("product.not_on_formulary", BLOCK)}


# Rules 8-9: rolling 84-day family totals ----------------------------------------------------


def test_rule8_400_units_in_84_days_is_allowed():
    s = session(points=[pt(50)] * 2)
    assert run(s, history(prior(60, 300, indication="cervical-dystonia"))) == []


def test_rule8_401_units_in_84_days_needs_override():
    s = session(points=[pt(50), pt(50), pt(1)])
    f = one(
        run(s, history(prior(60, 300, indication="cervical-dystonia"))), "dose.allergan_adult_84d"
    )
    assert f.level == OVERRIDE and f.source == "S107 (verify)"
    assert f.message == (
        "BOTOX family, adults, rolling 84 days: 84-day total 401 U (planned 101 U + 300 U on "
        f"1 earlier dose since {uk(60)}), above the limit of 400 U"
    )


def test_rule8_window_boundary_83_vs_84_days():
    s = session(points=[pt(50), pt(50), pt(1)])
    inside = run(s, history(prior(83, 300, indication="cervical-dystonia")))
    assert one(inside, "dose.allergan_adult_84d").level == OVERRIDE
    assert uk(83) in one(inside, "dose.allergan_adult_84d").message
    outside = run(s, history(prior(84, 300, indication="cervical-dystonia")))
    assert not only(outside, "dose.allergan_adult_84d")


def test_rule8_counts_every_allergan_product_and_indication_but_no_other_family():
    s = session(points=[pt(50), pt(50), pt(1)])
    h = history(
        prior(30, 50, "vistabel", "glabellar-lines", elsewhere=True, clinic_name="Elsewhere"),
        prior(90, 250),
        prior(20, 1000, "dysport", "cervical-dystonia"),
    )
    assert not only(run(s, h), "dose.allergan_adult_84d")  # 101 + 50 = 151
    h2 = history(prior(30, 300, "vistabel", "glabellar-lines"), prior(20, 1000, "dysport"))
    f = one(run(s, h2), "dose.allergan_adult_84d")
    assert "401 U" in f.message


def test_rule8_unknown_prior_units_count_zero_and_warn_once():
    s = session("botox", "blepharospasm", [pt(10, "Orbicularis oculi", "left")])
    h = history(
        prior(40, None, indication="blepharospasm"), prior(20, None, indication="blepharospasm")
    )
    findings = run(s, h)
    f = one(findings, "history.unknown_dose")  # two window limits apply, one finding
    assert f.level == WARN and uk(40) in f.message and uk(20) in f.message
    assert f.message.startswith("2 earlier doses with unknown units counted as 0 U in the")
    assert not only(findings, "dose.allergan_adult_84d")


def test_rule8_prior_dose_on_the_session_date_counts():
    s = session(points=[pt(50)] * 2 + [pt(1)])
    f = one(run(s, history(prior(0, 300, indication="glabellar-lines"))), "dose.allergan_adult_84d")
    assert "401 U" in f.message


def test_rule8_limit_applies_to_adults_only_and_rule9_to_children():
    points = [pt(50)] * 8 + [pt(1)]  # 401 U
    adult = run(session(points=points, date_of_birth=born(18)))
    assert codes(adult) == {("dose.allergan_adult_84d", OVERRIDE)}
    child = run(
        session(
            points=points,
            date_of_birth=born(18, 1),
            weight_kg=D(60),
            weight_measured_on=DAY,
            off_label_consent=True,
        )
    )
    assert not only(child, "dose.allergan_adult_84d")
    f = one(child, "dose.allergan_child_84d")
    assert "above the limit of 340 U (lower of 340 U and 10 U/kg x 60 kg = 600 U)" in f.message


def child_session(weight, units, product="botox", indication="spasticity-paed-ul", **kw):
    """An 8-year-old weighed 10 days ago; `units` over 5 needle points at one site."""
    kw.setdefault("points", [pt(units, "Biceps", "left", points=5)])
    kw.setdefault("date_of_birth", born(8))
    kw.setdefault("weight_kg", None if weight is None else D(weight))
    kw.setdefault("weight_measured_on", None if weight is None else DAY - timedelta(days=10))
    return session(product, indication, **kw)


def test_rule9_child_84_day_per_kg_boundary():
    # 30 kg: lower of 10 U/kg x 30 = 300 U and 340 U is 300 U; the session limit is
    # lower of 6 U/kg x 30 = 180 U and 200 U (not reached here, product xeomin-free).
    h = history(prior(50, 150, indication="spasticity-paed-ul"))
    ok = run(child_session(30, 150, "botox", "cervical-dystonia"), h)
    assert not only(ok, "dose.allergan_child_84d")
    over = run(child_session(30, "150.5", "botox", "cervical-dystonia"), h)
    f = one(over, "dose.allergan_child_84d")
    assert (
        "300.5 U" in f.message and "300 U (lower of 340 U and 10 U/kg x 30 kg = 300 U)" in f.message
    )


def test_rule9_child_weight_measured_90_days_ago_is_valid_91_is_stale():
    s = child_session(20, 60, weight_measured_on=DAY - timedelta(days=90))
    assert not only(run(s), "weight.stale")
    s = child_session(20, 60, weight_measured_on=DAY - timedelta(days=91))
    f = one(run(s), "weight.stale")
    assert f.level == BLOCK and "91 days" in f.message and "90 days" in f.message
    assert "SP:child_weight_valid_days" in f.source


def test_rule9_child_without_weight_blocks_twice_and_adult_needs_none():
    findings = run(child_session(None, 60))
    assert one(findings, "weight.stale").level == BLOCK
    f = one(findings, "weight.missing")
    assert f.level == BLOCK and f.message.startswith("Weight needed for per-kg limits")
    assert "BOTOX paediatric upper limb" in f.message and "children, rolling 84 days" in f.message
    undated = run(child_session(20, 60, weight_measured_on=None))
    assert "no measurement date" in one(undated, "weight.stale").message
    assert run(session(weight_kg=None)) == []


# Rules 10-11: paediatric per-session maxima (lower of per-kg and absolute) ------------------


def test_rule10_botox_paediatric_upper_limb_exactly_6_units_per_kg_is_fine():
    assert run(child_session(10, 60)) == []


def test_rule10_lower_of_6_u_per_kg_and_200_u_for_a_10_kg_child():
    f = one(run(child_session(10, 61)), "dose.botox_paed_ul")
    assert f.level == OVERRIDE and f.source == "S15"
    assert "61 U" in f.message
    assert "60 U (lower of 200 U and 6 U/kg x 10 kg = 60 U)" in f.message


def test_rule10_absolute_cap_for_a_heavy_child():
    assert not only(run(child_session(50, 200)), "dose.botox_paed_ul")
    f = one(run(child_session(50, 201)), "dose.botox_paed_ul")
    assert "200 U (lower of 200 U and 6 U/kg x 50 kg = 300 U)" in f.message


def test_rule10_absolute_cap_still_checked_without_weight():
    findings = run(child_session(None, 201))
    assert one(findings, "dose.botox_paed_ul").level == OVERRIDE
    assert one(findings, "weight.missing").level == BLOCK


def test_rule11_dysport_unilateral_upper_limb_16_u_per_kg():
    base = {"vial": vial("dysport", units_per_ml=D(200))}
    assert not only(
        run(child_session(20, 320, "dysport", **base)), "dose.dysport_paed_ul_unilateral"
    )
    f = one(run(child_session(20, 321, "dysport", **base)), "dose.dysport_paed_ul_unilateral")
    assert "320 U (lower of 640 U and 16 U/kg x 20 kg = 320 U)" in f.message


def test_rule11_dysport_bilateral_upper_limb_21_u_per_kg():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    both = [pt(210, "Biceps", "left"), pt(211, "Biceps", "right")]
    findings = run(child_session(20, 0, "dysport", points=both, **kw))
    assert not only(findings, "dose.dysport_paed_ul_unilateral")  # both sides: not unilateral
    f = one(findings, "dose.dysport_paed_ul_bilateral")
    assert "421 U" in f.message and "21 U/kg x 20 kg = 420 U" in f.message
    ok = [pt(210, "Biceps", "left"), pt(210, "Biceps", "right")]
    assert not only(
        run(child_session(20, 0, "dysport", points=ok, **kw)), "dose.dysport_paed_ul_bilateral"
    )


def test_rule11_a_bilateral_point_makes_the_session_bilateral_and_midline_is_ignored():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    bilateral = run(child_session(20, 0, "dysport", points=[pt(421, "Biceps", "bilateral")], **kw))
    assert codes(bilateral) >= {("dose.dysport_paed_ul_bilateral", OVERRIDE)}
    unilateral = [pt(300, "Biceps", "left"), pt(21, "Trunk", "midline")]
    findings = run(child_session(20, 0, "dysport", points=unilateral, **kw))
    assert only(findings, "dose.dysport_paed_ul_unilateral")
    assert not only(findings, "dose.dysport_paed_ul_bilateral")


def test_rule11_dysport_paediatric_session_lower_of_30_u_per_kg_and_1000_u():
    kw = {"vial": vial("dysport", units_per_ml=D(500))}
    points = [pt(300, "Gastrocnemius", "left"), pt(300, "Gastrocnemius", "right")]
    ok = run(child_session(20, 0, "dysport", "cervical-dystonia", points=points, **kw))
    assert not only(ok, "dose.dysport_paed_session")
    points[1] = pt(301, "Gastrocnemius", "right")
    over = run(child_session(20, 0, "dysport", "cervical-dystonia", points=points, **kw))
    assert (
        "600 U (lower of 1000 U and 30 U/kg x 20 kg = 600 U)"
        in one(over, "dose.dysport_paed_session").message
    )


def test_rule11_dysport_paediatric_half_ml_per_site():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    ok = [pt(100, volume="0.5"), pt(200, "Triceps", volume="1.0", points=2)]
    assert not only(
        run(child_session(30, 0, "dysport", points=ok, **kw)), "dose.dysport_paed_site_ml"
    )
    over = [pt(120, volume="0.6")]
    f = one(run(child_session(30, 0, "dysport", points=over, **kw)), "dose.dysport_paed_site_ml")
    assert f.level == WARN and "0.6 mL" in f.message and "0.5 mL" in f.message
    # Adults: the paediatric volume limit does not apply.
    adult = session(
        "dysport",
        "cervical-dystonia",
        [pt(300, volume="0.6")],
        vial=vial("dysport", units_per_ml=D(500)),
    )
    assert not only(run(adult), "dose.dysport_paed_site_ml")


# Rules 12-13: adult per-session maxima ------------------------------------------------------


def test_rule12_dysport_adult_upper_limb_1000_vs_1001():
    kw = {"vial": vial("dysport", units_per_ml=D(500))}
    assert run(session("dysport", points=[pt(500), pt(500, "Triceps")], **kw)) == []
    f = one(
        run(session("dysport", points=[pt(500), pt(501, "Triceps")], **kw)), "dose.dysport_adult_ul"
    )
    assert f.level == OVERRIDE and "session total 1001 U" in f.message and "1000 U" in f.message


def test_rule13_xeomin_400_vs_401_per_session():
    kw = {"vial": vial("xeomin")}
    assert run(session("xeomin", points=[pt(200), pt(200, "Triceps")], **kw)) == []
    f = one(
        run(session("xeomin", points=[pt(200), pt(201, "Triceps")], **kw)), "dose.xeomin_session"
    )
    assert "401 U" in f.message


# Rule 14: per site, muscle group, strabismus ------------------------------------------------


def test_rule14_botox_50_units_per_site_is_fine_51_warns():
    assert run(session(points=[pt(50)])) == []
    f = one(run(session(points=[pt(51)])), "dose.botox_site")
    assert f.level == WARN and "Biceps (left) 51 U per point" in f.message
    # 100 U over two needle points is 50 U per point.
    assert run(session(points=[pt(100, points=2)])) == []
    # A BOTOX-only row does not apply to Vistabel, though it is the same unit family.
    vistabel = session("vistabel", points=[pt(51)], vial=vial("vistabel"), off_label_consent=True)
    assert run(vistabel) == []


def test_rule14_sternocleidomastoid_total_case_insensitive():
    ok = [pt(60, "Sternocleidomastoid", "left"), pt(40, "sternocleidomastoid", "right")]
    assert not only(run(session("botox", "cervical-dystonia", ok)), "dose.botox_scm")
    over = [
        pt(50, "Sternocleidomastoid", "left"),
        pt(50, "Sternocleidomastoid", "right"),
        pt(1, "STERNOCLEIDOMASTOID", "left"),
    ]
    f = one(run(session("botox", "cervical-dystonia", over)), "dose.botox_scm")
    assert f.level == WARN and "Sternocleidomastoid total 101 U" in f.message
    # Not cervical dystonia: the SCM limit does not apply.
    assert not only(run(session("botox", "spasticity-ul-adult", over)), "dose.botox_scm")


def test_rule14_strabismus_25_units_per_injection_blocks_above():
    kw = {"off_label_consent": True}
    assert run(session("botox", "strabismus", [pt(25, "Medial rectus")], **kw)) == []
    f = one(
        run(session("botox", "strabismus", [pt(26, "Medial rectus")], **kw)),
        "dose.botox_strabismus",
    )
    assert f.level == BLOCK and f.source == "S18"


# Rule 15: blepharospasm ---------------------------------------------------------------------


def eyes(left, right) -> list[PointFacts]:
    return [pt(left, "Orbicularis oculi", "left"), pt(right, "Orbicularis oculi", "right")]


def test_rule15_first_treatment_25_units_per_eye():
    assert run(session("botox", "blepharospasm", eyes(25, 25))) == []
    f = one(run(session("botox", "blepharospasm", eyes(26, 25))), "dose.botox_bleph_initial_eye")
    assert f.level == OVERRIDE and "left side total 26 U" in f.message


def test_rule15_first_treatment_limit_lifts_after_a_same_family_treatment():
    s = session("botox", "blepharospasm", eyes(30, 30))
    assert not only(
        run(s, history(prior(200, 40, indication="blepharospasm"))), "dose.botox_bleph_initial_eye"
    )
    # A Xeomin treatment (another family) or BOTOX for another indication does not count.
    other_family = history(prior(200, 40, "xeomin", "blepharospasm"))
    assert len(only(run(s, other_family), "dose.botox_bleph_initial_eye")) == 2
    other_indication = history(prior(200, 40, indication="glabellar-lines"))
    assert len(only(run(s, other_indication), "dose.botox_bleph_initial_eye")) == 2


def test_rule15_bilateral_point_is_split_between_the_eyes():
    ok = [pt(50, "Orbicularis oculi", "bilateral", points=8)]
    assert run(session("botox", "blepharospasm", ok)) == []
    over = [pt(52, "Orbicularis oculi", "bilateral", points=8)]
    assert (
        len(only(run(session("botox", "blepharospasm", over)), "dose.botox_bleph_initial_eye")) == 2
    )


def test_rule15_100_units_per_12_weeks_counts_this_indication_only():
    s = session("botox", "blepharospasm", eyes(10, 11))
    h = history(
        prior(85, 80, indication="blepharospasm"), prior(60, 80, indication="blepharospasm")
    )
    f = one(run(s, h), "dose.botox_bleph_84d")
    assert "101 U" in f.message and "+ 80 U on 1 earlier dose since" in f.message
    h2 = history(
        prior(120, 40, indication="blepharospasm"), prior(60, 80, indication="glabellar-lines")
    )
    assert not only(run(s, h2), "dose.botox_bleph_84d")


# Rule 16: chronic migraine (PREEMPT) --------------------------------------------------------


def migraine(points) -> ProposedSession:
    return session("botox", "chronic-migraine", points)


def test_rule16_total_below_155_and_above_195():
    points = preempt_points()
    points[10] = pt(4, "Temporalis", "left", volume="0.08")  # 154 U
    f = one(run(migraine(points)), "protocol.total_outside")
    assert f.level == WARN and "154 U" in f.message and "155-195 U" in f.message
    assert f.source == "DOMAIN §10 rule 16; S7"
    more = [*preempt_points(), *[pt(5, "Temporalis", "left", volume="0.1")] * 2]
    more += [pt(5, "Occipitalis", "right", volume="0.1")] * 2 + [
        pt(5, "Trapezius", "left", volume="0.1")
    ] * 4
    assert sum(p.units for p in more) == 195
    assert run(migraine(more)) == []  # 195 U over 39 sites: the follow-the-pain maximum
    over = [*more, pt(1, "Trapezius", "right")]
    assert "196 U" in one(run(migraine(over)), "protocol.total_outside").message


def test_rule16_sites_outside_31_to_39():
    points = preempt_points()
    points[12] = pt(10, "Temporalis", "left", volume="0.2")
    points.pop(13)  # same 155 U over 30 sites
    f = one(run(migraine(points)), "protocol.sites_outside")
    assert f.message == "30 injection sites planned: outside the PREEMPT range of 31-39 sites"
    assert not only(run(migraine(points)), "protocol.total_outside")


def test_rule16_group_maximum():
    ok = [*preempt_points(), pt(10, "Temporalis", "right", volume="0.2", points=2)]  # 50 U
    assert not only(run(migraine(ok)), "protocol.group_over_max")
    over = [*preempt_points(), pt(15, "Temporalis", "right", volume="0.3", points=3)]  # 55 U
    f = one(run(migraine(over)), "protocol.group_over_max")
    assert "Temporalis: 55 U" in f.message and "maximum of 50 U" in f.message


def test_rule16_fixed_group_changed_or_missing():
    points = preempt_points()
    points[0] = pt(10, "Corrugator", "left", volume="0.2")  # corrugator 15 U
    f = one(run(migraine(points)), "protocol.fixed_group_changed")
    assert f.level == WARN and "Corrugator: 15 U" in f.message and "fixed dose of 10 U" in f.message
    without_procerus = [p for p in preempt_points() if p.muscle_group != "Procerus"]
    findings = run(migraine(without_procerus))
    assert "Procerus: 0 U" in one(findings, "protocol.fixed_group_changed").message


def test_rule16_only_for_chronic_migraine_and_the_protocol_family():
    points = preempt_points()[:5]
    assert not [
        f
        for f in run(session("botox", "cervical-dystonia", points))
        if f.code.startswith("protocol.")
    ]
    dysport = session(
        "dysport",
        "chronic-migraine",
        [pt(100, "Temporalis")],
        vial=vial("dysport", units_per_ml=D(100)),
        off_label_consent=True,
    )
    # Speywood units are never compared with the PREEMPT doses; the use is off-label.
    assert codes(run(dysport)) == {("protocol.off_label_product", WARN)}
    assert (
        one(run(replace(dysport, off_label_consent=False)), "licence.off_label_consent").level
        == BLOCK
    )


def test_rule16_any_product_other_than_botox_for_chronic_migraine_warns_off_label():
    # Issue 13.2: a WARN (acknowledged at signing) even with the off-label consent recorded.
    xeomin = session(
        "xeomin",
        "chronic-migraine",
        preempt_points(),
        vial=vial("xeomin"),
        off_label_consent=True,
    )
    f = one(run(xeomin), "protocol.off_label_product")
    assert f.level == WARN and f.message.startswith("Off-label: Xeomin is not licensed for")
    assert "Chronic migraine prophylaxis" in f.message
    assert not only(
        run(session("botox", "chronic-migraine", preempt_points())), "protocol.off_label_product"
    )


# Rules 17-18: labelled dose -----------------------------------------------------------------


def test_rule17_oab_dose_other_than_100_units_warns():
    s = standard_sessions()["oab-100"]
    fewer = replace(s, points=s.points[:19])
    f = one(run(fewer), "dose.outside_label_dose")
    assert f.level == WARN and "95 U" in f.message and ": 100 U" in f.message
    assert f.source == "DOMAIN §10 rules 17-18; S19b"


@pytest.mark.parametrize(
    ("units", "warns"), [(249, True), (250, False), (1000, False), (1001, True)]
)
def test_rule18_labelled_range_is_inclusive(units, warns):
    s = session(
        "dysport",
        "cervical-dystonia",
        [pt(units, "Splenius capitis", "right")],
        vial=vial("dysport", units_per_ml=D(500)),
    )
    found = only(run(s), "dose.outside_label_dose")
    assert bool(found) is warns
    if warns:
        assert "250-1000 U" in found[0].message


def test_rule18_cosmetic_standard_dose():
    s = session("botox", "glabellar-lines", [pt(24, "Corrugator", "bilateral", points=4)])
    f = one(run(s), "dose.outside_label_dose")
    assert "24 U" in f.message and "Glabellar lines: 20 U" in f.message


# Rule 19: minimum interval ------------------------------------------------------------------


def test_rule19_83_days_is_too_soon_84_is_not():
    f = one(run(session(), history(prior(83, 40))), "interval.too_soon")
    assert f.level == OVERRIDE
    assert f.message == (
        f"Last BOTOX session 83 days (11 weeks 6 days) ago ({uk(83)}); the minimum interval "
        "is 12 weeks for Upper limb spasticity, adult"
    )
    assert not only(run(session(), history(prior(84, 40))), "interval.too_soon")


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "0 days"), (1, "1 day"), (7, "1 week"), (8, "8 days (1 week 1 day)"), (84, "12 weeks")],
)
def test_day_spans_in_messages(days, text):
    assert safety._span(days) == text


def test_numbers_in_messages():
    assert [safety._num(D(v)) for v in ("5.00", "100", "6.666", "0.5", "1E+2")] == [
        "5",
        "100",
        "6.67",
        "0.5",
        "100",
    ]


def test_rule19_message_in_weeks():
    f = one(run(session(), history(prior(56, 40))), "interval.too_soon")
    assert f"8 weeks ago ({uk(56)})" in f.message


def test_rule19_guideline_interval_overrides_the_indication():
    s = session("botox", "cervical-dystonia", [pt(40, "Splenius capitis")])
    f = one(run(s, history(prior(69, 40, indication="cervical-dystonia"))), "interval.too_soon")
    assert "10 weeks" in f.message and "S24" in f.source
    assert not only(
        run(s, history(prior(70, 40, indication="cervical-dystonia"))), "interval.too_soon"
    )
    dysport = child_session(20, 100, "dysport", vial=vial("dysport", units_per_ml=D(200)))
    h = history(prior(111, 100, "dysport", "spasticity-paed-ul"))
    assert "16 weeks" in one(run(dysport, h), "interval.too_soon").message


def test_rule19_needs_same_family_and_same_indication():
    assert not only(
        run(session(), history(prior(30, 40, indication="cervical-dystonia"))), "interval.too_soon"
    )
    assert not only(run(session(), history(prior(30, 40, "xeomin"))), "interval.too_soon")
    assert not only(run(session(), history(prior(30, 40, indication=None))), "interval.too_soon")
    # Vistabel and BOTOX are one family.
    assert only(run(session(), history(prior(30, 40, "vistabel"))), "interval.too_soon")


def test_rule19_uses_the_most_recent_dose_and_ignores_later_ones():
    f = one(
        run(session(), history(prior(200, 40), prior(50, 40), prior(-5, 40))), "interval.too_soon"
    )
    assert uk(50) in f.message


# Rule 20: top-up within 14 days -------------------------------------------------------------


def test_rule20_unlinked_session_13_days_after_asks_for_the_link():
    # Issue 13.5: a top-up is linked by the practitioner, never inferred.
    findings = run(session(top_up_reason="Asymmetry"), history(prior(13, 40, session_id=5)))
    f = one(findings, "interval.top_up")
    assert f.level == OVERRIDE and "link it to that session" in f.message
    assert not only(findings, "interval.too_soon")


def test_rule20_linked_top_up_needs_a_reason():
    s = session(top_up_of_session_id=5)
    f = one(run(s, history(prior(13, 40, session_id=5))), "interval.top_up")
    assert f.level == OVERRIDE
    assert f.message.startswith(
        f"Top-up of the session on {uk(13)}: its units count in the same episode"
    )


def test_rule20_linked_top_up_with_a_reason_is_a_warning():
    s = session(top_up_of_session_id=5, top_up_reason="Asymmetry at review")
    f = one(run(s, history(prior(13, 40, session_id=5))), "interval.top_up")
    assert f.level == WARN and "Asymmetry at review" in f.message


def test_rule20_link_to_a_session_outside_the_window_needs_a_reason():
    s = session(top_up_of_session_id=5, top_up_reason="Asymmetry")
    findings = run(s, history(prior(20, 40, session_id=5)))
    assert one(findings, "interval.top_up_link").level == OVERRIDE
    assert one(findings, "interval.too_soon").level == OVERRIDE


def test_rule20_and_32_sentences_do_not_run_an_indication_name_with_a_comma_into_them():
    # "BOTOX session for Upper limb spasticity, adult 13 days ago" read as a list: the
    # top-up findings say "this indication" (the editor shows which), and the off-label
    # consent finding puts the name in brackets.
    unlinked = one(run(session(), history(prior(13, 40, session_id=5))), "interval.top_up")
    assert unlinked.message == (
        f"BOTOX session for this indication 13 days (1 week 6 days) ago ({uk(13)}): a session "
        "within 2 weeks is a top-up: link it to that session (Top-up of) and record the "
        "reason, so that its units count in the same episode"
    )
    linked = session(top_up_of_session_id=5, top_up_reason="Asymmetry")
    link = one(run(linked, history(prior(20, 40, session_id=5))), "interval.top_up_link")
    assert link.message == (
        "Linked as a top-up, but the linked session is not a BOTOX session for this indication "
        "within the last 2 weeks: remove the link, or record why"
    )
    teen = replace(session(), date_of_birth=born(16))
    consent = one(run(teen), "licence.off_label_consent")
    assert consent.message == (
        "Off-label for this patient (BOTOX for Upper limb spasticity, adult): record the "
        "off-label consent"
    )


def test_rule20_linked_top_up_units_count_in_the_episode():
    # Dysport adult upper limb: 1000 U per session; 900 U then a 200 U top-up is 1100 U.
    index = prior(6, 900, "dysport", session_id=5)
    top_up = session(
        "dysport",
        points=[pt(200)],
        vial=vial("dysport", units_per_ml=D(500)),
        top_up_of_session_id=5,
        top_up_reason="Weak response",
    )
    f = one(run(top_up, history(index)), "dose.dysport_adult_ul")
    assert "episode total 1100 U (this top-up 200 U + 900 U on" in f.message
    assert not only(
        run(replace(top_up, top_up_of_session_id=None), history(index)), "dose.dysport_adult_ul"
    )


def test_rule20_14_days_is_no_longer_a_top_up_but_too_soon():
    for reason in ("", "Asymmetry"):
        findings = run(session(top_up_reason=reason), history(prior(14, 40)))
        assert not only(findings, "interval.top_up")
        assert one(findings, "interval.too_soon").level == OVERRIDE


def test_rule20_top_up_units_count_in_the_windows():
    findings = run(session(points=[pt(11)]), history(prior(10, 390)))
    assert one(findings, "interval.top_up").level == OVERRIDE
    assert "401 U" in one(findings, "dose.allergan_adult_84d").message


# Screening on file and reviewed -------------------------------------------------------------


def test_screening_missing_blocks_and_suppresses_answer_rules():
    h = PatientHistory(doses=(), screening=None)
    assert codes(run(session(), h)) == {("screening.missing", BLOCK)}


def test_screening_not_reviewed_blocks():
    assert codes(run(session(screening_reviewed=False))) == {("screening.not_reviewed", BLOCK)}


def with_answers(s: ProposedSession | None = None, **answers) -> list[Finding]:
    return run(s or session(), history(screening_facts=screening(**answers)))


# Rules 21-25: contraindications and cautions ------------------------------------------------


def test_rule21_hypersensitivity_blocks():
    assert codes(with_answers(allergy_toxin_or_albumin=True)) == {
        ("contra.hypersensitivity", BLOCK)
    }


def test_rule22_infection_blocks_and_names_inflammation_for_bocouture():
    f = one(with_answers(infection_at_sites=True), "contra.infection")
    assert f.level == BLOCK and "inflammation" not in f.message
    s = session("bocouture", "glabellar-lines", [pt(20, "Corrugator")], vial=vial("bocouture"))
    f = one(with_answers(s, infection_at_sites=True), "contra.infection")
    assert "infection or inflammation" in f.message and "Bocouture" in f.message


def test_rule23_milk_protein_allergy_blocks_dysport_and_azzalure_only():
    assert with_answers(allergy_cows_milk_protein=True) == []
    for slug in ("dysport", "azzalure"):
        s = session(
            slug, "glabellar-lines", [pt(50, "Corrugator")], vial=vial(slug, units_per_ml=D(200))
        )
        assert codes(with_answers(s, allergy_cows_milk_protein=True)) >= {
            ("contra.milk_protein", BLOCK)
        }


def test_rule24_neuromuscular_cosmetic_contraindicated_product_blocks():
    s = standard_sessions()["glabellar-azzalure-50"]
    assert codes(with_answers(s, neuromuscular_disorder=True)) == {("contra.neuromuscular", BLOCK)}


@pytest.mark.parametrize(
    "s",
    [
        session(),  # therapeutic
        standard_sessions()["glabellar-botox-20"],  # cosmetic, product not contraindicated
        session("botox", "tmd-bruxism", [pt(25, "Masseter")], off_label_consent=True),
        # A product contraindicated for cosmetic use, in a non-cosmetic session.
        session("vistabel", "tmd-bruxism", [pt(25, "Masseter")], off_label_consent=True),
    ],
)
def test_rule24_neuromuscular_otherwise_specialist_override(s):
    f = one(with_answers(s, neuromuscular_disorder=True), "caution.neuromuscular")
    assert f.level == OVERRIDE and "specialist" in f.message


def test_rule25_dysphagia_warns():
    assert codes(with_answers(swallowing_or_breathing_problems=True)) == {
        ("caution.dysphagia", WARN)
    }


# Rule 26: bladder ---------------------------------------------------------------------------


def oab(**kw) -> ProposedSession:
    return replace(standard_sessions()["oab-100"], **kw)


def test_rule26_uti_blocks_and_names_the_infection():
    findings = with_answers(oab(), urinary_infection=True)
    f = one(findings, "bladder.uti")
    assert f.level == BLOCK and "urinary tract infection now" in f.message
    assert f.message.endswith("treat it (and update the screening answer) before the injection")
    assert "retention" not in f.message and not only(findings, "bladder.retention_screening")


def test_rule26_retention_blocks_unless_the_patient_performs_cic():
    # Issue 13.3: asked separately from UTI; a CIC patient is not blocked for retention.
    f = one(with_answers(oab(), urinary_retention=True), "bladder.retention_screening")
    assert f.level == BLOCK and "urinary retention" in f.message
    assert f.message.endswith(
        "self-catheterisation: intradetrusor injection is contraindicated; defer the treatment "
        "(if the patient does self-catheterise, record it on the session)"
    )
    assert not only(with_answers(oab(), urinary_retention=True), "bladder.uti")
    assert with_answers(oab(), urinary_retention=True, can_self_catheterise=True) == []
    assert with_answers(oab(performs_cic=True), urinary_retention=True) == []


def test_rule26_pvr_over_200_with_cic_from_the_questionnaire_is_not_blocked():
    assert with_answers(oab(pvr_ml=450), can_self_catheterise=True) == []
    assert one(with_answers(oab(pvr_ml=450)), "bladder.retention").level == BLOCK


def test_rule26_pvr_200_vs_201_without_cic_and_201_with_cic():
    assert run(oab(pvr_ml=200)) == []
    f = one(run(oab(pvr_ml=201)), "bladder.retention")
    assert f.level == BLOCK and "201 mL" in f.message and "200 mL" in f.message
    assert f.message.endswith(
        "intradetrusor injection is contraindicated; defer the treatment (if the patient does "
        "self-catheterise, record it on the session)"
    )
    assert "SP:bladder_pvr_max_ml" in f.source
    assert run(oab(pvr_ml=201, performs_cic=True)) == []


def test_rule26_pvr_needed_before_the_first_treatment():
    assert codes(run(oab(pvr_ml=None))) == {("bladder.pvr_missing", BLOCK)}
    assert (
        run(oab(pvr_ml=None), history(prior(200, 100, indication="oab"), pvr_recorded_before=True))
        == []
    )


def test_rule26_antibiotic_prophylaxis_required():
    assert codes(run(oab(antibiotic_prophylaxis=False))) == {("bladder.no_prophylaxis", BLOCK)}


@pytest.mark.parametrize(("stopped", "warns"), [(None, True), (2, True), (3, False), (7, False)])
def test_rule26_antiplatelet_stopped_at_least_3_days(stopped, warns):
    findings = with_answers(oab(antiplatelet_stopped_days=stopped), bleeding_risk=True)
    # One bleeding warning either way: rule 26's while the antiplatelet is not stopped
    # long enough, else rule 28's (an anticoagulant or bleeding disorder remains).
    assert codes(findings) == (
        {("bladder.antiplatelet", WARN)} if warns else {("caution.bleeding", WARN)}
    )
    if stopped == 2:
        assert (
            "antiplatelet stopped 2 days ago;" in findings[0].message
            and "at least 3 days" in findings[0].message
        )


def test_rule26_bladder_rules_only_for_bladder_sessions():
    assert (
        with_answers(
            session(antibiotic_prophylaxis=False), urinary_infection=True, urinary_retention=True
        )
        == []
    )


# Rules 27-28 --------------------------------------------------------------------------------


def test_rule27_pregnancy_cosmetic_blocks_therapeutic_overrides():
    cosmetic = standard_sessions()["glabellar-botox-20"]
    assert codes(with_answers(cosmetic, pregnant_or_breastfeeding=True)) == {
        ("contra.pregnancy", BLOCK)
    }
    assert codes(with_answers(pregnant_or_breastfeeding=True)) == {("caution.pregnancy", OVERRIDE)}


def test_rule27_pregnancy_is_asked_at_every_session_for_women_of_childbearing_age():
    """Review 04/12: a questionnaire answered 300 days before the session was read as
    today's answer on pregnancy. For a woman of childbearing age an answer from an earlier
    day asks the practitioner to ask again (a warning acknowledged at signing)."""
    old = ScreeningFacts(answered_on=DAY - timedelta(days=300), patient_sex="female")
    woman = session("botox", "glabellar-lines", [pt(20, "Glabellar", "midline")])
    woman = replace(woman, date_of_birth=born(30))
    f = one(run(woman, history(screening_facts=old)), "screening.pregnancy_not_asked_today")
    assert f.level == WARN
    assert f"{old.answered_on:%d/%m/%Y}" in f.message and "ask the patient today" in f.message
    assert "SP:childbearing_min_age_years" in f.source
    # Answered today: nothing to ask again.
    assert run(woman, history(screening_facts=replace(old, answered_on=DAY))) == []


@pytest.mark.parametrize(
    ("sex", "years", "asked"),
    [
        ("female", 12, True),  # the youngest of the range
        ("female", 55, True),  # the oldest
        ("female", 11, False),
        ("female", 56, False),
        ("not-known", 30, True),  # could be pregnant: asked
        ("indeterminate", 30, True),
        ("male", 30, False),
        ("", 30, True),  # not supplied: asked (the safe side)
    ],
)
def test_rule27_who_is_asked_again(sex, years, asked):
    old = ScreeningFacts(answered_on=DAY - timedelta(days=1), patient_sex=sex)
    s = replace(session(), date_of_birth=born(years), weight_kg=D(40), weight_measured_on=DAY)
    found = only(run(s, history(screening_facts=old)), "screening.pregnancy_not_asked_today")
    assert bool(found) is asked


def test_rule28_bleeding_and_interactions_warn():
    assert codes(with_answers(bleeding_risk=True, interacting_medicines=True)) == {
        ("caution.bleeding", WARN),
        ("caution.interactions", WARN),
    }


def test_rule28_bleeding_warns_for_a_bladder_session_once_the_antiplatelet_is_stopped():
    """Review 04/12: a patient on warfarin (screening: blood thinners) whose antiplatelet
    stop is recorded got no bleeding warning before cystoscopic injection."""
    findings = with_answers(oab(antiplatelet_stopped_days=5), bleeding_risk=True)
    bleeding = one(findings, "caution.bleeding")
    assert bleeding.level == WARN and "anticoagulants" in bleeding.message
    assert "rule 28" in bleeding.source
    assert not only(findings, "bladder.antiplatelet")
    # Not stopped: bladder.antiplatelet says it, once.
    findings = with_answers(oab(antiplatelet_stopped_days=None), bleeding_risk=True)
    assert codes(findings) == {("bladder.antiplatelet", WARN)}


# Rules 29-31: age ---------------------------------------------------------------------------


def cosmetic(date_of_birth, product="botox") -> ProposedSession:
    s = standard_sessions()["glabellar-botox-20" if product == "botox" else "glabellar-azzalure-50"]
    return replace(s, date_of_birth=date_of_birth)


def test_rule29_cosmetic_17_years_364_days_blocks_18_on_the_session_date_does_not():
    findings = run(cosmetic(born(18, 1)))
    f = one(findings, "age.cosmetic_under_18")
    assert f.level == BLOCK and "Patient is 17 on 07/12/2026" in f.message
    # Under the indication's minimum age, so off-label too; a child, so rule 9 wants a
    # recent weight; rule 31 (licensed minimum age) is for therapeutic sessions only.
    assert codes(findings) == {
        ("age.cosmetic_under_18", BLOCK),
        ("licence.off_label_consent", BLOCK),
        ("weight.stale", BLOCK),
        ("weight.missing", BLOCK),
    }
    assert run(cosmetic(born(18))) == []


def test_rule29_leap_day_birthday_turns_18_on_1_march():
    s = replace(
        cosmetic(date(2008, 2, 29)),
        on=date(2026, 2, 28),
        at=datetime(2026, 2, 28, 10, tzinfo=LONDON),
        vial=vial(reconstituted_at=datetime(2026, 2, 28, 9, tzinfo=LONDON), units_per_ml=D(40)),
    )
    assert only(run(s), "age.cosmetic_under_18")
    s = replace(
        s,
        on=date(2026, 3, 1),
        at=datetime(2026, 3, 1, 10, tzinfo=LONDON),
        vial=vial(reconstituted_at=datetime(2026, 3, 1, 9, tzinfo=LONDON), units_per_ml=D(40)),
    )
    assert not only(run(s), "age.cosmetic_under_18")


def test_rule29_only_for_cosmetic_indications():
    s = session(
        "botox",
        "hyperhidrosis-axillary",
        [pt(50, "Axilla", "left", points=10), pt(50, "Axilla", "right", points=10)],
        date_of_birth=born(16),
        weight_kg=D(60),
        weight_measured_on=DAY,
    )
    assert not only(run(s), "age.cosmetic_under_18")


def test_rule30_cosmetic_64_vs_65():
    assert run(cosmetic(born(65, 1))) == []
    f = one(run(cosmetic(born(65))), "age.cosmetic_older")
    assert f.level == WARN and "Patient is 65" in f.message
    assert "(limited data from age 65)" in f.message


def test_rule30_one_finding_naming_the_product_licence():
    f = one(run(cosmetic(born(70), "azzalure")), "age.cosmetic_older")
    assert "Azzalure is licensed for cosmetic use under 65" in f.message
    younger_licence = replace(
        cosmetic(born(62)), product=replace(PRODUCTS["botox"], cosmetic_max_age_years=60)
    )
    f = one(run(younger_licence), "age.cosmetic_older")
    assert "under 60" in f.message and "limited data" not in f.message


def test_rule30_not_for_therapeutic_sessions():
    assert run(session(date_of_birth=born(80))) == []


def axillary(years: int) -> ProposedSession:
    s = standard_sessions()["axillary-50-per-axilla"]
    return replace(s, date_of_birth=born(years), weight_kg=D(45), weight_measured_on=DAY)


def test_rule31_below_the_licensed_minimum_age():
    findings = run(axillary(11))
    f = one(findings, "age.below_licensed")
    assert f.level == OVERRIDE and "11" in f.message and "minimum age of 12" in f.message
    assert one(findings, "licence.off_label_consent").level == BLOCK
    assert run(axillary(12)) == []
    assert codes(run(replace(axillary(11), off_label_consent=True))) == {
        ("age.below_licensed", OVERRIDE)
    }


def test_rule31_falls_back_to_the_indication_minimum_age():
    s = session(
        "botox",
        "cervical-dystonia",
        [pt(40, "Splenius capitis")],
        guideline=GuidelineFacts(True, "S24"),
        date_of_birth=born(11),
        weight_kg=D(40),
        weight_measured_on=DAY,
        off_label_consent=True,
    )
    assert codes(run(s)) == {("age.below_licensed", OVERRIDE)}


def test_rule31_below_the_licensed_minimum_weight():
    kw = {"vial": vial("xeomin"), "off_label_consent": True}
    light = child_session("11.9", 30, "xeomin", "sialorrhoea-paediatric", **kw)
    f = one(run(light), "weight.below_licensed")
    assert f.level == OVERRIDE and "11.9 kg" in f.message and "12 kg" in f.message
    assert run(replace(light, weight_kg=D(12), off_label_consent=False)) == []


@pytest.mark.parametrize(
    ("slug", "category"), [("tmd-bruxism", "off-label"), ("parkinsons-tremor", "investigational")]
)
def test_rule31_applies_to_off_label_and_investigational_indications(slug, category):
    """Review 04/12: only the therapeutic category was age-checked, so a 15-year-old had
    TMD/bruxism or palmar hyperhidrosis (adults only in the reference data) with no finding."""
    adults_only = replace(INDICATIONS[slug], min_age_years=18)
    assert adults_only.category == category
    kw = {"off_label_consent": True, "weight_kg": D(50), "weight_measured_on": DAY}
    teen = replace(session("botox", slug, [pt(25, "Masseter")], **kw), indication=adults_only)
    f = one(run(replace(teen, date_of_birth=born(15))), "age.below_licensed")
    assert f.level == OVERRIDE and "15" in f.message and "minimum age of 18" in f.message
    assert "licensed minimum" not in f.message  # nothing is licensed for it
    assert not only(run(replace(teen, date_of_birth=born(18))), "age.below_licensed")


def test_rule31_is_not_applied_to_cosmetic_indications():
    """A cosmetic indication's age limit is rule 29's BLOCK, never a rule 31 override."""
    s = session("botox", "glabellar-lines", [pt(20, "Glabellar", "midline")])
    found = codes(run(replace(s, date_of_birth=born(15), looks_young=False)))
    assert ("age.cosmetic_under_18", BLOCK) in found
    assert not any(code == "age.below_licensed" for code, _ in found)


# Rule 32: off-label -------------------------------------------------------------------------


def test_rule32_is_off_label():
    assert not is_off_label(session())
    assert is_off_label(session(guideline=None))
    assert is_off_label(session("botox", "strabismus"))  # guideline not UK-licensed
    assert is_off_label(session("botox", "tmd-bruxism", guideline=GuidelineFacts(True, "x")))
    assert is_off_label(session("botox", "parkinsons-tremor", guideline=GuidelineFacts(True, "x")))
    assert is_off_label(axillary(11))
    assert not is_off_label(axillary(12))
    paed = child_session(20, 60)
    assert not is_off_label(paed)
    assert is_off_label(replace(paed, date_of_birth=born(18)))  # above the indication's 17
    assert is_off_label(replace(paed, date_of_birth=born(1)))
    xeomin = child_session("11.9", 30, "xeomin", "sialorrhoea-paediatric")
    assert is_off_label(xeomin)
    assert not is_off_label(replace(xeomin, weight_kg=D(12)))


def test_rule32_off_label_needs_consent():
    f = one(run(session("botox", "tmd-bruxism", [pt(25, "Masseter")])), "licence.off_label_consent")
    assert (
        f.level == BLOCK and "Myogenous TMD" in f.message and f.source == "DOMAIN §10 rule 32; S71"
    )
    assert run(session("botox", "tmd-bruxism", [pt(25, "Masseter")], off_label_consent=True)) == []


# Rules 35 and 40 ----------------------------------------------------------------------------


def test_rule35_consent_required():
    assert codes(run(session(consent_taken=False))) == {("consent.missing", BLOCK)}


def test_rule40_spread_advice_required():
    f = one(run(session(spread_advice_given=False)), "advice.spread_not_given")
    assert f.level == BLOCK and "4 weeks" in f.message


def test_engine_has_no_orm_imports():
    import inspect

    imports = [
        line
        for line in inspect.getsource(safety).splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert imports and not [line for line in imports if "django" in line or "models" in line]
