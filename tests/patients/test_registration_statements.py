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
# INSERT ... ON CONFLICT); [PostgreSQL: the registration advisory lock], the duplicate
# check; then on PostgreSQL one statement of data-modifying WITH items: the record number
# (the counter's INSERT ... ON CONFLICT DO UPDATE ... RETURNING), the patient INSERT, its
# history row and the dashboard's registrations per day; on SQLite four: the record number
# (one UPDATE ... RETURNING), the patient, its history row, the registrations per day.
# Last, the token's savepoint's release (the test's transaction). Was 26 (27 on
# PostgreSQL): full_clean's five SELECTs with their savepoints and a four-statement
# counter; then 14 (15) with the token's INSERT in a savepoint of its own; then 11 (12)
# with the token's result URL written after the service; then 10 (11) with the session
# UPDATE that carried the "Registered" message gone (the questionnaire page says it when
# the registration leads there, ?registered=1); 11 (12) with the registrations rollup; 11
# (11) with the patient and its history row in one statement; 9 (9) with no savepoint of
# the service's own (the token's transaction is rolled back as a whole when it raises);
# now 9 (7): the number, the row, its history and the day's count in one statement.
REGISTRATION_POST = 7 if connection.vendor == "postgresql" else 9


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


# psycopg keeps the parse of a statement (where its parameters go) for statements of at
# most 4096 bytes and 50 parameters (psycopg._queries.MAX_CACHED_STATEMENT_LENGTH and
# _PARAMS); a longer one is parsed again on every execution: 0.35 ms of each registration
# POST, served, when the registration's one statement was 4,727 bytes.
PSYCOPG_CACHED_BYTES, PSYCOPG_CACHED_PARAMS = 4096, 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one statement: PostgreSQL")
def test_the_registrations_statements_stay_within_psycopgs_parse_cache(reception_client):
    seen = []

    def keep(execute, sql, params, many, context):
        seen.append((len(sql.encode()), len(params or ())))
        return execute(sql, params, many, context)

    Counter.allocate(RECORD_NUMBER_COUNTER)
    url = reverse("patients:register")
    token = _token_from(reception_client.get(url))
    with connection.execute_wrapper(keep):
        response = reception_client.post(url, {**_new_person(), "submission_token": token})
    assert response.status_code == 302
    assert max(size for size, _ in seen) > 3000  # the one statement is among them
    for size, params in seen:
        assert size <= PSYCOPG_CACHED_BYTES and params <= PSYCOPG_CACHED_PARAMS, (size, params)


def test_the_registration_writes_the_history_row_and_the_day_count_itself(
    reception_client, reception
):
    """The service writes the patient and its "+" history row directly (no save() signal
    round): the row is simple-history's, by the receptionist, and the dashboard's
    registrations per day count the patient on the UK day of its created_at."""
    from django.utils import timezone

    from patients.models import DailyRegistrations

    Counter.allocate(RECORD_NUMBER_COUNTER)
    response, _ = _post(reception_client)
    assert response.status_code == 302
    patient = Patient.objects.get(family_name="Quenby")
    (row,) = patient.history.all()
    assert row.history_type == "+" and row.history_user == reception
    assert row.history_change_reason is None
    tracked = [f.attname for f in Patient.history.model.tracked_fields]
    assert {n: getattr(row, n) for n in tracked} == {n: getattr(patient, n) for n in tracked}
    assert patient.family_name_key and patient.created_at and patient.version == 1
    day = DailyRegistrations.objects.get(day=timezone.localdate(patient.created_at))
    assert day.patients == 1


def test_the_registration_service_knows_every_receiver_it_does_not_send_to():
    """patient_register writes the row without save() (patients.services._insert_validated)
    and does by hand what Patient's post_save receivers do. A new receiver must be added
    there too: this fails until it is."""
    from django.db.models.signals import post_save

    receivers = {r.__qualname__ for r in post_save._live_receivers(Patient)[0]}
    assert receivers == {
        "HistoricalRecords.post_save",  # the history row: written with the patient
        "record_registration",  # called by the service
        "record_patient_status",  # status updates only: nothing on an INSERT
    }


def test_the_registered_message_costs_no_session_write(reception_client):
    """The POST leaves the session alone; the questionnaire page it leads to says who was
    registered, from the record it reads anyway, and writes no session either."""
    Counter.allocate(RECORD_NUMBER_COUNTER)
    response, queries = _post(reception_client)
    assert response.status_code == 302
    assert not [sql for sql in queries if "clinic_staff_session" in sql and "UPDATE" in sql]
    patient = Patient.objects.get(family_name="Quenby")
    with CaptureQueriesContext(connection) as ctx:
        page = reception_client.get(response["Location"])
    assert f"Registered {patient.full_name} as {patient.record_number}" in page.content.decode()
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    again = reception_client.get(response["Location"].split("?")[0]).content.decode()
    assert "Registered " not in again  # only when the registration leads there


def test_a_taken_nhs_number_gives_the_same_form_error(reception_client, reception):
    other = PatientFactory(registered_by=reception, nhs_number="9434765919")
    Counter.allocate(RECORD_NUMBER_COUNTER)
    number = Counter.objects.get(name=RECORD_NUMBER_COUNTER).value
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
    # The view's transaction (no savepoint of the service's own) took no record number.
    assert Counter.objects.get(name=RECORD_NUMBER_COUNTER).value == number


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
    url = reverse("patients:questionnaire_new", kwargs={"public_id": patient.public_id})
    expected = f"{url}?registered=1"  # the page then says "Registered ..."
    assert first["Location"] == second["Location"] == expected
    assert SubmissionToken.objects.get(token=data["submission_token"]).result_url == expected


@pytest.mark.parametrize("start", [None, 0, 41, 999_998])
def test_the_record_number_is_the_counters_next_as_format_record_number_writes_it(reception, start):
    """The number the registration statement works out (in SQL on PostgreSQL) is the one
    allocate_record_numbers would give: the counter's next value, zero-padded to 6 digits
    and then as long as it needs; the counter's first use creates its row."""
    from patients import services
    from tests.patients.test_services import registration

    if start is not None:
        Counter.objects.update_or_create(name=RECORD_NUMBER_COUNTER, defaults={"value": start})
    else:
        Counter.objects.filter(name=RECORD_NUMBER_COUNTER).delete()
    first = services.patient_register(registered_by=reception, **registration())
    second = services.patient_register(
        registered_by=reception,
        **registration(nhs_number="", family_name="Other", phone="07700900777"),
    )
    base = start or 0
    assert [first.record_number, second.record_number] == [
        services.format_record_number(base + 1),
        services.format_record_number(base + 2),
    ]
    assert Counter.objects.get(name=RECORD_NUMBER_COUNTER).value == base + 2
    stored = Patient.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [p.record_number for p in stored] == [first.record_number, second.record_number]


def test_a_refused_registration_takes_no_number(reception):
    """The number is allocated in the registration's transaction: an NHS number already
    taken refuses the record and the counter stays where it was (no gap)."""
    from django.db import transaction

    from patients import services
    from tests.patients.test_services import registration

    existing = services.patient_register(registered_by=reception, **registration())
    value = Counter.objects.get(name=RECORD_NUMBER_COUNTER).value
    with pytest.raises(services.NhsNumberInUse), transaction.atomic():
        services.patient_register(
            registered_by=reception,
            confirm_not_duplicate=True,
            **registration(family_name="Other", phone="07700900777"),
        )
    assert Counter.objects.get(name=RECORD_NUMBER_COUNTER).value == value
    after = services.patient_register(
        registered_by=reception,
        **registration(nhs_number="", family_name="Third", phone="07700900778"),
    )
    assert after.record_number == services.format_record_number(value + 1) != existing.record_number
