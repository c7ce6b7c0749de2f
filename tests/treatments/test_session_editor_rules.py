"""The session editor's clinical fields (issue 13): the prescriber's face-to-face
assessment (rule 34), the age check (rule 29), the top-up link (rule 20), no default side
for a new point, and the diary's booking check reading a recorded assessment."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.checks import booking_checks
from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from tests.treatments.administration_flow import editor_data, post_form, save_data, sign_data
from treatments import selectors
from treatments.forms import PointForm
from treatments.models import AnatomicalSite, Indication, PrescriberAssessment, Product

pytestmark = pytest.mark.django_db


def cosmetic_draft(patient, practitioner):
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=Indication.objects.get(slug="glabellar-lines"),
        product=Product.objects.get(slug="botox"),
    )
    InjectionPointFactory(session=session)
    return session


def codes(session) -> set[str]:
    return {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}


def test_practitioner_records_a_face_to_face_assessment_from_the_patient_page(
    practitioner_client, practitioner, patient
):
    page = practitioner_client.get(patient.get_absolute_url()).content.decode()
    assert reverse("treatments:prescriber_assessment_new", args=[patient.public_id]) in page
    url = reverse("treatments:prescriber_assessment_new", args=[patient.public_id])
    form = practitioner_client.get(url).context["form"]
    response = practitioner_client.post(
        url,
        {
            "prescriber": practitioner.pk,
            "assessed_on": timezone.localdate().strftime("%d/%m/%Y"),
            "notes": "Dynamic glabellar lines; realistic expectations",
            "submission_token": form["submission_token"].value(),
        },
    )
    assert response.status_code == 302
    assessment = PrescriberAssessment.objects.get(patient=patient)
    assert assessment.prescriber == practitioner and assessment.recorded_by == practitioner


def test_reception_cannot_record_an_assessment(reception_client, patient):
    url = reverse("treatments:prescriber_assessment_new", args=[patient.public_id])
    assert reception_client.get(url).status_code == 403


def test_a_first_cosmetic_session_blocks_without_an_assessment_and_shows_it_once_recorded(
    practitioner_client, practitioner, patient
):
    session = cosmetic_draft(patient, practitioner)
    assert "prescriber.assessment_missing" in codes(session)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert "No prescriber's face-to-face assessment recorded" in page
    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    assert "prescriber.assessment_missing" not in codes(session)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert "Seen face to face by" in page


def test_the_diary_accepts_a_recorded_assessment_for_a_first_cosmetic_booking(practitioner):
    from clinic.diary.models import AppointmentType

    patient = PatientFactory()
    glabellar = AppointmentType.objects.get(slug="glabellar-treatment")
    on = timezone.localdate() + timedelta(days=2)
    checks = booking_checks(
        patient=patient, appointment_type=glabellar, indication=None, product=None, on=on
    )
    assert "cosmetic.no_consultation" in {c.code for c in checks}
    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    checks = booking_checks(
        patient=patient, appointment_type=glabellar, indication=None, product=None, on=on
    )
    assert "cosmetic.no_consultation" not in {c.code for c in checks}


def test_the_age_check_is_recorded_with_who_verified(practitioner, patient):
    from tests.treatments.session_helpers import save

    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    session = cosmetic_draft(patient, practitioner)
    session = save(session, practitioner, looks_young=True)
    assert "age.verification_missing" in codes(session)
    session = save(session, practitioner, looks_young=True, age_evidence_seen="UK passport")
    session.refresh_from_db()
    assert session.age_verified_by == practitioner
    assert "age.verification_missing" not in codes(session)


def test_the_editor_offers_sessions_of_the_last_14_days_as_the_top_up_index(
    practitioner_client, practitioner, patient
):
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    now = timezone.now()

    def signed(days_ago):
        return TreatmentSessionFactory(
            patient=patient,
            practitioner=practitioner,
            indication=Indication.objects.get(slug="cervical-dystonia"),
            performed_at=now - timedelta(days=days_ago),
            signed=True,
            points=1,
            points__units=Decimal(50),
        )

    index, old = signed(10), signed(20)
    draft = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=Indication.objects.get(slug="cervical-dystonia"),
        vial=VialFactory(received_by=practitioner),
    )
    InjectionPointFactory(session=draft)
    form = practitioner_client.get(f"/sessions/{draft.public_id}/edit/").context["form"]
    offered = [s.pk for s in form.fields["top_up_of"].queryset]
    assert offered == [index.pk] and old.pk not in offered
    assert "interval.top_up" in codes(draft)  # asks for the link
    # Through the editor as the browser submits it: the page offered the link, so the
    # submission carries the field and the candidates are read to check it.
    edit = f"/sessions/{draft.public_id}/edit/"
    data = save_data(practitioner_client, draft)
    assert "top_up_of" in data
    data.update(top_up_of=old.pk, top_up_reason="Weak response at review")
    page = post_form(practitioner_client, edit, data)
    assert page.status_code == 200
    assert "Only a signed session of the same indication" in page.content.decode()
    draft.refresh_from_db()
    assert draft.top_up_of_id is None
    data["top_up_of"] = index.pk
    assert post_form(practitioner_client, edit, data).status_code == 302
    draft.refresh_from_db()
    assert draft.top_up_of == index and draft.top_up_reason == "Weak response at review"
    draft.top_up_of = index
    draft.top_up_reason = "Weak response at review"
    draft.save()
    finding = next(
        f
        for f in selectors.safety_inputs_for_session(session=draft).evaluate()
        if f.code == "interval.top_up"
    )
    assert finding.level == "warn" and "Top-up of the session on" in finding.message


def test_a_new_point_has_no_default_side():
    form = PointForm(data={"site": "", "units": "5", "points": "1"})
    assert form["side"].value() in (None, "")
    assert not form.is_valid() and "side" in form.errors


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        ({"units": "-5"}, {"units": ["Units must be more than 0."]}),
        ({"units": "0"}, {"units": ["Units must be more than 0."]}),
        ({"volume_ml": "-0.1"}, {"volume_ml": ["Volume must be more than 0 mL."]}),
        ({"units": "-5", "volume_ml": "0.1"}, {"units": ["Units must be more than 0."]}),
        ({}, {"units": ["Enter the units or the volume."]}),
    ],
)
def test_a_dose_of_nothing_is_refused_in_the_clinic_s_words(typed, errors):
    """A mistyped dose is named as such, once, on the field that holds it (the page's
    script empties the other field rather than working out a negative volume)."""
    site = AnatomicalSite.objects.first()
    form = PointForm(data={"site": site.pk, "side": "left", "points": "1", **typed})
    assert not form.is_valid()
    assert form.errors == errors


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"urinary_infection": "yes"}, {"bladder.uti"}),
        ({"urinary_retention": "yes"}, {"bladder.retention_screening"}),
        ({"urinary_retention": "yes", "can_self_catheterise": "yes"}, set()),
    ],
)
def test_bladder_screening_reads_uti_and_retention_separately(
    practitioner, patient, answers, expected
):
    """Issue 13.3: the questionnaire asks UTI and retention separately and its "performs
    self-catheterisation" answer is read: a CIC patient is not blocked for retention."""
    QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=1),
        **answers,
    )
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=Indication.objects.get(slug="oab"),
        pvr_ml=80,
        antibiotic_prophylaxis=True,
    )
    InjectionPointFactory(session=session)
    found = {c for c in codes(session) if c in {"bladder.uti", "bladder.retention_screening"}}
    assert found == expected


def test_the_editor_speaks_to_staff_not_in_model_names(practitioner_client, practitioner):
    """Issue 13.19, words not codes: the vial field's help was the model's developer note
    ("further vials are SessionVial rows")."""
    draft = cosmetic_draft(PatientFactory(), practitioner)
    page = practitioner_client.get(f"/sessions/{draft.public_id}/edit/").content.decode()
    assert "SessionVial" not in page
    assert "The vial the dose is drawn from (the only one in stock that can be used)" in page


def test_a_refused_sign_offers_the_top_up_link_its_new_date_calls_for(
    practitioner_client, practitioner, patient
):
    """The page offered no top-up (nothing in the window before today); the practitioner
    moves the date into the window of a signed session and signs. Rule 20 refuses, and the
    page shown again offers that session as the top-up index (the draft was saved with its
    new date on the way)."""
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    now = timezone.now()
    dystonia = Indication.objects.get(slug="cervical-dystonia")
    earlier = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=dystonia,
        performed_at=now - timedelta(days=20),
        signed=True,
        points=1,
        points__units=Decimal(50),
    )
    draft = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=dystonia,
        vial=VialFactory(received_by=practitioner),
    )
    InjectionPointFactory(session=draft)
    data = sign_data(practitioner_client, draft)
    assert "top_up_of" not in data  # nothing to offer on today's date
    moved = timezone.localtime(now - timedelta(days=10))
    data["performed_at"] = moved.strftime("%d/%m/%Y %H:%M")
    page = post_form(practitioner_client, f"/sessions/{draft.public_id}/edit/", data)
    assert page.status_code == 200 and page.context["refused"]
    assert "interval.top_up" in {f.code for f in page.context["findings"]}
    form = page.context["form"]
    assert [s.pk for s in form.fields["top_up_of"].queryset] == [earlier.pk]
    assert 'name="top_up_of"' in page.content.decode()


def test_the_live_check_counts_a_point_typed_in_ml_as_signing_will(
    practitioner_client, practitioner
):
    """Rule 6 in the live check: a point where only the volume was typed counts as the
    units saving works out at the vial's dilution, so the findings and total shown while
    filling in are those signing will see (review 04/12: 3 mL into the SCM showed 0 U)."""
    patient = PatientFactory()
    QuestionnaireFactory(patient=patient)
    vial = VialFactory(received_by=practitioner)  # 100 U in 2 mL: 50 U/mL
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        vial=vial,
        indication=Indication.objects.get(slug="cervical-dystonia"),
        product=Product.objects.get(slug="botox"),
    )
    InjectionPointFactory(
        session=session,
        site=AnatomicalSite.objects.get(slug="sternocleidomastoid"),
        side="left",
        units=Decimal("20"),
        volume_ml=Decimal("0.4"),
    )
    data = editor_data(practitioner_client, session)
    data["points-0-units"] = ""
    data["points-0-volume_ml"] = "3"  # 3 mL x 50 U/mL = 150 U into one SCM point
    check = post_form(
        practitioner_client,
        f"/sessions/{session.public_id}/check/",
        data,
        HTTP_HX_REQUEST="true",
    )
    assert check.status_code == 200
    live = {f.code for f in check.context["findings"]}
    live_total = check.context["totals"]

    data["action"] = "save"
    post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    session.refresh_from_db()
    assert [p.units for p in session.points.all()] == [Decimal("150.00")]
    signing = {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}

    assert "dose-botox-cd-scm" in live
    assert live == signing
    saved = selectors.point_facts_from_points(selectors.session_points(session=session))
    assert live_total == selectors.point_totals(saved)
