"""The dose-safety engine (treatments.safety): a well-prepared licensed session raises
nothing, parameters come from reference data, and rules 1-7 (product, unit families, vial,
reconstitution, one vial one patient, units and volume, formulary) at their boundaries.
Pure: no database; the builders are in safety_builders.py. The other rules are in the
test_safety_*.py files beside this one."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.treatments.safety_builders import (
    born,
    codes,
    history,
    one,
    only,
    preempt_points,
    prior,
    pt,
    run,
    screening,
    session,
    standard_sessions,
    uk,
    vial,
)
from tests.treatments.safety_reference import (
    AT,
    BLOCK,
    DAY,
    LIMITS,
    OVERRIDE,
    PARAMETERS,
    PATIENT,
    PRODUCTS,
    WARN,
    D,
    reference,
)
from treatments import safety
from treatments.safety import LEVEL_ORDER, PARAMETER_KEYS, MissingParameterError, is_off_label

# Standard protocols: a well-prepared licensed session raises nothing ------------------------


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


def test_rule3_vial_discarded_before_the_session_blocks():
    discarded = vial(discarded_at=AT - timedelta(minutes=5))
    f = one(run(session(vial=discarded)), "vial.discarded")
    assert f.level == BLOCK and "before this session's time" in f.message
    assert codes(run(session(vial=discarded))) == {("vial.discarded", BLOCK)}


def test_rule3_vial_discarded_after_the_session_warns_to_check_it_was_the_one():
    """The rest of a single-use vial is discarded at the end of the treatment, often before
    the record is signed: the vial used, not a block (DOMAIN §1.3 "discard the rest")."""
    since = vial(discarded_at=AT + timedelta(minutes=20))
    f = one(run(session(vial=since)), "vial.discarded_since")
    assert f.level == WARN
    assert "after this session's time" in f.message and "check it is the vial" in f.message


def test_rule3_a_vial_discarded_since_says_why_and_is_named_by_its_label():
    """Named as on the carton, with the discard's reason (review 07/12/2026: "Vial 507"
    named nothing the practitioner could find)."""
    since = vial(
        discarded_at=AT + timedelta(minutes=20), discard_reason="Dropped", label="C1234AB/3"
    )
    f = one(run(session(vial=since)), "vial.discarded_since")
    assert f.message.startswith("Vial C1234AB/3 was discarded on ")
    assert "(Dropped), after this session's time" in f.message


# Rule 4: reconstitution and in-use time -----------------------------------------------------


def test_rule4_a_vial_made_up_on_a_later_day_than_the_session_blocks():
    """An earlier day's record completed with a vial reconstituted since: it cannot have
    been drawn from then (its use-by, counted from a later time, never caught it)."""
    later = vial(reconstituted_at=AT + timedelta(days=1))
    f = one(run(session(vial=later)), "vial.reconstituted_later")
    assert f.level == BLOCK and "a later day than this session's" in f.message
    # The same day, after the session's time (a draft started before the vial was made
    # up): not this rule.
    same_day = vial(reconstituted_at=AT + timedelta(minutes=30))
    assert not only(run(session(vial=same_day)), "vial.reconstituted_later")


def test_rule3_a_vial_received_on_a_later_day_than_the_session_blocks():
    """A ready-to-use solution has no reconstitution to date it: an earlier day's record
    completed with a vial received since was signed (review of the discarded-vial change:
    the record named a vial the clinic did not have that day, and a recall of its lot
    would name a patient who never had it)."""
    later = vial("alluzience", reconstituted_at=None, received_on=DAY + timedelta(days=1))
    f = one(run(session("alluzience", vial=later)), "vial.received_later")
    assert f.level == BLOCK and "received on" in f.message
    same_day = vial("alluzience", reconstituted_at=None, received_on=DAY)
    assert not only(run(session("alluzience", vial=same_day)), "vial.received_later")


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


def test_rule6_more_than_three_points_apart_are_one_finding_that_names_the_dilution():
    """Practitioner review (07/12/2026): PREEMPT's 31 points at 0.1 mL beside a vial of
    8 U per 0.1 mL gave 31 warnings, which buried the others. Three are still said one
    by one; more are one finding, about the vial's dilution."""
    preempt = session("botox", "chronic-migraine", preempt_points())
    strong = replace(preempt, vial=vial(units_per_ml=D(80)))
    (f,) = only(run(strong), "dose.volume_mismatch")
    assert f.level == WARN
    assert f.message.startswith(
        "31 of 31 points: the units entered do not match their mL at this vial's 80 U/mL "
        "(e.g. Corrugator (left): 5 U entered, 0.1 mL is 8 U; tolerance 5%). Check the "
        "vial's dilution"
    )
    three = [pt(45, volume="1.0"), pt(30, volume="0.5"), pt(40, "Triceps", volume="0.1")]
    assert len(only(run(session(points=three)), "dose.volume_mismatch")) == 3
    assert not only(run(preempt), "dose.volume_mismatch")  # at the planned 50 U/mL


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
