"""Pinned query counts: list and detail pages do a fixed number of queries whatever the
number of rows (measured with 1 and with 55 rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    FollowUpFactory,
    PatientFactory,
    PriorTreatmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
)

# Every signed-in page starts with this, whatever it shows: 1 session with its user
# (one JOIN; the role badge and the permission checks read the session's access
# snapshot, clinic.session_store, issue 14.1).
BASE = 1
# Pages that read clinical data, search, export or print add one INSERT of their access
# event (clinic.audit, issue 6): one row per request whatever the number of rows shown.
# On SQLite (the demo) the log's hash chain is computed in Python: one SELECT of the last
# link before the INSERT (clinic.access_chain); PostgreSQL's trigger does it in the INSERT.
ACCESS_LOG = 1 if connection.vendor == "postgresql" else 2
# The patient page's record-keeping box: + 1 last signed session date (retain-until,
# DOMAIN rule 43); managers + 1 more for their subject access requests (issue 6).
RETENTION = 1
# A practitioner's patient banner: + 1 the questionnaires' allergies and contraindications
# and, side by side in the same query, the reactions recorded (rule 21: hypersensitivity,
# reports awaiting review) (treatments.templatetags.patient_banner, issue 13.18); none for
# reception or managers; none on the patient page, which builds it from the questionnaires
# and the header's side effects it reads anyway; the reactions alone on the questionnaire
# list, which builds the rest from the questionnaires it lists.
SCREENING_BANNER = 1


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_patients(n: int, reception):
    PatientFactory.create_batch(n, registered_by=reception, family_name="Ashworth")


def add_sessions(patient, practitioner, n: int):
    for _ in range(n):
        session = TreatmentSessionFactory(
            patient=patient, practitioner=practitioner, signed=True, points=3
        )
        FollowUpFactory(patient=patient, session=session)


def add_questionnaires(patient, n: int, reception):
    for _ in range(n):
        questionnaire = QuestionnaireFactory(patient=patient, entered_by=reception)
        PriorTreatmentFactory(questionnaire=questionnaire)


@pytest.mark.django_db
class TestPatientList:
    def test_list_page(self, reception_client, reception):
        add_patients(1, reception)
        # + 1 page of patients (LazyPaginator: no COUNT(*) over the table) + access event
        assert count_queries(reception_client, "/patients/") == BASE + 1 + ACCESS_LOG
        add_patients(55, reception)
        assert count_queries(reception_client, "/patients/") == BASE + 1 + ACCESS_LOG

    def test_search(self, reception_client, reception):
        # PostgreSQL: + 1 ranked trigram query. SQLite fallback: + 1 prefix query + 1 query
        # for near spellings when the prefix matches fill less than a page. + access event.
        search = BASE + (1 if connection.vendor == "postgresql" else 2) + ACCESS_LOG
        add_patients(1, reception)
        assert count_queries(reception_client, "/patients/?q=ashworth") == search
        add_patients(55, reception)
        assert count_queries(reception_client, "/patients/?q=ashworth") == BASE + 1 + ACCESS_LOG


@pytest.mark.django_db
class TestPatientDetail:
    def test_reception_sees_questionnaire_summary_only(self, reception_client, patient, reception):
        url = patient.get_absolute_url()
        add_questionnaires(patient, 1, reception)
        # + 1 patient (with registered_by) + 1 questionnaire dates/review flags + access event
        # + retain-until + 1 appointments (issue 15) + 1 messages (issue 15.5)
        assert count_queries(reception_client, url) == BASE + 4 + ACCESS_LOG + RETENTION
        add_questionnaires(patient, 54, reception)
        assert count_queries(reception_client, url) == BASE + 4 + ACCESS_LOG + RETENTION

    def test_practitioner_sees_latest_questionnaire(self, practitioner_client, patient, reception):
        url = patient.get_absolute_url()
        add_questionnaires(patient, 1, reception)
        # + 1 patient + 1 questionnaires (with users; the latest in full and the banner's
        # screening line) + 1 the latest's prior treatments + 1 sessions timeline
        # + 1 follow-up tasks + 1 open side effects (header; also the banner's recorded
        # reactions) + access event + retain-until
        # + 1 appointments (issue 15) + 1 messages (15.5)
        expected = BASE + 8 + ACCESS_LOG + RETENTION
        assert count_queries(practitioner_client, url) == expected
        add_questionnaires(patient, 54, reception)
        assert count_queries(practitioner_client, url) == expected

    def test_practitioner_timeline_with_sessions(self, practitioner_client, practitioner, patient):
        url = patient.get_absolute_url()
        add_questionnaires(patient, 1, practitioner)
        add_sessions(patient, practitioner, 1)
        # as above + 1 dose guidelines for the next-eligible dates
        expected = BASE + 9 + ACCESS_LOG + RETENTION
        assert count_queries(practitioner_client, url) == expected
        add_sessions(patient, practitioner, 50)
        assert count_queries(practitioner_client, url) == expected

    def test_questionnaire_list(self, practitioner_client, patient, reception):
        url = f"/patients/{patient.public_id}/questionnaire/"
        add_questionnaires(patient, 1, reception)
        # + 1 patient + 1 questionnaires (with users; also the banner's screening line)
        # + 1 prior treatments (with product, indication) + access event + 1 the banner's
        # recorded reactions (07/12/2026: the hypersensitivity reactions on the banner)
        expected = BASE + 4 + ACCESS_LOG
        assert count_queries(practitioner_client, url) == expected
        add_questionnaires(patient, 54, reception)
        assert count_queries(practitioner_client, url) == expected

    def test_history(self, reception_client, patient):
        url = f"/patients/{patient.public_id}/history/"
        # + 1 patient + 1 history rows (with users) + access event
        assert count_queries(reception_client, url) == BASE + 2 + ACCESS_LOG
        for n in range(55):
            patient.phone = f"0770090{n:04d}"
            patient.save()
        assert count_queries(reception_client, url) == BASE + 2 + ACCESS_LOG


@pytest.mark.django_db
class TestHome:
    def test_reception_home(self, reception_client, reception):
        add_patients(1, reception)
        # + 1 recently registered + 1 today's appointments (issue 15) + access event
        # (the page lists patients, issue 10)
        assert count_queries(reception_client, "/") == BASE + 2 + ACCESS_LOG
        add_patients(55, reception)
        assert count_queries(reception_client, "/") == BASE + 2 + ACCESS_LOG

    def test_manager_home(self, manager_client, patient, reception):
        add_questionnaires(patient, 1, reception)
        # + 1 awaiting review (with patient, entered_by) + 1 patient stats aggregate
        # + 1 serious side effects without a Yellow Card decision + access event
        assert count_queries(manager_client, "/") == BASE + 3 + ACCESS_LOG
        add_questionnaires(patient, 54, reception)
        # + 1 past the ten listed: how many await review in all (clinic.listing.capped)
        assert count_queries(manager_client, "/") == BASE + 4 + ACCESS_LOG


@pytest.mark.django_db
def test_practitioner_home(practitioner_client, practitioner, patient, reception):
    # + 1 questionnaires awaiting review + 1 unsigned sessions + 1 open tasks
    # + 1 serious side effects without a decision + 1 side-effect reports to review
    # + 1 their appointments today (issue 15; + 2 pre-flight reads when there are some,
    # tests/clinic/test_diary.py) + 1 staff changes for a practitioner to confirm (the
    # second person of a manager's grant, clinic.staff) + access event (the page lists
    # patients, issue 10)
    add_questionnaires(patient, 1, reception)
    TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    FollowUpFactory(patient=patient, assigned_to=practitioner)
    assert count_queries(practitioner_client, "/") == BASE + 7 + ACCESS_LOG
    add_questionnaires(patient, 54, reception)
    TreatmentSessionFactory.create_batch(30, patient=patient, practitioner=practitioner)
    FollowUpFactory.create_batch(55, patient=patient, assigned_to=practitioner)
    # + 1 past the ten questionnaires listed: how many await review in all
    assert count_queries(practitioner_client, "/") == BASE + 8 + ACCESS_LOG


@pytest.mark.django_db
def test_manager_patient_page(manager_client, patient, reception):
    """Issue 6: + 1 patient + 1 questionnaire summary + retain-until + 1 subject access
    requests + access event; the same for 1 or 55 questionnaires and requests. Managers no
    longer read the questionnaire itself (issue 10, DOMAIN §7.3)."""
    from datetime import date

    from patients.models import SubjectAccessRequest

    url = patient.get_absolute_url()
    add_questionnaires(patient, 1, reception)
    few = count_queries(manager_client, url)
    add_questionnaires(patient, 54, reception)
    for _ in range(55):
        SubjectAccessRequest.objects.create(
            patient=patient, received_on=date(2026, 1, 5), recorded_by=reception
        )
    assert count_queries(manager_client, url) == few
