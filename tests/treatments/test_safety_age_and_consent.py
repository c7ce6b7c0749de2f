"""The dose-safety engine at its boundaries: age (rules 29-31), off-label use (32),
consent (35) and advice (40). Pure: no database."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from tests.treatments.safety_builders import (
    born,
    child_session,
    codes,
    one,
    only,
    pt,
    run,
    session,
    standard_sessions,
    vial,
)
from tests.treatments.safety_reference import (
    BLOCK,
    DAY,
    INDICATIONS,
    LONDON,
    OVERRIDE,
    PRODUCTS,
    WARN,
    D,
)
from treatments import safety
from treatments.safety import GuidelineFacts, ProposedSession, is_off_label


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
