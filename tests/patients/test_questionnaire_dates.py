"""The questionnaire's dates (when it was answered, when a prior toxin treatment was
given): within the app's range, not before the patient was born, not in the future; a
refusal is a form error with the answers kept."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import IntakeQuestionnaire
from tests import clock
from tests.factories import PatientFactory
from tests.patients.test_views import questionnaire_data

TODAY = timezone.localdate()
# TODAY is read at import (the parametrised "tomorrow") and the form reads the clock: midday
# that day whenever the run gets here (a run started at 23:59 got here after midnight, when
# "tomorrow" was today and accepted).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]

BORN = date(1980, 6, 15)


def post(client, patient, **overrides):
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    return client.post(url, questionnaire_data(current_medications="Sertraline", **overrides))


def with_prior(treated_on: str) -> dict:
    return {
        "toxin_in_last_4_months": "True",
        "prior-0-treated_on": treated_on,
        "prior-0-product_other": "Azzalure",
        "prior-0-units": "50",
    }


CASES = [
    ("01/01/0001", "Please check the year: enter a date between 01/01/1900"),
    ("01/01/1000", "Please check the year: enter a date between 01/01/1900"),
    ("14/06/1980", "cannot be before the patient was born (15/06/1980)"),
    (
        (TODAY + timedelta(days=1)).strftime("%d/%m/%Y"),
        "cannot be in the future",
    ),
]


@pytest.mark.parametrize(("typed", "error"), CASES)
def test_the_date_answered_is_checked(reception_client, typed, error):
    patient = PatientFactory(date_of_birth=BORN)
    response = post(reception_client, patient, completed_on=typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html and "Sertraline" in html
    assert not IntakeQuestionnaire.objects.exists()


@pytest.mark.parametrize(("typed", "error"), CASES)
def test_a_prior_treatment_s_date_is_checked(reception_client, typed, error):
    patient = PatientFactory(date_of_birth=BORN)
    response = post(reception_client, patient, **with_prior(typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html and "Azzalure" in html
    assert not IntakeQuestionnaire.objects.exists()


def test_dates_on_and_after_the_birthday_are_saved(reception_client):
    patient = PatientFactory(date_of_birth=BORN)
    response = post(
        reception_client,
        patient,
        completed_on=timezone.localdate().strftime("%d/%m/%Y"),
        **with_prior("15/06/1980"),
    )
    assert response.status_code == 302
    assert IntakeQuestionnaire.objects.get().prior_treatments.get().treated_on == BORN


def test_every_answer_is_a_bootstrap_radio_sized_for_a_finger(reception_client):
    """Browser review (07/12/2026): the questionnaire's Yes/No were bare 13 px radios on an
    iPad. Each is Bootstrap's box (form-check-input, 24 px under a finger in app.css)."""
    patient = PatientFactory()
    page = reception_client.get(reverse("patients:questionnaire_new", args=[patient.public_id]))
    radios = [
        tag for tag in page.content.decode().split("<input")[1:] if 'type="radio"' in tag[:200]
    ]
    assert len(radios) > 20
    assert all('class="form-check-input"' in tag.split(">", 1)[0] for tag in radios)
