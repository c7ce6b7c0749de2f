"""Builders for the dose-safety engine's tests (treatments.safety): sessions, points,
vials, screening answers and histories made from the reference values of
safety_reference.py, and the helpers that run the engine and pick findings out. Pure: no
database. Used by the test_safety*.py files, the property tests among them."""

from datetime import date, timedelta

from tests.treatments.safety_reference import (
    AT,
    DAY,
    GUIDELINES,
    INDICATIONS,
    PATIENT,
    PRODUCTS,
    D,
    reference,
)
from treatments.safety import (
    Finding,
    Level,
    MigraineDiaryFacts,
    PatientHistory,
    PointFacts,
    PrescriberAssessmentFacts,
    PriorDose,
    ProposedSession,
    ScreeningFacts,
    VialFacts,
    evaluate,
)

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


def child_session(weight, units, product="botox", indication="spasticity-paed-ul", **kw):
    """An 8-year-old weighed 10 days ago; `units` over 5 needle points at one site."""
    kw.setdefault("points", [pt(units, "Biceps", "left", points=5)])
    kw.setdefault("date_of_birth", born(8))
    kw.setdefault("weight_kg", None if weight is None else D(weight))
    kw.setdefault("weight_measured_on", None if weight is None else DAY - timedelta(days=10))
    return session(product, indication, **kw)
