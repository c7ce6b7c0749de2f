"""The outcomes page and the form that records a score: who may use them, what they show,
and that a bad value is a form error with the input kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OutcomeAssessmentFactory
from treatments.models import Indication, OutcomeAssessment, OutcomeInstrument

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(patient, suffix=""):
    return f"/patients/{patient.public_id}/outcomes/{suffix}"


def form_data(**overrides):
    return {
        "indication": Indication.objects.get(slug="chronic-migraine").pk,
        "instrument": OutcomeInstrument.objects.get(slug="headache-days").pk,
        "value": "18",
        "assessed_on": TODAY.strftime("%d/%m/%Y"),
        "is_baseline": "on",
    } | overrides


def test_practitioner_sees_the_chart_and_its_data(practitioner_client, patient):
    OutcomeAssessmentFactory(
        patient=patient, value=18, assessed_on=TODAY - timedelta(days=60), is_baseline=True
    )
    OutcomeAssessmentFactory(patient=patient, value=9, assessed_on=TODAY)
    response = practitioner_client.get(url(patient))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome-chart="outcome-data-chronic-migraine-headache-days"' in html
    assert '<script id="outcome-data-chronic-migraine-headache-days" type="application/json">' in (
        html
    )
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'data-responder="good"' in html
    assert "≥50% better" in html


def test_chart_script_only_on_the_outcomes_page(practitioner_client, patient):
    html = practitioner_client.get(patient.get_absolute_url()).content.decode()
    assert "chart.umd.min.js" not in html
    assert url(patient) in html  # the "Outcomes" link


def test_reception_may_not_see_or_record_outcomes(reception_client, patient):
    assert reception_client.get(url(patient)).status_code == 403
    assert reception_client.get(url(patient, "new/")).status_code == 403
    assert reception_client.post(url(patient, "new/"), form_data()).status_code == 403
    assert url(patient) not in reception_client.get(patient.get_absolute_url()).content.decode()
    assert not OutcomeAssessment.objects.exists()


def test_manager_sees_outcomes_only_in_aggregate(manager_client, patient):
    """DOMAIN §7.3: managers see outcome scores in aggregate (the dashboard's responder
    rates), never a patient's own scores (issue 10, role matrix reviewed)."""
    assert manager_client.get(url(patient)).status_code == 403
    assert manager_client.get(url(patient, "new/")).status_code == 403


def test_practitioner_records_a_score(practitioner_client, practitioner, patient):
    response = practitioner_client.post(url(patient, "new/"), form_data())
    assert response.status_code == 302
    assert response["Location"] == url(patient)
    assessment = OutcomeAssessment.objects.get()
    assert (assessment.value, assessment.is_baseline, assessment.recorded_by) == (
        18,
        True,
        practitioner,
    )


def test_out_of_range_value_is_a_form_error_with_input_kept(practitioner_client, patient):
    response = practitioner_client.post(url(patient, "new/"), form_data(value="45"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Headache days per month must be 0 to 31 days/month." in html
    assert 'value="45"' in html
    assert not OutcomeAssessment.objects.exists()


def test_measure_of_another_indication_is_a_form_error(practitioner_client, patient):
    twstrs = OutcomeInstrument.objects.get(slug="twstrs").pk
    response = practitioner_client.post(url(patient, "new/"), form_data(instrument=twstrs))
    assert response.status_code == 200
    assert "Not an outcome measure for Chronic migraine prophylaxis." in (response.content.decode())


def test_future_date_is_a_form_error(practitioner_client, patient):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = practitioner_client.post(url(patient, "new/"), form_data(assessed_on=tomorrow))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()


def test_the_same_form_sent_twice_records_one_score(practitioner_client, patient):
    """A double-click or a resubmitted POST: one assessment, and the replay goes where the
    first went."""
    page = practitioner_client.get(url(patient, "new/"))
    token = page.context["form"]["submission_token"].value()
    assert f'value="{token}"' in page.content.decode()  # the page carries the token
    data = form_data(submission_token=token)
    first = practitioner_client.post(url(patient, "new/"), data)
    again = practitioner_client.post(url(patient, "new/"), data, follow=True)
    assert first.status_code == 302 and first["Location"] == url(patient)
    assert again.redirect_chain[-1][0] == url(patient)
    assert "already been sent" in again.content.decode()
    assert OutcomeAssessment.objects.count() == 1


@pytest.mark.parametrize("typed", ["01/01/0001", "01/01/1000"])
def test_an_implausible_year_is_a_form_error(practitioner_client, patient, typed):
    response = practitioner_client.post(url(patient, "new/"), form_data(assessed_on=typed))
    assert response.status_code == 200
    assert "Please check the year" in response.content.decode()
    assert not OutcomeAssessment.objects.exists()


def test_a_date_before_the_patient_was_born_is_a_form_error(practitioner_client, patient):
    before = (patient.date_of_birth - timedelta(days=1)).strftime("%d/%m/%Y")
    response = practitioner_client.post(url(patient, "new/"), form_data(assessed_on=before))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The assessment date cannot be before the patient was born" in html
    assert not OutcomeAssessment.objects.exists()


def test_a_patient_treated_for_one_indication_has_it_chosen(practitioner_client, patient):
    """Practitioner review (07/12/2026): the form chose nothing for a patient treated for
    chronic migraine only. The session is left to choose (a baseline belongs to none)."""
    from tests.factories import TreatmentSessionFactory

    blank = practitioner_client.get(url(patient, "new/")).context["form"]
    assert blank["indication"].value() is None
    migraine = Indication.objects.get(slug="chronic-migraine")
    TreatmentSessionFactory(patient=patient, indication=migraine, signed=True)
    form = practitioner_client.get(url(patient, "new/")).context["form"]
    assert form["indication"].value() == migraine.pk
    assert form["session"].value() is None
    other = Indication.objects.get(slug="cervical-dystonia")
    TreatmentSessionFactory(patient=patient, indication=other, signed=True)
    assert (
        practitioner_client.get(url(patient, "new/")).context["form"]["indication"].value() is None
    )
