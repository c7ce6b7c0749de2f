"""Prior doses the engine judges (DOMAIN §10 rules 2, 8-9, 19): toxin given elsewhere of a
product not on our list (unit family unknown).

Pure engine tests on the builders of safety_builders.py, then the same on the database through
the selector and the signing service."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    PatientFactory,
    PrescriberAssessmentFactory,
    PriorTreatmentFactory,
    QuestionnaireFactory,
)
from tests.treatments.safety_builders import (
    history,
    one,
    only,
    prior,
    pt,
    run,
    session,
    uk,
)
from tests.treatments.safety_reference import (
    DAY,
    OVERRIDE,
    WARN,
)
from tests.treatments.session_helpers import backdate, save, start
from treatments import safety, selectors, services
from treatments.models import AnatomicalSite, Indication
from treatments.safety import PriorDose

D = Decimal


NAMES = {
    "glabellar-lines": "Glabellar lines",
    "spasticity-ul-adult": "Upper limb spasticity, adult",
}


def unlisted(days_ago: int, units=50, indication: str | None = "glabellar-lines") -> PriorDose:
    """Toxin given elsewhere, recorded as "Hutox (Korea)" (not on our product list)."""
    return PriorDose(
        on=DAY - timedelta(days=days_ago),
        product_slug="",
        brand="Hutox (Korea)",
        unit_family="",
        units=None if units is None else D(units),
        indication_slug=indication,
        indication_name=NAMES.get(indication, indication) if indication else "",
        elsewhere=True,
        clinic_name="Other clinic",
    )


def glabellar(units=20):
    return session("botox", "glabellar-lines", [pt(units, "Glabellar", "midline")])


# Rule 2: a product not on our list is another (unknown) family ------------------------------


def test_rule2_unlisted_product_elsewhere_warns_with_name_date_and_units():
    f = one(run(glabellar(), history(unlisted(20))), "history.other_family")
    assert f.level == WARN
    assert "Hutox (Korea)" in f.message and uk(20) in f.message and "50 U" in f.message
    assert "Other clinic" in f.message


# Rule 19: it counts for the interval, and is never a top-up --------------------------------


def test_rule19_unlisted_product_for_the_same_indication_is_too_soon():
    f = one(run(glabellar(), history(unlisted(20))), "interval.too_soon")
    assert f.level == OVERRIDE
    assert "Hutox (Korea)" in f.message and uk(20) in f.message and "50 U" in f.message
    assert "unit family unknown" in f.message and "DOMAIN §10 rule 19" in f.source
    assert f.message.startswith(
        "Toxin of a product not on our list (unit family unknown) was given 20 days (2 weeks "
        f"6 days) ago: Hutox (Korea) 50 U on {uk(20)} at Other clinic, for Glabellar lines; "
    )
    # Within the top-up window too: a top-up is of the same product, so this is re-treatment.
    assert one(run(glabellar(), history(unlisted(5))), "interval.too_soon").level == OVERRIDE
    assert not only(run(glabellar(), history(unlisted(5))), "interval.top_up")


def test_rule19_unlisted_product_outside_the_interval_or_for_another_indication():
    minimum = 84  # glabellar lines: the indication's 12 weeks
    assert not only(run(glabellar(), history(unlisted(minimum))), "interval.too_soon")
    other = unlisted(20, indication="cervical-dystonia")
    assert not only(run(glabellar(), history(other)), "interval.too_soon")


# Rules 8-9: its units are never added to a family's total, and the finding says so ---------


def test_rule8_unlisted_units_are_not_added_and_the_finding_says_they_cannot_be_converted():
    s = session("botox", "spasticity-ul-adult", [pt(380)])
    h = history(unlisted(30, 300, indication="spasticity-ul-adult"))
    findings = run(s, h)
    # 380 U + 300 U of Hutox would be "over 400 U": they are not the same units.
    assert not only(findings, "dose.allergan_adult_84d")
    f = one(findings, "history.unknown_family")
    assert f.level == WARN
    assert f.message.startswith(
        "An earlier dose of a product not on our list (unit family unknown) not added to the "
        "cumulative totals, as its units cannot be converted to BOTOX units: Hutox (Korea) 300 "
        f"U on {uk(30)} at Other clinic, for Upper limb spasticity, adult. Consider the "
        "cumulative exposure"
    )
    assert "Hutox (Korea)" in f.message and uk(30) in f.message and "300 U" in f.message


def test_rule8_unlisted_dose_outside_the_window_is_not_mentioned():
    s = session("botox", "spasticity-ul-adult", [pt(40)])
    h = history(unlisted(84, 300, indication="spasticity-ul-adult"))
    assert not only(run(s, h), "history.unknown_family")


# The same on the database: the selector keeps the dose, signing asks for a reason ----------


@pytest.mark.django_db
def test_selector_keeps_toxin_elsewhere_of_an_unlisted_product(practitioner):
    patient = PatientFactory()
    questionnaire = QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=120),
    )
    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    PriorTreatmentFactory(
        questionnaire=questionnaire,
        patient=patient,
        product=None,
        product_other="Hutox (Korea)",
        units=50,
        treated_on=timezone.localdate() - timedelta(days=20),
        clinic_name="Other clinic",
        indication=Indication.objects.get(slug="glabellar-lines"),
    )
    draft = save(start(patient, practitioner, "glabellar-lines", "botox"), practitioner)

    inputs = selectors.safety_inputs_for_session(session=draft)
    (dose,) = inputs.history.doses
    assert dose.brand == "Hutox (Korea)" and dose.family_unknown and dose.elsewhere
    assert dose.units == 50 and dose.clinic_name == "Other clinic"
    by_code = {f.code: f for f in inputs.evaluate()}
    assert "Hutox (Korea)" in by_code["history.other_family"].message
    assert by_code["interval.too_soon"].level == safety.Level.OVERRIDE

    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=draft, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    assert "interval.too_soon" in {f.code for f in refused.value.missing_reasons}


# Rule 20 with rules 14-15: a top-up's units count per eye, per side and per muscle group ----


def bleph_index(points) -> PriorDose:
    """The first blepharospasm treatment, 7 days ago, its points carried for its top-up."""
    return replace(
        prior(7, sum(p.units for p in points), indication="blepharospasm", session_id=501),
        points=tuple(points),
    )


def test_rule15_20_top_up_counts_the_index_session_per_eye():
    index = bleph_index([pt(20, "Orbicularis oculi", "right")])
    top_up = session(
        "botox",
        "blepharospasm",
        [pt(5, "Orbicularis oculi", "right"), pt(5, "Orbicularis oculi", "right")],
        top_up_of_session_id=501,
        top_up_reason="residual spasm right",
    )
    f = one(run(top_up, history(index)), "dose.botox_bleph_initial_eye")
    assert f.level == OVERRIDE
    assert f"right side total 30 U in the episode (this top-up 10 U + 20 U on {uk(7)})" in (
        f.message
    )
    # Same-session control: 30 U to the right eye in one first session.
    same = session("botox", "blepharospasm", [pt(30, "Orbicularis oculi", "right")])
    assert "right side total 30 U" in one(run(same), "dose.botox_bleph_initial_eye").message
    # Not linked, the index session is a treatment before: the initial limit no longer applies.
    unlinked = replace(top_up, top_up_of_session_id=None)
    assert not only(run(unlinked, history(index)), "dose.botox_bleph_initial_eye")


def test_rule15_20_top_up_of_the_other_eye_is_judged_on_its_own_eye():
    index = bleph_index([pt(25, "Orbicularis oculi", "left")])
    top_up = session(
        "botox",
        "blepharospasm",
        [pt(10, "Orbicularis oculi", "right")],
        top_up_of_session_id=501,
        top_up_reason="right eye not treated",
    )
    assert not only(run(top_up, history(index)), "dose.botox_bleph_initial_eye")


def test_rule14_20_top_up_counts_the_index_session_in_the_scm_total():
    index = replace(
        prior(7, 90, indication="cervical-dystonia", session_id=502),
        points=(pt(90, "Sternocleidomastoid", "right"),),
    )
    top_up = session(
        "botox",
        "cervical-dystonia",
        [pt(40, "Sternocleidomastoid", "left")],
        top_up_of_session_id=502,
        top_up_reason="insufficient effect",
    )
    f = one(run(top_up, history(index)), "dose.botox_scm")
    assert f.level == WARN
    assert (
        f"Sternocleidomastoid total 130 U in the episode (this top-up 40 U + 90 U on {uk(7)})"
        in (f.message)
    )
    # Same-session control: 90 U + 40 U to the SCM in one session warns the same way.
    same = session(
        "botox",
        "cervical-dystonia",
        [pt(90, "Sternocleidomastoid", "right"), pt(40, "Sternocleidomastoid", "left")],
    )
    assert "Sternocleidomastoid total 130 U" in one(run(same), "dose.botox_scm").message
    # A top-up of other muscles adds nothing to the SCM: no SCM finding.
    splenius = replace(top_up, points=(pt(40, "Splenius capitis", "left"),))
    assert not only(run(splenius, history(index)), "dose.botox_scm")
    # The index outside the top-up window is not the same episode.
    late = replace(index, on=DAY - timedelta(days=20))
    assert not only(run(top_up, history(late)), "dose.botox_scm")


@pytest.mark.django_db
def test_selector_gives_a_top_up_the_index_sessions_points(practitioner):
    patient = PatientFactory()
    QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=120),
    )
    index = start(patient, practitioner, "cervical-dystonia", "botox")
    scm = AnatomicalSite.objects.filter(muscle_group__iexact="sternocleidomastoid").first()
    index = save(index, practitioner, points=[{"site": scm, "side": "right", "units": 90}])
    index = backdate(index, timezone.now() - timedelta(days=7))
    services.session_sign(
        session=index, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    top_up = save(
        start(patient, practitioner, "cervical-dystonia", "botox"),
        practitioner,
        points=[{"site": scm, "side": "left", "units": 40}],
        top_up_of=index,
        top_up_reason="insufficient effect",
    )
    doses = selectors.safety_inputs_for_session(session=top_up).history.doses
    (dose,) = doses
    assert dose.session_id == index.pk
    assert [(p.muscle_group, p.side, p.units) for p in dose.points] == [
        (scm.muscle_group, "right", 90)
    ]
    findings = selectors.safety_inputs_for_session(session=top_up).evaluate()
    f = next(f for f in findings if f.code == "dose-botox-cd-scm")  # the seeded rule 14 row
    assert "Sternocleidomastoid total 130 U in the episode" in f.message
    # The index session's points come in the same query: as many queries as without a link.
    with CaptureQueriesContext(connection) as linked:
        selectors.patient_history_facts(
            patient, exclude_session_id=top_up.pk, top_up_of_session_id=index.pk
        )
    with CaptureQueriesContext(connection) as plain:
        history_facts = selectors.patient_history_facts(patient, exclude_session_id=top_up.pk)
    assert len(linked.captured_queries) == len(plain.captured_queries)
    # Not a top-up: no points for any dose.
    assert all(not d.points for d in history_facts.doses)
