"""Record keeping (issue 6): retention date per rule 43, subject access requests and
their deadline per rule 42, the subject access copy (JSON and printable), and archiving
that never destroys clinical data."""

import json
from datetime import date

import pytest
from django.utils import timezone
from django.utils.html import escape

from clinic.models import AccessEvent
from patients.models import IntakeQuestionnaire, Patient, SubjectAccessCopy, SubjectAccessRequest
from patients.retention import add_months, retain_until, sar_due_on, sar_extension_allowed
from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
)

# Rule 43 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "last", "expected"),
    [
        (date(1980, 5, 1), date(2026, 3, 10), date(2034, 3, 10)),  # adult: +8 years
        (date(2016, 6, 1), date(2026, 3, 10), date(2041, 6, 1)),  # child of 9: 25th birthday
        (date(2008, 6, 1), date(2026, 3, 10), date(2034, 6, 1)),  # 17 at the end: 26th
        (date(2009, 6, 1), date(2026, 3, 10), date(2034, 6, 1)),  # 16: 25th (2034) vs +8 (2034)
        (date(2007, 1, 1), date(2026, 3, 10), date(2034, 3, 10)),  # 19: adult rule wins
        (date(2008, 2, 29), date(2026, 3, 10), date(2034, 3, 10)),  # 18: adult rule
        (date(2012, 2, 29), date(2026, 3, 10), date(2037, 2, 28)),  # leap-day 25th birthday
    ],
)
def test_retain_until(born, last, expected):
    assert retain_until(date_of_birth=born, last_treatment_on=last).retain_until == expected


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


# Rule 42 -------------------------------------------------------------------------------


def _sar(**fields):
    defaults = {"received_on": date(2026, 1, 31), "identity_verified_on": None}
    return SubjectAccessRequest(**{**defaults, **fields})


def test_sar_due_one_calendar_month_from_receipt():
    assert sar_due_on(_sar()) == date(2026, 2, 28)
    assert sar_due_on(_sar(received_on=date(2026, 3, 5))) == date(2026, 4, 5)


def test_sar_clock_starts_when_identity_is_verified_if_later():
    sar = _sar(received_on=date(2026, 3, 5), identity_verified_on=date(2026, 3, 20))
    assert sar_due_on(sar) == date(2026, 4, 20)


def test_sar_extension_only_if_complex_and_told_within_the_first_month():
    told_in_time = _sar(
        received_on=date(2026, 3, 5), is_complex=True, extension_notified_on=date(2026, 4, 5)
    )
    assert sar_extension_allowed(told_in_time)
    assert sar_due_on(told_in_time) == date(2026, 6, 5)
    told_late = _sar(
        received_on=date(2026, 3, 5), is_complex=True, extension_notified_on=date(2026, 4, 6)
    )
    assert not sar_extension_allowed(told_late)
    assert sar_due_on(told_late) == date(2026, 4, 5)
    not_complex = _sar(received_on=date(2026, 3, 5), extension_notified_on=date(2026, 3, 10))
    assert sar_due_on(not_complex) == date(2026, 4, 5)


# Pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_page_shows_retain_until(reception_client, practitioner, patient):
    TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        signed=True,
        signed_at=timezone.now(),
        performed_at=timezone.make_aware(timezone.datetime(2025, 4, 2, 10, 0)),
    )
    html = reception_client.get(patient.get_absolute_url()).content.decode()
    expected = max(
        date(2033, 4, 2),
        date(patient.date_of_birth.year + 25, patient.date_of_birth.month, 1),
    )
    assert 'data-testid="retain-until"' in html
    assert expected.strftime("%d/%m/%Y") in html or "02/04/2033" in html
    # Reception sees the retention date but not subject access requests.
    assert 'data-testid="sar-summary"' not in html


@pytest.mark.django_db
def test_manager_logs_and_completes_a_subject_access_request(manager_client, manager, patient):
    url = f"/patients/{patient.public_id}/subject-access/"
    response = manager_client.post(
        url, {"requester": "The patient", "received_on": "05/03/2026", "status": "open"}
    )
    assert response.status_code == 302
    sar = SubjectAccessRequest.objects.get(patient=patient)
    assert sar.due_on == date(2026, 4, 5)
    assert sar.recorded_by == manager
    detail = manager_client.get(patient.get_absolute_url()).content.decode()
    assert "1 open" in detail and "05/04/2026" in detail
    edit = f"/patients/{patient.public_id}/subject-access/{sar.pk}/"
    bad = manager_client.post(
        edit,
        {
            "requester": "The patient",
            "received_on": "05/03/2026",
            "status": "completed",
            "version": "1",  # the request as the edit page showed it
        },
    )
    assert "Give the date the copy was sent." in bad.content.decode()
    done = manager_client.post(
        edit,
        {
            "requester": "The patient",
            "received_on": "05/03/2026",
            "status": "completed",
            "completed_on": "20/03/2026",
            "version": "1",
        },
    )
    assert done.status_code == 302
    sar.refresh_from_db()
    assert (sar.status, sar.completed_on) == ("completed", date(2026, 3, 20))
    assert sar.history.count() == 2


@pytest.mark.django_db
def test_sar_form_refuses_impossible_dates(manager_client, patient):
    response = manager_client.post(
        f"/patients/{patient.public_id}/subject-access/",
        {
            "requester": "Solicitor <b>x</b>",
            "received_on": "05/03/2026",
            "identity_verified_on": "01/03/2026",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert "Identity cannot be verified before the request came." in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


@pytest.mark.django_db
def test_subject_access_copy_holds_every_record(
    manager_client, practitioner, patient, reception, django_capture_on_commit_callbacks
):
    questionnaire = QuestionnaireFactory(patient=patient, entered_by=reception)
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    InjectionPointFactory(session=session)
    patient.phone = "07700900999"
    patient.save()
    practitioner_view = AccessEvent.objects.create(
        username="amelia",
        role="Practitioner",
        patient=patient,
        action="patient.view",
        method="GET",
        path="/",
        status_code=200,
    )
    sar = _verified_request(patient)
    response = _json_copy(manager_client, patient, sar, django_capture_on_commit_callbacks)
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(b"".join(response.streaming_content))
    sections = {s["title"]: s for s in data["sections"]}
    assert sections["Personal details"]["records"][0]["nhs_number"] == patient.nhs_number
    assert len(sections["Personal details"]["change_history"]) == 2
    assert sections["Medical questionnaires"]["records"][0]["id"] == questionnaire.pk
    assert sections["Treatment sessions"]["records"][0]["id"] == session.pk
    assert len(sections["Injection points"]["records"]) == 1
    assert "Access log" in sections
    log = sections["Access log"]["records"]
    assert any(row["username"] == practitioner_view.username for row in log)
    assert all("ip_address" not in row for row in log)
    # The export itself is in the access log.
    assert AccessEvent.objects.filter(action="patient.sar_export", patient=patient).exists()


@pytest.mark.django_db
def test_subject_access_copy_includes_side_effects_once_they_exist(
    manager_client, patient, django_capture_on_commit_callbacks
):
    from django.apps import apps

    try:
        apps.get_model("treatments", "SideEffect")
    except LookupError:
        pytest.skip("treatments.SideEffect not built yet")
    from tests.factories import SideEffectFactory

    side_effect = SideEffectFactory(session__patient=patient)
    sar = _verified_request(patient)
    response = _json_copy(manager_client, patient, sar, django_capture_on_commit_callbacks)
    data = json.loads(b"".join(response.streaming_content))
    sections = {s["title"]: s for s in data["sections"]}
    assert [row["id"] for row in sections["Side effects"]["records"]] == [side_effect.pk]


@pytest.mark.django_db
def test_printable_copy_is_escaped_and_logged(manager_client, patient):
    patient.referral_detail = '<script>alert("x")</script>'
    patient.save()
    sar = _verified_request(patient)
    response = manager_client.post(f"/patients/{patient.public_id}/subject-access/{sar.pk}/copy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert "Access log" in html and "Medical questionnaires" in html
    assert AccessEvent.objects.filter(action="patient.sar_print", patient=patient).exists()


@pytest.mark.django_db
def test_only_managers_handle_subject_access(reception_client, practitioner_client, patient):
    sar = _verified_request(patient)
    for client in (reception_client, practitioner_client):
        for suffix in (
            "subject-access/",
            f"subject-access/{sar.pk}/copy.json",
            f"subject-access/{sar.pk}/copy/",
        ):
            assert client.get(f"/patients/{patient.public_id}/{suffix}").status_code == 403


def _json_copy(client, patient, sar, capture_on_commit):
    """Issue 12.2: ask for the JSON copy, let the worker write it, download it."""
    from tests.clinic.worker import run_worker

    base = f"/patients/{patient.public_id}/subject-access/{sar.pk}"
    with capture_on_commit(execute=True):
        asked = client.post(f"{base}/copy.json")  # a button: POST only (the review's A8)
    assert asked.status_code == 302 and asked["Location"].endswith("/subject-access/")
    copy = sar.copies.filter(kind="json").latest("id")
    assert client.get(f"{base}/copies/{copy.pk}.json").status_code == 302  # not written yet
    page = client.get(f"/patients/{patient.public_id}/subject-access/").content.decode()
    assert 'data-testid="sar-json-preparing"' in page
    run_worker()
    page = client.get(f"/patients/{patient.public_id}/subject-access/").content.decode()
    assert f'href="{base}/copies/{copy.pk}.json" data-testid="sar-json-download"' in page
    response = client.get(f"{base}/copies/{copy.pk}.json")
    assert response.status_code == 200
    return response


def _ask_for_copy(client, url):
    """Each copy, the JSON file and the readable page, is asked for with its button (POST)."""
    return client.post(url)


def _verified_request(patient, **fields):
    from tests.factories import UserFactory

    values = {
        "received_on": date(2026, 1, 5),
        "identity_verified_on": date(2026, 1, 6),
        "recorded_by": UserFactory(username="sar-desk"),
        **fields,
    }
    return SubjectAccessRequest.objects.create(patient=patient, **values)


# Issue 10: the copy is produced only against a request whose identity check is recorded.


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["copy.json", "copy/"])
def test_no_subject_access_copy_without_a_request(manager_client, patient, suffix):
    other = PatientFactory()
    others_request = _verified_request(other)
    for url in (
        f"/patients/{patient.public_id}/subject-access/{10**9}/{suffix}",  # no such request
        f"/patients/{patient.public_id}/subject-access/{others_request.pk}/{suffix}",
    ):
        response = _ask_for_copy(manager_client, url)
        assert response.status_code == 404, url
        # Nothing of the record (a family name alone can be the signed-in manager's too).
        page = response.content.decode()
        assert patient.record_number not in page and escape(patient.full_name) not in page
    assert not SubjectAccessCopy.objects.exists()
    assert not AccessEvent.objects.filter(action__startswith="patient.sar_").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["copy.json", "copy/"])
def test_no_subject_access_copy_before_the_identity_check(manager_client, patient, suffix):
    patient.nhs_number = "9434765919"
    patient.save()
    sar = _verified_request(patient, identity_verified_on=None)

    response = _ask_for_copy(
        manager_client, f"/patients/{patient.public_id}/subject-access/{sar.pk}/{suffix}"
    )

    assert response.status_code == 403
    assert "9434765919" not in response.content.decode()
    assert not SubjectAccessCopy.objects.exists()
    page = manager_client.get(f"/patients/{patient.public_id}/subject-access/").content.decode()
    assert 'data-testid="sar-unverified"' in page and 'data-testid="sar-json"' not in page


@pytest.mark.django_db
def test_each_copy_is_recorded_against_its_request(manager_client, manager, patient):
    sar = _verified_request(patient)
    manager_client.post(f"/patients/{patient.public_id}/subject-access/{sar.pk}/copy.json")
    manager_client.post(f"/patients/{patient.public_id}/subject-access/{sar.pk}/copy/")

    copies = list(sar.copies.order_by("id").values_list("produced_by", "kind"))
    assert copies == [(manager.pk, "json"), (manager.pk, "print")]
    page = manager_client.get(f"/patients/{patient.public_id}/subject-access/").content.decode()
    assert 'data-testid="sar-copies"' in page
    assert "JSON file on" in page and "Readable copy on" in page


# Archiving keeps everything ---------------------------------------------------------------


@pytest.mark.django_db
def test_archiving_never_destroys_clinical_data(
    reception_client, practitioner, patient, questionnaire
):
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    patient.refresh_from_db()
    response = reception_client.post(
        f"/patients/{patient.public_id}/archive/",
        {"reason": "moved away", "version": patient.version},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.is_archived
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert IntakeQuestionnaire.objects.filter(pk=questionnaire.pk).exists()
    session.refresh_from_db()
    # Clinical rows are PROTECTed: the database refuses a hard delete of the patient.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Patient.objects.get(pk=patient.pk).delete()


@pytest.mark.django_db
def test_demo_seed_shows_access_events_and_an_open_request():
    from django.core.management import call_command

    call_command("seed_demo", patients=12, verbosity=0)
    assert AccessEvent.objects.exists()
    assert SubjectAccessRequest.objects.filter(status="open").count() >= 1
    assert PatientFactory  # factories untouched by the seed


@pytest.mark.django_db
def test_subject_access_page_query_count_does_not_grow_with_requests_and_copies(
    manager_client, manager, patient
):
    """Pinned: the same queries for 1 request with 1 copy as for 30 requests with 2 copies
    each (requests with their recorder, then the copies with who made them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patients.services import subject_access_copy_record

    url = f"/patients/{patient.public_id}/subject-access/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    sar = _verified_request(patient)
    subject_access_copy_record(sar=sar, produced_by=manager, kind="json")
    few = queries()
    for _ in range(29):
        sar = _verified_request(patient)
        for kind in ("json", "print"):
            subject_access_copy_record(sar=sar, produced_by=manager, kind=kind)
    assert queries() == few
