"""Create forms are idempotent and registrations serialised (issue 10, point 7): a
double-click, a resubmitted POST or two receptionists registering the same person at
the same moment never make two records, and a busy database never gives a 500."""

import re
import threading
import uuid
from datetime import date, timedelta

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from clinic.idempotency import BUSY_MESSAGE, REPLAYED_MESSAGE, UNCHECKED_SUBMISSION_MESSAGE
from clinic.models import SubmissionToken
from patients import services
from patients.models import IntakeQuestionnaire, Patient
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory, UserFactory, VialFactory
from tests.patients.test_views import form_data, questionnaire_data
from treatments.models import FollowUp, SideEffect, TreatmentSession, Vial

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')


def _token_from(response) -> str:
    match = TOKEN_INPUT.search(response.content.decode())
    assert match, "the form carries no one-time submission token"
    return match.group(1)


def _new_person(**overrides):
    return form_data(
        **{"nhs_number": "", "phone": "07700 900321", "family_name": "Quenby", **overrides}
    )


def test_registration_form_carries_a_fresh_token_each_time(reception_client):
    url = reverse("patients:register")
    first, second = (_token_from(reception_client.get(url)) for _ in range(2))
    assert first != second


def test_double_submitted_registration_makes_one_patient(reception_client):
    url = reverse("patients:register")
    token = _token_from(reception_client.get(url))
    data = {**_new_person(), "submission_token": token}

    first = reception_client.post(url, data)
    second = reception_client.post(url, data, follow=True)

    assert Patient.objects.filter(family_name="Quenby").count() == 1
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first["Location"]
    assert REPLAYED_MESSAGE in second.content.decode()


def test_a_token_replayed_by_someone_else_reveals_nothing(reception_client):
    url = reverse("patients:register")
    token = _token_from(reception_client.get(url))
    reception_client.post(url, {**_new_person(), "submission_token": token})
    other = client_for(UserFactory(username="rosa", role="Reception"))

    response = other.post(url, {**_new_person(), "submission_token": token})

    assert response.status_code == 200
    page = response.content.decode()
    assert UNCHECKED_SUBMISSION_MESSAGE in page
    assert 'value="Quenby"' in page  # everything typed kept
    assert _token_from(response) != token  # a fresh token: sending it again is a new form
    assert Patient.objects.filter(family_name="Quenby").count() == 1


def _said(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_an_unreadable_token_is_refused_with_the_form_kept_and_a_fresh_token(reception_client):
    """It came back silently with the same bad token (a hidden field's error shows
    nowhere), so pressing the button again could never work."""
    url = reverse("patients:register")

    response = reception_client.post(url, {**_new_person(), "submission_token": "not-a-token"})

    assert response.status_code == 200
    page = response.content.decode()
    assert UNCHECKED_SUBMISSION_MESSAGE in page
    assert 'value="Quenby"' in page
    assert "not-a-token" not in page
    assert not Patient.objects.filter(family_name="Quenby").exists()
    again = reception_client.post(url, {**_new_person(), "submission_token": _token_from(response)})
    assert again.status_code == 302
    assert Patient.objects.filter(family_name="Quenby").count() == 1


def test_an_unreadable_token_on_another_field_error_comes_back_fresh(reception_client):
    response = reception_client.post(
        reverse("patients:register"),
        {**_new_person(date_of_birth="31/02/1980"), "submission_token": "not-a-token"},
    )
    assert response.status_code == 200
    assert "not-a-token" not in response.content.decode()
    uuid.UUID(_token_from(response))


def test_an_unreadable_token_on_a_button_says_the_same(
    practitioner_client, practitioner, manager_client, manager, patient
):
    """The aftercare button and the subject access JSON button say what every form says."""
    from patients.models import SubjectAccessCopy, SubjectAccessRequest
    from tests.clinic.messaging_helpers import signed_session

    session = signed_session(PatientFactory(), practitioner)
    sent = practitioner_client.post(
        reverse("diary:aftercare_send", args=[session.public_id]), {"submission_token": "x"}
    )
    assert sent.status_code == 302
    assert _said(sent) == UNCHECKED_SUBMISSION_MESSAGE

    sar = SubjectAccessRequest.objects.create(
        patient=patient,
        received_on=timezone.localdate(),
        recorded_by=manager,
        identity_verified_on=timezone.localdate(),
    )
    copied = manager_client.post(
        reverse("patients:subject_access_json", args=[patient.public_id, sar.pk]),
        {"submission_token": "x"},
    )
    assert copied.status_code == 302
    assert _said(copied) == UNCHECKED_SUBMISSION_MESSAGE
    assert not SubjectAccessCopy.objects.filter(request=sar).exists()


def test_a_refused_submission_leaves_its_token_free(reception_client):
    """A form error rolls the claim back with everything else: fixing the form and
    sending it again with the same token registers the patient."""
    url = reverse("patients:register")
    token = _token_from(reception_client.get(url))
    bad = reception_client.post(
        url, {**_new_person(date_of_birth="31/02/1980"), "submission_token": token}
    )
    assert bad.status_code == 200
    assert not SubmissionToken.objects.filter(token=token).exists()

    good = reception_client.post(url, {**_new_person(), "submission_token": token})

    assert good.status_code == 302
    assert Patient.objects.filter(family_name="Quenby").count() == 1


def test_a_possible_duplicate_keeps_the_token_for_the_confirmation(reception_client):
    PatientFactory(family_name="Quenby", date_of_birth=date(1978, 3, 14))
    url = reverse("patients:register")
    token = _token_from(reception_client.get(url))
    warned = reception_client.post(url, {**_new_person(), "submission_token": token})
    assert "Possible" in warned.content.decode() or "possible" in warned.content.decode()
    assert _token_from(warned) == token

    confirmed = {**_new_person(), "submission_token": token, "confirm_not_duplicate": "on"}
    reception_client.post(url, confirmed)
    reception_client.post(url, confirmed)

    assert Patient.objects.filter(family_name="Quenby").count() == 2  # the old and the new


def test_a_busy_database_asks_to_try_again_and_keeps_the_input(reception_client, monkeypatch):
    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "patient_register", busy)
    response = reception_client.post(reverse("patients:register"), _new_person())

    assert response.status_code == 200
    page = response.content.decode()
    assert BUSY_MESSAGE.split(":")[0] in page.replace("&#x27;", "'")
    assert 'value="Quenby"' in page


# Every create form: the same POST twice makes one record -------------------------------


def _create_forms(patient, practitioner):
    """(who, URL, form data without token, how to count what the form creates)."""
    from treatments.models import Indication, Product

    TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        signed=True,
        signed_at=timezone.now(),
        performed_at=timezone.now() - timedelta(days=3),
    )
    return [
        (
            "reception",
            reverse("patients:questionnaire_new", args=[patient.public_id]),
            questionnaire_data(),
            lambda: IntakeQuestionnaire.objects.filter(patient=patient).count(),
        ),
        (
            "reception",
            reverse("treatments:side_effect_new", args=[patient.public_id]),
            {
                "description": "Left eyelid drooping",
                "onset_date": timezone.localdate().strftime("%d/%m/%Y"),
                "reporter": "patient",
                "reporter_name": "",
            },
            lambda: SideEffect.objects.filter(session__patient=patient).count(),
        ),
        (
            "reception",
            reverse("treatments:vial_receive"),
            {
                "product": Product.objects.get(slug="botox").pk,
                "presentation_units": "100",
                "lot": "DBLCLICK1",
                "expiry": "31/12/2030",
                "quantity": "1",  # issue 13.13: a receipt of several vials, counted once
                "supplier": "Alliance Healthcare",
                "delivery_note": "DN1",
                "received_on": timezone.localdate().strftime("%d/%m/%Y"),
            },
            lambda: Vial.objects.filter(lot="DBLCLICK1").count(),
        ),
        (
            "practitioner",
            reverse("treatments:session_new", args=[patient.public_id]),
            {
                "indication": Indication.objects.get(slug="glabellar-lines").pk,
                "product": Product.objects.get(slug="botox").pk,
            },
            lambda: TreatmentSession.objects.filter(patient=patient).count(),
        ),
        (
            "practitioner",
            reverse("treatments:task_new", args=[patient.public_id]),
            {"kind": "review-call", "title": "Call back", "due_on": _in_a_month()},
            lambda: FollowUp.objects.filter(patient=patient, title="Call back").count(),
        ),
    ]


def test_every_create_form_is_idempotent(patient, reception_client, practitioner):
    clients = {"reception": reception_client, "practitioner": client_for(practitioner)}
    VialFactory()  # stock exists for the session form
    for who, url, data, count in _create_forms(patient, practitioner):
        client = clients[who]
        before = count()
        token = _token_from(client.get(url))
        first = client.post(url, {**data, "submission_token": token})
        assert first.status_code == 302, (url, first.content.decode()[:2000])
        second = client.post(url, {**data, "submission_token": token})
        assert second.status_code == 302
        assert second["Location"] == first["Location"], url
        assert count() == before + 1, url


# Concurrency on PostgreSQL: real transactions in threads --------------------------------


def _person(**fields) -> dict:
    """A registration's fields as the form hands them to the service (no NHS number)."""
    from patients.forms import RegisterPatientForm

    form = RegisterPatientForm(_new_person(family_name=fields["family_name"]), show_nhs_number=True)
    assert form.is_valid(), form.errors
    data = dict(form.cleaned_data)
    for name in ("confirm_not_duplicate", "submission_token"):
        data.pop(name)
    return {**data, **fields}


def _in_threads(*targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a thread outlived its test (it would hold a connection)"
    return results


def _in_a_month() -> str:
    """A task's due date the task form takes (a year back to two years ahead)."""
    return f"{timezone.localdate() + timedelta(days=30):%d/%m/%Y}"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_two_receptionists_registering_the_same_person_make_one_record(round_):
    first, second = (UserFactory(username=f"desk{n}", role="Reception") for n in (1, 2))
    person = _person(family_name=f"Ravenscroft-{'abcde'[round_]}", date_of_birth=date(1969, 7, 1))

    def register(user):
        return lambda: services.patient_register(registered_by=user, **person)

    results = _in_threads(register(first), register(second))

    assert Patient.objects.filter(family_name=person["family_name"]).count() == 1, results
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Patient", "PossibleDuplicate"], results


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_receptionists_registering_one_person_spelt_two_ways_make_one_record(round_):
    """The registrations' lock is the date of birth's, what the duplicate check reads: a
    surname mistyped at one desk (Ravenscoft) still waits for the other's Ravenscroft."""
    first, second = (UserFactory(username=f"desk{n}", role="Reception") for n in (1, 2))
    born = date(1969, 7, 2 + round_)
    spellings = [f"Ravenscroft{'abc'[round_]}", f"Ravenscoft{'abc'[round_]}"]
    people = [
        _person(family_name=name, date_of_birth=born, phone=f"0770090{n}{round_}00")
        for n, name in enumerate(spellings)
    ]

    def register(user, person):
        return lambda: services.patient_register(registered_by=user, **person)

    results = _in_threads(register(first, people[0]), register(second, people[1]))

    assert Patient.objects.filter(date_of_birth=born).count() == 1, results
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Patient", "PossibleDuplicate"], results


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_click_makes_one_record():
    from clinic.idempotency import run_once

    user = UserFactory(username="desk", role="Reception")
    token = uuid.uuid4()

    def click():
        def perform():
            patient = services.patient_register(
                registered_by=user, **_person(family_name="Fenwick", date_of_birth=date(1990, 1, 2))
            )
            return patient.get_absolute_url()

        return run_once(token=token, user=user, perform=perform)

    results = _in_threads(click, click)

    assert all(not isinstance(r, Exception) for r in results), results
    assert Patient.objects.filter(family_name="Fenwick").count() == 1
    assert all(not isinstance(r, Exception) for r in results), results
    assert results[0].url == results[1].url
    assert sorted(r.replayed for r in results) == [False, True]


# The typographic apostrophe (U+2019) is the point of the third case: phones type it.
@pytest.mark.parametrize(
    "typed", ["OBrien Whitfield", "o'brien-whitfield", "O\u2019Brien Whitfield"]
)
def test_the_duplicate_check_compares_surnames_as_people_write_them(reception, typed):
    """The check and the registration lock share one normalisation (patients.names)."""
    PatientFactory(family_name="O'Brien-Whitfield", date_of_birth=date(1975, 5, 9))
    with pytest.raises(services.PossibleDuplicate) as caught:
        services.patient_register(
            registered_by=reception,
            **_person(family_name=typed, date_of_birth=date(1975, 5, 9), phone="07700 900555"),
        )
    assert [p.family_name for p in caught.value.matches] == ["O'Brien-Whitfield"]


def _start_in_statement(user, patient, token, public_id):
    """A session start as its view runs it: the token's claim in the session's statement
    (clinic.idempotency.run_once(in_statement=True))."""
    from clinic.idempotency import run_once
    from treatments.models import Indication, Product
    from treatments.services import session_start

    url = f"/sessions/{public_id}/edit/"

    def perform(claim):
        started = session_start(
            patient=patient,
            practitioner=user,
            indication=Indication.objects.get(slug="glabellar-lines"),
            product=Product.objects.get(slug="botox"),
            public_id=public_id,
            claim=claim,
        )
        return url if started else None

    return lambda: run_once(
        token=token, user=user, perform=perform, result_url=url, in_statement=True
    )


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the reference data
@pytest.mark.parametrize("round_", range(3))
def test_a_concurrent_double_click_on_start_session_makes_one_session(round_):
    """The claim rides in the session's own statement (no transaction around it): the
    second click waits for the first's claim, writes nothing and is sent to its result."""
    user = UserFactory(username=f"prac{round_}", role="Practitioner")
    patient = PatientFactory(registered_by=user)
    token = uuid.uuid4()
    first, second = uuid.uuid4(), uuid.uuid4()  # each request chooses its own public id

    results = _in_threads(
        _start_in_statement(user, patient, token, first),
        _start_in_statement(user, patient, token, second),
    )

    assert all(not isinstance(r, Exception) for r in results), results
    sessions = list(TreatmentSession.objects.filter(patient=patient))
    assert len(sessions) == 1
    assert results[0].url == results[1].url == f"/sessions/{sessions[0].public_id}/edit/"
    assert sorted(r.replayed for r in results) == [False, True]


def test_a_start_sessions_token_of_another_user_starts_nothing_and_reveals_nothing(patient):
    from clinic.idempotency import TokenUsedElsewhere

    token = uuid.uuid4()
    one, other = (UserFactory(role="Practitioner") for _ in range(2))
    assert not _start_in_statement(one, patient, token, uuid.uuid4())().replayed
    with pytest.raises(TokenUsedElsewhere):
        _start_in_statement(other, patient, token, uuid.uuid4())()
    assert TreatmentSession.objects.filter(patient=patient).count() == 1
