"""What a side-effect form does with a mistake: the practitioner's form shows every problem
in one round (the form's own and the service's rules), the Yellow Card decision form is
shown again with what was typed and its errors (it redirected and lost it), and the dates
of a report are checked: the app's date range, not before the patient's birth, not in the
future."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.inputs import DATE_OUT_OF_RANGE
from tests import clock
from tests.factories import PatientFactory, SideEffectFactory
from tests.treatments.side_effect_helpers import (
    TODAY,
    practitioner_report,
    review_data,
    review_fields,
    signed_session,
)
from treatments import services
from treatments.models import SideEffect

# TODAY is read at import (a parametrised "tomorrow" among them) and the forms read the
# clock: midday that day whenever the run gets here (a run started at 23:59 got here after
# midnight, when "tomorrow" was today).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]

TOO_EARLY = TOO_LATE = DATE_OUT_OF_RANGE  # the app's one message (clinic.inputs)


# --- Every problem at once -------------------------------------------------------------

# Four problems, each true from the start: the first a form error, the other three the
# service's rules (they came back only once the first was put right: browser review).
FOUR_PROBLEMS = {
    "serious": "Tick the seriousness criteria that apply.",
    "onset_date": "a reaction to it cannot start before then.",
    "resolution_date": "“Recovered” needs the date it resolved; if it has not, choose Recovering.",
    "yellow_card_reference": "Give the Yellow Card reference the MHRA sent.",
}


def _four_problems() -> dict:
    return {
        "serious": "yes",  # no criterion ticked
        "onset_date": (TODAY - timedelta(days=30)).strftime("%d/%m/%Y"),  # before the session
        "outcome": "recovered",
        "resolution_date": "",
        "regulator_decision": "reported",
        "yellow_card_reference": "",
        "description": "Typed on the phone with the patient",
    }


def _assert_all_four_shown(response, session):
    assert response.status_code == 200
    page = response.content.decode()
    errors = response.context["form"].errors
    for field, message in FOUR_PROBLEMS.items():
        assert any(message in e for e in errors[field]), (field, errors)
        assert message in page, field
    treated_on = timezone.localdate(session.performed_at)
    assert f"The suspected session was on {treated_on:%d/%m/%Y}" in page
    assert "Typed on the phone with the patient" in page


def test_a_new_report_shows_every_problem_in_one_round(practitioner_client, practitioner, patient):
    session = signed_session(patient, practitioner)
    response = practitioner_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        practitioner_report(session, **_four_problems()),
    )
    _assert_all_four_shown(response, session)
    assert not SideEffect.objects.exists()


def test_a_review_shows_every_problem_in_one_round(practitioner_client, practitioner, patient):
    session = signed_session(patient, practitioner)
    se = SideEffectFactory(patient=patient, session=session)
    url = f"/side-effects/{se.public_id}/review/"
    data = review_data(practitioner_client, url, **_four_problems())
    for name in services.SERIOUSNESS_FIELDS:
        data.pop(name, None)
    response = practitioner_client.post(url, data)
    _assert_all_four_shown(response, session)
    se.refresh_from_db()
    assert se.version == 1 and se.description != "Typed on the phone with the patient"


def test_a_field_refused_as_typed_keeps_its_own_message(practitioner_client, practitioner, patient):
    """A resolution date the form cannot read is not also told it is missing."""
    session = signed_session(patient, practitioner)
    response = practitioner_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        practitioner_report(session, resolution_date="31/02/2024", regulator_decision="reported"),
    )
    errors = response.context["form"].errors
    [unreadable] = errors["resolution_date"]  # not also "“Recovered” needs the date ..."
    assert unreadable.startswith("Enter a real date")
    assert errors["yellow_card_reference"] == ["Give the Yellow Card reference the MHRA sent."]
    assert not SideEffect.objects.exists()


def test_the_service_refuses_with_the_same_rules_all_at_once(practitioner, patient):
    """Any caller, not only the form: the service is the final guard, with every problem."""
    session = signed_session(patient, practitioner)
    with pytest.raises(ValidationError) as refused:
        services.side_effect_record(
            patient=patient,
            recorded_by=practitioner,
            decision={"decision": "reported", "reference": "", "reason": ""},
            **review_fields(
                session,
                onset_date=TODAY - timedelta(days=30),
                outcome="recovered",
                severity=4,
            ),
        )
    assert set(refused.value.message_dict) == {
        "onset_date",
        "resolution_date",
        "yellow_card_reference",
        "serious_life_threatening",
    }
    assert not SideEffect.objects.exists()


# --- The Yellow Card decision form keeps what was typed ---------------------------------


def test_a_decision_without_its_reference_is_shown_again_as_typed(practitioner_client):
    se = SideEffectFactory()
    response = practitioner_client.post(
        f"/side-effects/{se.public_id}/decision/",
        {"regulator_decision": "reported", "not_reported_reason": "Typed by hand", "version": 1},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Give the Yellow Card reference the MHRA sent.") == 2  # message, field
    assert 'value="Typed by hand"' in page
    form = response.context["decision_form"]
    assert form.data["regulator_decision"] == "reported"
    assert form.errors["yellow_card_reference"] == ["Give the Yellow Card reference the MHRA sent."]
    se.refresh_from_db()
    assert (se.regulator_decision, se.version) == ("", 1)
    # Completed, it is recorded.
    response = practitioner_client.post(
        f"/side-effects/{se.public_id}/decision/",
        {"regulator_decision": "reported", "yellow_card_reference": "YC-77", "version": 1},
    )
    assert response.status_code == 302
    se.refresh_from_db()
    assert (se.regulator_decision, se.yellow_card_reference) == ("reported", "YC-77")


def test_a_decision_not_chosen_is_shown_again_as_typed(practitioner_client):
    se = SideEffectFactory()
    response = practitioner_client.post(
        f"/side-effects/{se.public_id}/decision/",
        {"yellow_card_reference": "YC-TYPED", "version": 1},
    )
    assert response.status_code == 200
    assert 'value="YC-TYPED"' in response.content.decode()
    assert "regulator_decision" in response.context["decision_form"].errors
    se.refresh_from_db()
    assert se.version == 1


# --- Dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("onset", "message"),
    [
        ("01/01/0001", TOO_EARLY),
        ("31/12/1899", TOO_EARLY),
        ("31/12/9999", TOO_LATE),
        ((TODAY + timedelta(days=1)).strftime("%d/%m/%Y"), "cannot be in the future"),
    ],
)
def test_a_phoned_report_refuses_an_onset_out_of_range(reception_client, patient, onset, message):
    response = reception_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        {"description": "rash on neck", "onset_date": onset, "reporter": "patient"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "rash on neck" in page
    assert not SideEffect.objects.exists()


def test_a_phoned_report_shows_every_problem_in_one_round(reception_client):
    """The caller's name was asked for first; the onset before birth only once it was given."""
    patient = PatientFactory(date_of_birth=date(1990, 6, 15))
    response = reception_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        {"description": "rash on neck", "onset_date": "14/06/1990", "reporter": "other"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reporter_name"] == ["Say who phoned."]
    assert errors["onset_date"] == [
        "The onset date cannot be before the patient was born (15/06/1990). Please check the year."
    ]
    assert "rash on neck" in response.content.decode()
    assert not SideEffect.objects.exists()


def test_a_phoned_report_refuses_an_onset_before_the_patient_was_born(reception_client):
    patient = PatientFactory(date_of_birth=date(1990, 6, 15))
    response = reception_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        {"description": "rash on neck", "onset_date": "14/06/1990", "reporter": "patient"},
    )
    assert response.status_code == 200
    assert (
        "The onset date cannot be before the patient was born (15/06/1990). Please check the year."
        in response.content.decode()
    )
    assert not SideEffect.objects.exists()
    # The day of birth itself is a date the reaction could start (nothing else refuses it).
    response = reception_client.post(
        f"/patients/{patient.public_id}/side-effects/new/",
        {"description": "rash on neck", "onset_date": "15/06/1990", "reporter": "patient"},
    )
    assert response.status_code == 302 and SideEffect.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"onset_date": "01/01/0001"}, "onset_date", TOO_EARLY),
        ({"resolution_date": "31/12/9999"}, "resolution_date", TOO_LATE),
        ({"resolution_date": "01/01/0001"}, "resolution_date", TOO_EARLY),
    ],
)
def test_the_practitioners_form_refuses_dates_out_of_range(
    practitioner_client, practitioner, patient, changes, field, message
):
    session = signed_session(patient, practitioner)
    response = practitioner_client.post(
        f"/patients/{patient.public_id}/side-effects/new/", practitioner_report(session, **changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not SideEffect.objects.exists()


def test_a_review_refuses_an_onset_before_the_patient_was_born(practitioner):
    se = SideEffectFactory()
    born = se.patient.date_of_birth
    with pytest.raises(ValidationError) as refused:
        services.side_effect_review(
            side_effect=se,
            reviewed_by=practitioner,
            expected_version=1,
            **review_fields(None, onset_date=born - timedelta(days=1)),
        )
    assert refused.value.message_dict["onset_date"] == [
        f"The onset date cannot be before the patient was born ({born:%d/%m/%Y})."
        " Please check the year."
    ]
