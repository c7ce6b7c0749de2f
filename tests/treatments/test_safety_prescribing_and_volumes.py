"""Rules 34 and 29 (who assessed and verified a cosmetic patient), rule 6 (volume follows
units, so per-site mL limits fire), vial capacity over any number of vials, and findings
that name the indication. Pure: no database; the builders are test_safety's."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.treatments.safety_builders import (
    born,
    child_session,
    history,
    one,
    only,
    prior,
    pt,
    run,
    session,
    vial,
)
from tests.treatments.safety_reference import (
    BLOCK,
    DAY,
    WARN,
)
from treatments.safety import PrescriberAssessmentFacts, PriorDose, _source

D = Decimal


def glabellar(**kw):
    return session(
        "botox",
        "glabellar-lines",
        [pt(8, "Corrugator", "left"), pt(8, "Corrugator", "right"), pt(4, "Procerus", "midline")],
        **kw,
    )


# Rule 34: a prescriber's face-to-face assessment before a first cosmetic treatment ----------


def test_rule34_first_cosmetic_treatment_without_an_assessment_blocks():
    f = one(run(glabellar(), history(prescriber_assessment=None)), "prescriber.assessment_missing")
    assert f.level == BLOCK and "face-to-face assessment by a prescriber" in f.message


def test_rule34_assessment_recorded_on_or_before_the_day_clears_it():
    on_the_day = PrescriberAssessmentFacts(assessed_on=DAY, prescriber="Dr Patel")
    assert not only(
        run(glabellar(), history(prescriber_assessment=on_the_day)),
        "prescriber.assessment_missing",
    )
    later = replace(on_the_day, assessed_on=DAY + timedelta(days=1))
    assert only(
        run(glabellar(), history(prescriber_assessment=later)), "prescriber.assessment_missing"
    )


def test_rule34_only_a_first_cosmetic_treatment_and_never_therapeutic():
    earlier_here = replace(
        prior(120, 20, indication="glabellar-lines", session_id=3), indication_category="cosmetic"
    )
    assert not only(
        run(glabellar(), history(earlier_here, prescriber_assessment=None)),
        "prescriber.assessment_missing",
    )
    assert not only(
        run(session(), history(prescriber_assessment=None)), "prescriber.assessment_missing"
    )


# Rule 29: age verification for a young-looking cosmetic patient ---------------------------


def test_rule29_young_looking_cosmetic_patient_needs_the_age_evidence_recorded():
    young = glabellar(date_of_birth=born(19), looks_young=True)
    assert one(run(young), "age.verification_missing").level == BLOCK
    assert not only(
        run(replace(young, age_evidence_seen="UK passport")), "age.verification_missing"
    )
    assert not only(run(replace(young, looks_young=False)), "age.verification_missing")
    therapeutic = session(date_of_birth=born(19), looks_young=True)
    assert not only(run(therapeutic), "age.verification_missing")


# Rule 6: per-site mL limits fire on the volume the units take at the vial's dilution -------


def test_rule11_half_ml_per_site_fires_when_no_volume_was_typed():
    # Dysport 500 U in 2.5 mL = 200 U/mL: 120 U at a site is 0.6 mL (limit 0.5 mL per site).
    s = child_session(
        20,
        120,
        product="dysport",
        vial=vial("dysport", units_per_ml=D(200)),
    )
    s = replace(s, points=(pt(120, "Gastrocnemius", "left"),))
    f = one(run(s), "dose.dysport_paed_site_ml")
    assert f.level == WARN and "0.6 mL per point (from the units at the vial's dilution)" in (
        f.message
    )
    typed = replace(s, points=(pt(120, "Gastrocnemius", "left", volume="0.6"),))
    assert "0.6 mL per point, above" in one(run(typed), "dose.dysport_paed_site_ml").message


# Vial capacity: every vial of the session counts ------------------------------------------


def test_vial_capacity_sums_any_number_of_vials():
    # Dysport adult upper limb near its 1000 U limit: 950 U from two 500 U vials and a
    # third with 300 U left.
    vials = {
        "vial": vial("dysport", id=1, remaining_units=D(500), units_per_ml=D(200)),
        "extra_vials": (
            vial("dysport", id=2, remaining_units=D(150), units_per_ml=D(200)),
            vial("dysport", id=3, remaining_units=D(300), units_per_ml=D(200)),
        ),
    }
    s = session("dysport", points=[pt(475, "Biceps"), pt(475, "Flexor carpi", "left")], **vials)
    assert not only(run(s), "vial.insufficient")
    over = replace(s, points=(*s.points, pt(1, "Biceps")))
    f = one(run(over), "vial.insufficient")
    assert "951 U planned" in f.message and "hold 950 U" in f.message


# Words, not codes -------------------------------------------------------------------------


def test_findings_name_the_indication_not_its_slug():
    dose = PriorDose(
        on=DAY - timedelta(days=20),
        product_slug="dysport",
        brand="Dysport",
        unit_family="speywood",
        units=D(50),
        indication_slug="glabellar-lines",
        indication_name="Glabellar lines",
    )
    f = one(run(session(), history(dose)), "history.other_family")
    assert "for Glabellar lines" in f.message and "glabellar-lines" not in f.message


def test_sources_are_not_repeated():
    assert (
        _source("DOMAIN §10 rule 33; S58", "S58 (NICE TA260); §10 rule 33", "S58")
        == "DOMAIN §10 rule 33; S58"
    )
    assert _source("DOMAIN §10 rule 2; S54", "§10 rule 2; S54; S53b") == (
        "DOMAIN §10 rule 2; S54; S53b"
    )
