"""Sessions through the services end to end, on the seeded reference data: the standard
protocols sign without a BLOCK or OVERRIDE, the timeline's totals, PREEMPT drawing from two
vials, screening read as of the session date, vials' in-use times, and drafts without a vial."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from tests.treatments.session_helpers import CONFIRMED, indication, product, save, site, start
from treatments import safety, selectors, services
from treatments.models import (
    DoseLimit,
    SiteTemplate,
)

pytestmark = pytest.mark.django_db


STANDARD_PROTOCOLS = [
    # indication, product, template (None: points given below), extra session fields
    ("chronic-migraine", "botox", {}),
    ("oab", "botox", {"pvr_ml": 40, "antibiotic_prophylaxis": True}),
    ("hyperhidrosis-axillary", "botox", {}),
    ("glabellar-lines", "botox", {}),
    ("glabellar-lines", "azzalure", {}),
]


@pytest.mark.parametrize(("indication_slug", "product_slug", "fields"), STANDARD_PROTOCOLS)
def test_standard_licensed_protocols_raise_no_block_or_override(
    practitioner, ready_patient, indication_slug, product_slug, fields
):
    session = save(
        start(ready_patient, practitioner, indication_slug, product_slug), practitioner, **fields
    )
    assert SiteTemplate.objects.filter(indication__slug=indication_slug).exists()
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    serious = [f for f in findings if f.level in (safety.Level.BLOCK, safety.Level.OVERRIDE)]
    assert serious == [], serious


def test_cervical_dystonia_dysport_500_raises_no_block_or_override(practitioner, ready_patient):
    session = start(ready_patient, practitioner, "cervical-dystonia", "dysport")
    points = [
        {
            "site": site("sternocleidomastoid"),
            "side": "left",
            "units": Decimal(150),
            "volume_ml": Decimal("0.3"),
            "points": 2,
        },
        {
            "site": site("splenius"),
            "side": "right",
            "units": Decimal(250),
            "volume_ml": Decimal("0.5"),
            "points": 3,
        },
        {
            "site": site("trapezius"),
            "side": "right",
            "units": Decimal(100),
            "volume_ml": Decimal("0.2"),
            "points": 2,
        },
    ]
    session = save(session, practitioner, points=points)
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    serious = [f for f in findings if f.level in (safety.Level.BLOCK, safety.Level.OVERRIDE)]
    assert serious == [], serious


def test_units_never_add_across_families_in_the_timeline(practitioner, ready_patient):
    botox = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    services.session_sign(
        session=botox, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    timeline = selectors.patient_timeline(patient=ready_patient)
    assert timeline.cumulative_84d == [("Allergan (onabotulinumtoxinA)", Decimal(155))]
    (eligibility,) = timeline.eligibility
    assert eligibility.next_eligible_on == timezone.localdate(botox.performed_at) + timedelta(
        days=84
    )


def test_the_timeline_totals_follow_the_reference_window(practitioner, patient):
    """Review 04/12: the timeline's cumulative totals counted 84 days from a literal; they
    follow rules 8-9's cumulative DoseLimit window (reference data), counted as the engine
    counts it (0..window-1 days ago)."""
    botox = product("botox")
    today = timezone.localdate()
    for days_ago, units in ((0, 10), (29, 20), (30, 40), (83, 80), (84, 160)):
        when = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(12)))
        TreatmentSessionFactory(
            patient=patient,
            practitioner=practitioner,
            indication=indication("cervical-dystonia"),
            product=botox,
            performed_at=when,
            signed=True,
            points=1,
            points__units=Decimal(units),
        )
    family = "Allergan (onabotulinumtoxinA)"
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert timeline.cumulative_84d == [(family, Decimal(150))]
    assert timeline.cumulative_window_days == 84
    cumulative = DoseLimit.objects.filter(
        scope="window", product__isnull=True, indication__isnull=True
    )
    assert cumulative.count() == 2  # rules 8 and 9 (adult, child)
    cumulative.update(window_days=30)
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert timeline.cumulative_84d == [(family, Decimal(30))]
    assert timeline.cumulative_window_days == 30
    cumulative.delete()  # no cumulative limit in the reference data: no totals, no guess
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert (timeline.cumulative_window_days, timeline.cumulative_84d) == (None, [])


def test_preempt_needs_two_100_unit_vials_and_both_reconcile(practitioner, ready_patient):
    botox = product("botox")
    first = VialFactory(product=botox, presentation_units=100, received_by=practitioner)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.vial == first
    session = save(session, practitioner)
    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    (block,) = refused.value.blocks
    assert block.code == "vial.insufficient"
    assert "155 U planned" in block.message and "100 U" in block.message

    second = VialFactory(product=botox, presentation_units=100, received_by=practitioner)
    session = save(session, practitioner, further_vials=[second])
    services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    draws = {d.vial_id: d.units for d in session.draws.all()}
    assert draws == {first.pk: Decimal(100), second.pk: Decimal(55)}
    services.vial_discard(
        vial=first, reason="Empty", wasted_units=Decimal(0), discarded_by=practitioner
    )
    services.vial_discard(
        vial=second, reason="End of session", wasted_units=Decimal(45), discarded_by=practitioner
    )
    for vial in selectors.vial_list().filter(pk__in=[first.pk, second.pk]):
        assert vial.drawn_units + vial.wasted_units == vial.presentation_units
    # Both lots lead back to the patient for a recall.
    assert selectors.lot_exposure(lot=second.lot)[0].patient == ready_patient
    assert selectors.lot_exposure(lot=first.lot)[0].total_units == 100
    # The lot lookup page: the phone number on one line (at 820 px it broke in two) and a
    # one-line "Look up" button (it wrapped at 1366 and 820 px).
    from tests.conftest import client_for

    page = client_for(practitioner).get(f"/lots/?lot={first.lot}").content.decode()
    assert f'<td class="text-nowrap">{ready_patient.phone_display}</td>' in page
    assert '<button class="btn btn-primary text-nowrap" type="submit">Look up</button>' in page
    # The signed session's page: each vial with the units drawn from it (it listed the
    # vials only: the practitioner review's leftover).
    page = client_for(practitioner).get(f"/sessions/{session.public_id}/").content.decode()
    drawn = re.findall(
        r'vial ([^<]+)</a>, exp [0-9/]+: <span data-testid="vial-drawn">([^<]+)<', page
    )
    assert drawn == [(first.stock_label, "100 U drawn"), (second.stock_label, "55 U drawn")]


def test_screening_is_read_as_of_the_session_date(practitioner, ready_patient):
    """A session dated before the latest answers is checked against the answers that stood
    on its day, not later ones."""
    session = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    QuestionnaireFactory(
        patient=ready_patient,
        entered_by=practitioner,
        bleeding_risk=True,
        completed_on=timezone.localdate() + timedelta(days=1),
    )
    codes = {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}
    assert "caution.bleeding" not in codes


def test_vial_with_unknown_in_use_time_is_usable_on_its_day_only(practitioner):
    bocouture = product("bocouture")
    assert bocouture.in_use_hours is None
    patient = PatientFactory()
    today_vial = VialFactory(
        product=bocouture,
        presentation_units=50,
        use_by=None,
        received_by=practitioner,
        reconstituted_at=timezone.now(),
    )
    VialFactory(
        product=bocouture,
        presentation_units=50,
        use_by=None,
        received_by=practitioner,
        reconstituted_at=timezone.now() - timedelta(days=1, hours=1),
    )
    assert selectors.vial_list_usable(product=bocouture, patient=patient) == [today_vial]


def test_signing_refuses_a_bocouture_vial_reconstituted_days_ago(practitioner):
    """Review 04/12 (rule 4): Bocouture's in-use time is not in the reference data, and a
    10-day-old reconstituted vial drew no finding; the engine now reads an unknown in-use
    time as the vial picker does (the day of reconstitution only)."""
    bocouture = product("bocouture")
    assert bocouture.in_use_hours is None  # DOMAIN §11: "verify", no figure
    patient = PatientFactory()
    QuestionnaireFactory(patient=patient)
    PrescriberAssessmentFactory(patient=patient)

    def draft(reconstituted_at):
        vial = VialFactory(
            product=bocouture,
            presentation_units=50,
            received_by=practitioner,
            reconstituted_at=reconstituted_at,
            use_by=None,
        )
        session = TreatmentSessionFactory(
            patient=patient,
            indication=indication("glabellar-lines"),
            product=bocouture,
            vial=vial,
            **CONFIRMED,
        )
        return {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}

    assert "vial.over_age" in draft(timezone.now() - timedelta(days=10))
    assert "vial.over_age" not in draft(timezone.now())


def test_vial_past_use_by_says_so(practitioner):
    vial = VialFactory(
        received_by=practitioner,
        reconstituted_at=timezone.now() - timedelta(hours=25),
        use_by=timezone.now() - timedelta(hours=1),
    )
    assert vial.is_past_use_by and vial.state_label == "Past its use-by: discard"
    fresh = VialFactory(received_by=practitioner)
    assert not fresh.is_past_use_by and fresh.state_label == "Reconstituted, in use"


def test_session_form_asks_weight_for_children_and_off_label_consent_when_off_label(
    practitioner,
):
    from treatments.forms import SessionForm

    child = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=8 * 365))
    adult = PatientFactory()
    paediatric = start(child, practitioner, "spasticity-paed-ul", "botox")
    licensed = start(adult, practitioner, "chronic-migraine", "botox")
    off_label = start(adult, practitioner, "tmd-bruxism", "botox")

    def fields(session):
        return set(
            SessionForm(instance=session, **selectors.session_form_context(session=session)).fields
        )

    assert {"weight_kg", "weight_measured_on"} <= fields(paediatric)
    assert "weight_kg" not in fields(licensed) and "off_label_consent" not in fields(licensed)
    assert "off_label_consent" in fields(off_label)


def test_a_draft_without_a_vial_saves_and_signing_is_refused(practitioner, ready_patient):
    """No usable vial in stock: the draft saves (no vial's usage to read) and signing is
    refused with a reason, never an error."""
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.vial is None
    session = save(session, practitioner)
    assert not session.draws.exists()
    with pytest.raises((services.SigningRefused, ValidationError)):
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    session.refresh_from_db()
    assert not session.is_signed


def test_taking_the_vial_off_a_draft_deletes_its_draw(practitioner, ready_patient):
    session = start(ready_patient, practitioner, "chronic-migraine", "botox")
    session = save(session, practitioner)
    assert session.draws.count() == 1
    session = save(session, practitioner, vial=None, further_vials=[])
    assert session.vial is None
    assert not session.draws.exists()
