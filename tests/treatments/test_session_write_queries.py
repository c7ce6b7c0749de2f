"""Pinned query budgets for the session write path (issue 14.3): a lot-tracked
administration (start, save the draft, sign; 31 PREEMPT points drawn from a vial) costs a
fixed number of statements per request, whatever the number of points.

Counted as Django logs them inside the test's transaction, so every atomic block shows as
a SAVEPOINT and its RELEASE (in production the outermost one is BEGIN/COMMIT instead).
Was 23 + 20 + 38 = 81 on PostgreSQL (issue 14's row, before the latest-course rollup),
then 17 + 18 + 25 = 60, then 11 + 13 + 21 = 45, then 11 + 12 + 21 = 44 (the start works
out each point's volume as the editor saves it, so the first save of an unchanged draft
rewrites no point), then 11 + 11 + 16 = 38 (SQLite: 14 + 13 + 24 = 51): signing writes
the dashboard's summaries in one statement, and a submission from a page that offered no
top-up does not read the top-up candidates; then 9 + 11 + 16 = 36 (SQLite unchanged): the
start writes the session, its points, further vials, draws and history rows in one
statement; then 5 + 9 + 11 = 25 (SQLite 13 + 11 + 20 = 44): the reference data's
fingerprint comes with the patient or the session, the further vials are read only when
the session has some, the start's statement carries the one-time token's claim, so it
needs no transaction around it, the patient's history (prior doses, screening
answers, the migraine diary) is one read, and the diary's appointment is completed in the
signed row's statement; now 5 + 8 + 10 = 23 (SQLite 13 + 10 + 19 = 42): a Save or a Sign
reads the draft once, locked with its points, in the transaction its write joins.
Every request starts with its session read (with the user: clinic.session_store) and ends
with the access event (audited pages; + 1 SELECT of the chain's last link on SQLite). The
session row is not rewritten: the POSTs' messages name nobody and travel in a signed
cookie (clinic.flash), and the last-activity time is rewritten at most once a minute
(SessionLimitsMiddleware)."""

from decimal import Decimal

import pytest
from django.db import connection

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
POSTGRESQL = connection.vendor == "postgresql"

# Around the view: the session (with the user), the access event.
REQUEST = 1 + ACCESS_LOG
# A row written with its history row(s) (clinic.history_writes): one statement on
# PostgreSQL (a data-modifying CTE); on SQLite the write, then the history INSERT ... SELECT.
WITH_HISTORY = 1 if POSTGRESQL else 2
# The signed row with its history row, the findings and the follow-ups: one statement on
# PostgreSQL; on SQLite the findings, the follow-ups, the UPDATE, the history row.
SIGNED = 1 if POSTGRESQL else 4

# Start (was 14 + REQUEST + the session's UPDATE, then 2 + 2 + 1 + 1 + 1 on PostgreSQL):
# the patient with the reference data's fingerprint (indications, products, site
# templates and their rows: no query of its own, this process's copy being current); the
# usable vials with the units drawn from them; on PostgreSQL one statement and no
# transaction around it: the one-time token claimed with the editor's URL (the view chose
# the session's public id; INSERT ... ON CONFLICT DO NOTHING, the session written only if
# it took), the session, its 31 points, the draw and the history rows of the session and
# its points. On SQLite, in one transaction (SAVEPOINT ... RELEASE): the claim, the session
# and its history row, the points and theirs, the draw.
START = 1 + 1 + (1 if POSTGRESQL else 2 + 1 + WITH_HISTORY + WITH_HISTORY + 1)
# Draft save of the started draft as the page shows it (was 16 + REQUEST + the session's
# UPDATE, then 13 while the start left each volume for the first save to fill in, then 11,
# then 9 while the view read the session and the service read it again, locked): one
# transaction (the view's; SAVEPOINT and RELEASE here, inside the test's) joined by the
# service: the session locked with its points (one SELECT ... LEFT JOIN ... FOR UPDATE OF
# the session), with whether it has further vials (none: not read) and the reference
# data's fingerprint (this process's copy current: no query of its own); the usable
# vials (the vial choices are checked against these, no query; the page offered no
# top-up, so the submission has no top-up field and its candidates are not read); the
# points are unchanged: none rewritten; the draws (what this session and the others
# drew; unchanged: nothing written), the session's UPDATE and its history row.
DRAFT = 2 + 1 + 1 + 1 + WITH_HISTORY
# Sign, the draft unchanged (was 23 + REQUEST + the session's UPDATE, then 16, then 11): the
# view's transaction and locked read and the usable vials, as for the draft save; in the
# same pass the draft is compared with the form's (unchanged, so no draft UPDATE) and
# signed: the vials' draws (what this session and the others drew) and their other
# patients in one UNION; the patient's history in one query (signed
# sessions and toxin elsewhere, the screening answers, the migraine diary of a
# chronic-migraine session); the signed UPDATE with its
# history row, the findings and the follow-ups (SIGNED); the dashboard rollups (ROLLUPS:
# the session's totals, its day's row, its return rollup rows, the patient's latest course
# of the indication, and that course's move between the days of the active-courses
# rollup: one statement of data-modifying WITH items on PostgreSQL, five on SQLite when
# the course moves), the diary's appointment completed (on PostgreSQL in the signed row's
# statement: treatments.signals.session_signed's `also`; elsewhere one statement after).
ROLLUPS = 1 if POSTGRESQL else 5
SIGN = 2 + 1 + 1 + 1 + 1 + SIGNED + ROLLUPS + (0 if POSTGRESQL else 1)


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
    # Rule 6 at the start: each volume from its units at the chosen vial's dilution.
    per_ml = session.vial.units_per_ml
    assert all(
        p.volume_ml == (p.units / per_ml).quantize(Decimal("0.001")) for p in session.points.all()
    )
    points = list(session.points.values_list("pk", flat=True))
    edit = f"/sessions/{session.public_id}/edit/"
    data = save_data(flow.client, session)
    with django_assert_num_queries(REQUEST + DRAFT):
        response = post_form(flow.client, edit, data)
    assert response.status_code == 302
    assert list(session.points.values_list("pk", flat=True)) == points  # none rewritten
    data = sign_data(flow.client, session)
    with django_assert_num_queries(REQUEST + SIGN):
        response = post_form(flow.client, edit, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed
    assert list(VialDraw.objects.filter(session=session).values_list("units", flat=True)) == [
        sum(p.units for p in session.points.all())
    ]


@pytest.mark.skipif(not POSTGRESQL, reason="the one-statement start: PostgreSQL")
def test_the_starts_statements_stay_within_psycopgs_parse_cache(practitioner):
    """psycopg keeps a statement's parse for at most 4096 bytes and 50 parameters; the
    start's one statement (token, session, 31 points, their history rows) is 49 parameters
    and about 3.9 KB: a column more can push it over, to be parsed on every start
    (tests/patients/test_registration_statements.py says what that cost registration)."""
    from tests.patients.test_registration_statements import (
        PSYCOPG_CACHED_BYTES,
        PSYCOPG_CACHED_PARAMS,
    )

    seen = []

    def keep(execute, sql, params, many, context):
        seen.append((len(sql.encode()), len(params or ())))
        return execute(sql, params, many, context)

    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    with connection.execute_wrapper(keep):
        assert post_form(flow.client, url, data).status_code == 302
    assert max(size for size, _ in seen) > 3000  # the one statement is among them
    for size, params in seen:
        assert size <= PSYCOPG_CACHED_BYTES and params <= PSYCOPG_CACHED_PARAMS, (size, params)


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


def _started(practitioner):
    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    assert post_form(flow.client, url, data).status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    return flow, session, f"/sessions/{session.public_id}/edit/"


def test_signing_an_unchanged_draft_writes_only_the_signing(practitioner):
    """The Sign button saves and signs in one pass: an unchanged draft gets no draft
    UPDATE (one history row, the signed one; the version moves by one)."""
    flow, session, edit = _started(practitioner)
    assert post_form(flow.client, edit, save_data(flow.client, session)).status_code == 302
    session.refresh_from_db()
    version, rows = session.version, session.history.count()
    response = post_form(flow.client, edit, sign_data(flow.client, session))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed and session.version == version + 1
    assert session.history.count() == rows + 1
    assert session.history.first().status == "signed"


def test_a_refused_sign_keeps_the_changed_draft(practitioner):
    """Warnings not acknowledged: signing is refused, and what was changed on the way
    (a note, a point's units) stays saved at the next version, with its history rows."""
    flow, session, edit = _started(practitioner)
    data = sign_data(flow.client, session)
    session.refresh_from_db()
    version, rows = session.version, session.history.count()
    del data["acknowledge"]
    data["notes"] = "Changed before signing"
    data["points-0-units"] = "4"
    data["points-0-volume_ml"] = ""
    response = post_form(flow.client, edit, data)
    assert response.status_code == 200 and response.context["refused"]
    session.refresh_from_db()
    assert not session.is_signed
    assert session.notes == "Changed before signing" and session.version == version + 1
    assert session.history.count() == rows + 1
    assert session.points.order_by("order").first().units == 4
    # The page shows the saved draft's version: signing again from it works.
    assert response.context["form"]["version"].value() == version + 1


def test_signing_from_a_stale_page_is_refused_as_a_conflict(practitioner):
    """Optimistic concurrency: a Sign from a page opened before another save signs
    nothing and overwrites nothing."""
    flow, session, edit = _started(practitioner)
    stale = sign_data(flow.client, session)
    other = save_data(flow.client, session)
    other["notes"] = "Saved in another tab"
    assert post_form(flow.client, edit, other).status_code == 302
    response = post_form(flow.client, edit, stale)
    assert response.status_code == 200
    assert "saved elsewhere" in response.content.decode()
    session.refresh_from_db()
    assert not session.is_signed and session.notes == "Saved in another tab"
