"""Property tests for the dose-safety engine (hypothesis): unit families never add up,
cumulative findings are monotone in the dose, and evaluate is total and sorted."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.treatments.safety_builders import (
    history,
    pt,
    session,
)
from tests.treatments.safety_reference import (
    AT,
    DAY,
    GUIDELINES,
    INDICATIONS,
    LIMITS,
    LONDON,
    PARAMETERS,
    PRODUCTS,
    reference,
)
from treatments.safety import (
    LEVEL_ORDER,
    Level,
    PatientHistory,
    PointFacts,
    PriorDose,
    ProposedSession,
    ScreeningFacts,
    VialFacts,
    evaluate,
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

SIDES = ("left", "right", "midline", "bilateral")
GROUPS = (
    "Biceps",
    "Sternocleidomastoid",
    "sternocleidomastoid",
    "Temporalis",
    "Corrugator",
    "Procerus",
    "Orbicularis oculi",
    "Detrusor",
    "",
)
UNIT_FAMILIES = sorted({p.unit_family for p in PRODUCTS.values()})
CUMULATIVE = {
    limit.code
    for limit in LIMITS
    if limit.scope in ("window", "session") and not limit.first_treatment_only
}

ANY_SIDE = st.sampled_from(SIDES)
ANY_FAMILY = st.sampled_from(UNIT_FAMILIES)
ANY_PRODUCT = st.sampled_from(sorted(PRODUCTS))
units = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(600), places=2)
small_units = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(60), places=2)
volumes = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5), places=2)
weights = st.none() | st.decimals(min_value=Decimal(3), max_value=Decimal(150), places=1)


@st.composite
def points(draw, side=ANY_SIDE, amount=units) -> PointFacts:
    group = draw(st.sampled_from(GROUPS))
    return PointFacts(
        site_slug="site",
        site_name=group or "Unnamed site",
        muscle_group=group,
        side=draw(side),
        units=draw(amount),
        volume_ml=draw(volumes),
        points=draw(st.integers(min_value=1, max_value=10)),
    )


@st.composite
def prior_doses(draw, families=ANY_FAMILY, days=None) -> PriorDose:
    family = draw(families)
    product = draw(st.sampled_from([p for p in PRODUCTS.values() if p.unit_family == family]))
    ago = draw(days if days is not None else st.integers(min_value=-30, max_value=400))
    return PriorDose(
        on=DAY - timedelta(days=ago),
        product_slug=product.slug,
        brand=product.brand,
        unit_family=product.unit_family,
        units=draw(st.none() | units),
        indication_slug=draw(st.none() | st.sampled_from(sorted(INDICATIONS))),
        elsewhere=draw(st.booleans()),
        clinic_name=draw(st.sampled_from(["", "Harley St Clinic"])),
    )


screenings = st.none() | st.builds(
    ScreeningFacts,
    answered_on=st.just(DAY),
    **{
        name: st.booleans()
        for name in (
            "allergy_toxin_or_albumin",
            "allergy_cows_milk_protein",
            "infection_at_sites",
            "neuromuscular_disorder",
            "swallowing_or_breathing_problems",
            "pregnant_or_breastfeeding",
            "bleeding_risk",
            "interacting_medicines",
            "urinary_infection",
            "urinary_retention",
            "can_self_catheterise",
        )
    },
)


# A moment in the week around the sessions drawn, or none (a reconstitution, a discard).
DAYS_AROUND_THE_SESSION = st.none() | st.datetimes(
    datetime(2026, 12, 1),  # noqa: DTZ001 - hypothesis adds the timezone
    datetime(2026, 12, 8),  # noqa: DTZ001
    timezones=st.just(LONDON),
)


@st.composite
def vials(draw, product_slug: str) -> VialFacts | None:
    if draw(st.integers(0, 9)) == 0:
        return None
    return VialFacts(
        id=draw(st.integers(1, 1000)),
        product_slug=draw(st.sampled_from([product_slug, product_slug, "xeomin"])),
        lot=draw(st.sampled_from(["C1234", "", "  "])),
        expiry=draw(st.none() | st.dates(date(2026, 1, 1), date(2028, 1, 1))),
        reconstituted_at=draw(DAYS_AROUND_THE_SESSION),
        units_per_ml=draw(st.none() | st.sampled_from([Decimal(10), Decimal(50), Decimal(500)])),
        discarded_at=draw(DAYS_AROUND_THE_SESSION),
        other_patient_ids=frozenset(draw(st.sets(st.integers(1, 5), max_size=2))),
    )


@st.composite
def sessions(draw, product_slugs=ANY_PRODUCT, side=ANY_SIDE):
    slug = draw(product_slugs)
    indication = draw(st.sampled_from(sorted(INDICATIONS)))
    weight = draw(weights)
    return ProposedSession(
        patient_id=1,
        on=DAY,
        at=AT,
        date_of_birth=DAY - timedelta(days=draw(st.integers(0, 95 * 366))),
        indication=INDICATIONS[indication],
        product=PRODUCTS[slug],
        guideline=draw(st.sampled_from([GUIDELINES.get((slug, indication)), None])),
        vial=draw(vials(slug)),
        points=tuple(draw(st.lists(points(side=side), min_size=0, max_size=8))),
        weight_kg=weight,
        weight_measured_on=draw(st.none() | st.dates(DAY - timedelta(days=400), DAY)),
        screening_reviewed=draw(st.booleans()),
        consent_taken=draw(st.booleans()),
        off_label_consent=draw(st.booleans()),
        spread_advice_given=draw(st.booleans()),
        antibiotic_prophylaxis=draw(st.booleans()),
        pvr_ml=draw(st.none() | st.integers(0, 1000)),
        performs_cic=draw(st.booleans()),
        antiplatelet_stopped_days=draw(st.none() | st.integers(0, 30)),
        top_up_reason=draw(st.sampled_from(["", "Asymmetry at review"])),
    )


@st.composite
def histories(draw, families=ANY_FAMILY) -> PatientHistory:
    return PatientHistory(
        doses=tuple(draw(st.lists(prior_doses(families), max_size=6))),
        screening=draw(screenings),
        pvr_recorded_before=draw(st.booleans()),
    )


def without(findings, code):
    return [f for f in findings if f.code != code]


# (a) Units of different unit families never add up ------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data(), s=sessions(), h=histories())
def test_other_family_doses_never_change_any_finding_but_the_other_family_warning(data, s, h):
    family = s.product.unit_family
    others = st.sampled_from([f for f in UNIT_FAMILIES if f != family])
    extra = data.draw(st.lists(prior_doses(others), min_size=1, max_size=6))
    before = evaluate(s, h, reference())
    after = evaluate(s, replace(h, doses=h.doses + tuple(extra)), reference())
    assert without(after, "history.other_family") == without(before, "history.other_family")
    limit_codes = {limit.code for limit in LIMITS}
    assert {(f.code, f.message) for f in after if f.code in limit_codes} == {
        (f.code, f.message) for f in before if f.code in limit_codes
    }


# (b) Monotonicity: more dose never removes a cumulative finding -----------------------------


def cumulative(findings) -> set[tuple[str, Level]]:
    return {(f.code, f.level) for f in findings if f.code in CUMULATIVE}


@PROPERTY_SETTINGS
@given(data=st.data(), s=sessions(), h=histories())
def test_an_extra_point_never_removes_a_cumulative_finding(data, s, h):
    # The extra point keeps the session's laterality (a second limb legitimately changes
    # which limit applies): it goes on a side already treated, or on the midline.
    sides = sorted({p.side for p in s.points} | {"midline"})
    extra = data.draw(points(side=st.sampled_from(sides)))
    before = cumulative(evaluate(s, h, reference()))
    after = cumulative(evaluate(replace(s, points=(*s.points, extra)), h, reference()))
    assert before <= after


@PROPERTY_SETTINGS
@given(data=st.data(), s=sessions(), h=histories())
def test_an_extra_same_family_prior_dose_never_removes_a_cumulative_finding(data, s, h):
    family = st.just(s.product.unit_family)
    extra = data.draw(prior_doses(family, days=st.integers(min_value=0, max_value=83)))
    before = cumulative(evaluate(s, h, reference()))
    after = cumulative(evaluate(s, replace(h, doses=(*h.doses, extra)), reference()))
    assert before <= after


@PROPERTY_SETTINGS
@given(more=st.lists(small_units, min_size=1, max_size=10))
def test_window_total_grows_into_the_adult_limit_and_stays(more):
    """Adding doses one by one: once the 84-day limit is exceeded it stays exceeded."""
    s = session(points=[pt(45)])
    exceeded = False
    doses = []
    for amount in more * 10:
        doses.append(
            PriorDose(DAY - timedelta(days=5), "botox", "BOTOX", "allergan", amount, "oab")
        )
        found = any(
            f.code == "dose.allergan_adult_84d" for f in evaluate(s, history(*doses), reference())
        )
        total = Decimal(45) + sum(d.units for d in doses)
        assert found == (total > 400)
        assert not (exceeded and not found)
        exceeded = found


# (c) evaluate is total and sorted -----------------------------------------------------------


@PROPERTY_SETTINGS
@given(s=sessions(), h=histories(), with_product=st.booleans())
def test_evaluate_never_raises_and_sorts_block_override_warn(s, h, with_product):
    if not with_product:
        s = replace(s, product=None)
    findings = evaluate(s, h, reference())
    ranks = [LEVEL_ORDER[f.level] for f in findings]
    assert ranks == sorted(ranks)
    for f in findings:
        assert isinstance(f.level, Level)
        assert f.code and f.message and f.source
        assert "None" not in f.message
    assert len(PARAMETERS) == 16  # the 9 PARAMETER_KEYS, the 5 NICE TA260 keys, rule 27's 2
