"""Pinned query budgets for the session write path (issue 14.3): a lot-tracked
administration (start, save the draft, sign; 31 PREEMPT points drawn from a vial) costs a
fixed number of statements per request, whatever the number of points.

Counted as Django logs them inside the test's transaction, so every atomic block shows as
a SAVEPOINT and its RELEASE (in production the outermost one is BEGIN/COMMIT instead).
Every request starts with its session read (with the user: clinic.session_store) and ends
with the access event (audited pages; + 1 SELECT of the chain's last link on SQLite) and
the session's UPDATE (the flash message)."""

import pytest

from tests.clinic.test_query_counts import ACCESS_LOG
from tests.factories import InjectionPointFactory, TreatmentSessionFactory
from tests.treatments.administration_flow import (
    administration_setup,
    post_form,
    save_data,
    sign_data,
    start_data,
)
from treatments import selectors
from treatments.models import InjectionPoint, TreatmentSession, VialDraw

pytestmark = pytest.mark.django_db
HistoricalInjectionPoint = InjectionPoint.history.model

# Around the view: the session (with the user), the access event, the session's UPDATE.
REQUEST = 1 + ACCESS_LOG + 1

# Start: patient, indication, product (the form's choices), the site template and its rows;
# the one-time token (2 SAVEPOINTs, INSERT, RELEASE; after the service its UPDATE with the
# result and the outer RELEASE); the service (SAVEPOINT, RELEASE): usable vials, units drawn
# from them, the session and its history row, the 31 points and their history rows (one
# INSERT each), the draw.
START = 5 + 6 + 2 + 7
# Draft save with every point changed (rule 6 fills in each volume): the session and its
# further vials, reference data (one fingerprint query: this process's copy is current),
# usable vials, top-up candidates, the chosen vial; the service (SAVEPOINT, RELEASE): the
# locked session, its UPDATE and history row, its points, one DELETE + one INSERT of points
# + one INSERT of their history, its further vials, its draws (unchanged: nothing written).
DRAFT = 6 + 2 + 9
# Sign (the draft saved first, unchanged: no point written): the view's 6 reads, the draft
# save (SAVEPOINT, RELEASE; locked session, UPDATE, history, points, further vials, draws);
# signing (SAVEPOINT, RELEASE): locked session, further vials, points, draws, reference
# data, the vial's other patients and units drawn elsewhere, the patient's history (signed
# sessions, toxin elsewhere, screening answers, migraine diary), the findings, the UPDATE
# and its history row, the dashboard rollups (3: the session's totals, its day's row and
# its return rollup rows), the follow-ups, the diary's appointment.
SIGN = 6 + 2 + 6 + 2 + 19


def test_lot_tracked_administration_query_budgets(practitioner, django_assert_num_queries):
    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    selectors.reference_snapshot()  # this process's copy of the reference data is current
    with django_assert_num_queries(REQUEST + START):
        response = post_form(flow.client, url, data)
    assert response.status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    assert session.points.count() == 31 and session.vial_id
    assert HistoricalInjectionPoint.objects.filter(session_id=session.pk).count() == 31
    edit = f"/sessions/{session.public_id}/edit/"
    data = save_data(flow.client, session)
    with django_assert_num_queries(REQUEST + DRAFT):
        response = post_form(flow.client, edit, data)
    assert response.status_code == 302
    data = sign_data(flow.client, session)
    with django_assert_num_queries(REQUEST + SIGN):
        response = post_form(flow.client, edit, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed
    assert list(VialDraw.objects.filter(session=session).values_list("units", flat=True)) == [
        sum(p.units for p in session.points.all())
    ]


def test_a_draft_save_writes_point_history_in_bulk(practitioner, practitioner_client):
    """The points a draft save replaces get a "-" history row, the new ones a "+" row, as
    django-simple-history's signals would have written them one by one."""
    session = TreatmentSessionFactory(practitioner=practitioner)
    old = InjectionPointFactory.create_batch(3, session=session)
    data = save_data(practitioner_client, session)
    data["points-0-units"] = "7"
    data["points-TOTAL_FORMS"] = 1
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    (new,) = InjectionPoint.objects.filter(session=session)
    assert new.units == 7
    history = HistoricalInjectionPoint.objects.filter(session_id=session.pk)
    assert sorted(history.filter(history_type="-").values_list("id", flat=True)) == sorted(
        p.pk for p in old
    )
    added = history.get(history_type="+", id=new.pk)
    assert added.id == new.pk and added.history_user == practitioner


def test_an_unchanged_draft_save_rewrites_no_points(practitioner, practitioner_client):
    session = TreatmentSessionFactory(practitioner=practitioner)
    for order in range(2):
        InjectionPointFactory(session=session, order=order, volume_ml="0.100")
    before = list(InjectionPoint.objects.filter(session=session).values_list("pk", flat=True))
    data = save_data(practitioner_client, session)
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    after = list(InjectionPoint.objects.filter(session=session).values_list("pk", flat=True))
    assert after == before
