"""The registration POST in few statements (issue 14.3): the database's unique and check
constraints are not re-checked in Python before the INSERT (full_clean's SELECTs); a
taken NHS number still gives the same form error, naming the other record. The duplicate
check's advisory lock, the one-time token, the history row stay. Budget pinned."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.idempotency import run_once
from clinic.models import Counter, SubmissionToken
from patients.models import Patient
from patients.services import RECORD_NUMBER_COUNTER
from tests.factories import PatientFactory
from tests.patients.test_idempotency import _new_person, _token_from

pytestmark = pytest.mark.django_db

# 1 the session with its user; the one-time token with the page it leads to (one
# INSERT ... ON CONFLICT); the service's savepoint, [PostgreSQL: the registration
# advisory lock], the duplicate check, the record number (one UPDATE ... RETURNING), the
# patient INSERT, its history INSERT, the dashboard's registrations per day (one INSERT
# ... ON CONFLICT), release; the outer savepoint's release (the test's transaction); the
# session UPDATE carrying the "Registered" message. Was 26 (27 on PostgreSQL):
# full_clean's five SELECTs with their savepoints and a four-statement counter; then 14
# (15) with the token's INSERT in a savepoint of its own; then 12 (13) with the token's
# result URL written after the service; 13 (12) with the registrations rollup.
REGISTRATION_POST = 13 if connection.vendor == "postgresql" else 12


def _post(client, **overrides):
    url = reverse("patients:register")
    token = _token_from(client.get(url))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {**_new_person(**overrides), "submission_token": token})
    return response, [q["sql"] for q in ctx.captured_queries]


def test_registration_post_statement_budget(reception_client):
    Counter.allocate(RECORD_NUMBER_COUNTER)  # a clinic's counter row exists
    response, queries = _post(reception_client)
    assert response.status_code == 302, response.content.decode()[:500]
    assert len(queries) == REGISTRATION_POST, "\n".join(queries)
    patient = Patient.objects.get(family_name="Quenby")
    assert patient.history.count() == 1
    assert patient.record_number.endswith("000002")


def test_a_taken_nhs_number_gives_the_same_form_error(reception_client, reception):
    other = PatientFactory(registered_by=reception, nhs_number="9434765919")
    response, _ = _post(
        reception_client,
        nhs_number="943 476 5919",
        family_name="Unrelated",
        phone="07700 900999",
        confirm_not_duplicate="on",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["nhs_number"]
    assert "Another patient already has this NHS number" in errors[0]
    assert other.get_absolute_url() in errors[0]
    assert not Patient.objects.filter(family_name="Unrelated").exists()


def test_record_numbers_are_consecutive_from_a_fresh_counter():
    assert list(Counter.allocate("fresh", 3)) == [1, 2, 3]
    assert list(Counter.allocate("fresh")) == [4]


def test_the_token_stores_the_page_the_service_really_led_to(reception):
    """A result URL declared before the service is kept only if the service agrees."""
    token = uuid.uuid4()
    first = run_once(token=token, user=reception, perform=lambda: "/b/", result_url="/a/")
    again = run_once(token=token, user=reception, perform=lambda: "/c/", result_url="/a/")
    assert (first.url, first.replayed) == ("/b/", False)
    assert (again.url, again.replayed) == ("/b/", True)
    assert SubmissionToken.objects.get(token=token).result_url == "/b/"


def test_a_double_submitted_registration_replays_to_its_questionnaire(reception_client):
    url = reverse("patients:register")
    data = {**_new_person(), "submission_token": _token_from(reception_client.get(url))}
    first, second = (reception_client.post(url, data) for _ in range(2))
    patient = Patient.objects.get(family_name="Quenby")
    expected = reverse("patients:questionnaire_new", kwargs={"public_id": patient.public_id})
    assert first["Location"] == second["Location"] == expected
    assert SubmissionToken.objects.get(token=data["submission_token"]).result_url == expected
