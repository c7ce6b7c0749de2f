"""Pinned query counts for the practitioner's pages: they do not grow with the number of
sessions, points, findings or tasks (measured with 1 and with 50+)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.clinic.test_query_counts import ACCESS_LOG, BASE, SCREENING_BANNER
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    OutcomeAssessmentFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from treatments import selectors
from treatments.models import OutcomeInstrument, SessionAddendum, SessionFinding

pytestmark = pytest.mark.django_db


def count_queries(client, url, method="get", data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def signed_session(patient, practitioner, points: int, extras: int):
    session = TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, signed=True, points=points
    )
    for n in range(extras):
        SessionFinding.objects.create(
            session=session,
            code=f"warn.{n}",
            level="warn",
            message="m",
            source="s",
            recorded_by=practitioner,
        )
        SessionAddendum.objects.create(session=session, reason="r", text="t", author=practitioner)
        FollowUpFactory(patient=patient, session=session)
    return session


def test_session_detail(practitioner_client, practitioner, patient):
    # + 1 session (with patient, product, vial, users) + 1 its further vials + 1 points
    # (with sites) + 1 units drawn per vial + 1 findings + 1 addenda + 1 follow-ups + 1
    # side effects + access event + the banner's screening line
    expected = BASE + 8 + ACCESS_LOG + SCREENING_BANNER
    one = signed_session(patient, practitioner, points=1, extras=1)
    assert count_queries(practitioner_client, f"/sessions/{one.public_id}/") == expected
    many = signed_session(patient, practitioner, points=55, extras=55)
    SideEffectFactory.create_batch(30, session=many, patient=patient)
    assert count_queries(practitioner_client, f"/sessions/{many.public_id}/") == expected


def test_session_edit_and_live_check(practitioner_client, practitioner, patient):
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    signed_session(patient, practitioner, points=3, extras=0)
    draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    InjectionPointFactory(session=draft)
    url = f"/sessions/{draft.public_id}/edit/"
    selectors.reference_snapshot()  # this process's copy of the reference data is current
    few = count_queries(practitioner_client, url)
    InjectionPointFactory.create_batch(55, session=draft)
    for _ in range(20):
        signed_session(patient, practitioner, points=3, extras=0)
    # The editor loads the session (with whether it has further vials, read only when it
    # has: none here; and the reference data's fingerprint, so that the reference data,
    # sites, parameters, guideline, limits, protocol, cost no query, this process's copy
    # being current: was 2 queries more), usable vials, the top-up candidates, points
    # (once), the engine's inputs (vial's other patients and units drawn elsewhere in one
    # UNION; the patient's history in one query: signed sessions and toxin elsewhere, the
    # screening answers and, for a chronic-migraine session, the diary; the prescriber's
    # assessment for cosmetic sessions only, so not here), the vial
    # panel's unusable stock, the header's questionnaire, the vial choices (the first
    # only: one vial in stock, so no further vials to tick) and the top-up select: the
    # same number for 1 point or 56, 1 past session or 21. + access event + the banner's
    # screening line.
    assert count_queries(practitioner_client, url) == few
    assert few == BASE + 9 + ACCESS_LOG + SCREENING_BANNER, few


def test_task_list(practitioner_client, practitioner, patient):
    # + 1 open tasks (with patients, sessions, assignees) + 1 completed today (with
    # patients: they can be reopened) + access event
    FollowUpFactory(patient=patient, assigned_to=practitioner)
    FollowUpFactory(patient=patient, done_at=timezone.now(), done_by=practitioner)
    assert count_queries(practitioner_client, "/tasks/") == BASE + 2 + ACCESS_LOG
    FollowUpFactory.create_batch(55, patient=patient, assigned_to=practitioner)
    FollowUpFactory.create_batch(30, patient=patient, done_at=timezone.now(), done_by=practitioner)
    assert count_queries(practitioner_client, "/tasks/?who=all") == BASE + 2 + ACCESS_LOG


def test_vial_list_and_detail(practitioner_client, practitioner, patient):
    # list: + 1 vials with drawn units annotated + 1 the products for its filter; detail:
    # + 1 vial + 1 its sessions
    # + access event (the detail lists the patients treated from the vial)
    vial = VialFactory(received_by=practitioner)
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner, vial=vial)
    InjectionPointFactory(session=session)
    assert count_queries(practitioner_client, "/vials/") == BASE + 2
    assert count_queries(practitioner_client, f"/vials/{vial.pk}/") == BASE + 2 + ACCESS_LOG
    VialFactory.create_batch(55, received_by=practitioner)
    InjectionPointFactory.create_batch(55, session=session)
    assert count_queries(practitioner_client, "/vials/") == BASE + 2
    assert count_queries(practitioner_client, f"/vials/{vial.pk}/") == BASE + 2 + ACCESS_LOG


def test_outcomes_page(practitioner_client, practitioner, patient):
    signed_session(patient, practitioner, points=3, extras=0)
    OutcomeAssessmentFactory(patient=patient, recorded_by=practitioner)
    url = f"/patients/{patient.public_id}/outcomes/"
    few = count_queries(practitioner_client, url)
    OutcomeAssessmentFactory.create_batch(49, patient=patient, recorded_by=practitioner)
    OutcomeAssessmentFactory(
        patient=patient, instrument=OutcomeInstrument.objects.get(slug="hit6"), value=60
    )
    for _ in range(10):
        signed_session(patient, practitioner, points=3, extras=0)
    # + 1 patient, assessments (with indication, instrument, muscle, session, recorder),
    # signed sessions with their total units, responder thresholds, open side effects
    # (header): the same for 1 assessment or 51, 1 session or 11. + access event + the
    # banner's screening line.
    assert count_queries(practitioner_client, url) == few
    assert few == BASE + 5 + ACCESS_LOG + SCREENING_BANNER, few
