"""The editor's submission reads the draft once, locked with its points, in the transaction
its write joins (selectors.session_get_for_editor(for_update=True), services.locked): the
write takes that read as its own locked read only while the lock holds, once, and never
sees what the form changed on the instance before it compares."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tests.factories import InjectionPointFactory, TreatmentSessionFactory, VialFactory
from tests.treatments.administration_flow import (
    administration_setup,
    post_form,
    save_data,
    sign_data,
    start_data,
)
from treatments import selectors, services
from treatments.models import SessionVial, TreatmentSession
from treatments.services.locked import in_callers_lock, locked_draft
from treatments.views.session_record import SIGNED_MEANWHILE_MESSAGE

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _draft_with_points(practitioner, count=3) -> TreatmentSession:
    """A draft whose points were entered last first: their ids run against their order."""
    session = TreatmentSessionFactory(practitioner=practitioner)
    for order in reversed(range(count)):
        InjectionPointFactory(session=session, order=order)
    return session


def test_the_locked_read_gives_the_editors_session_and_the_points_in_order(practitioner):
    session = _draft_with_points(practitioner)
    plain = selectors.session_get_for_editor(user=practitioner, public_id=session.public_id)
    with transaction.atomic():
        locked = selectors.session_get_for_editor(
            user=practitioner, public_id=str(session.public_id), for_update=True
        )
        assert in_callers_lock(locked)
    assert [getattr(locked, f.attname) for f in TreatmentSession._meta.concrete_fields] == [
        getattr(plain, f.attname) for f in TreatmentSession._meta.concrete_fields
    ]
    assert locked.patient == plain.patient and locked.patient.family_name
    assert (locked.has_further_vials, locked.reference_stamp) == (
        plain.has_further_vials,
        plain.reference_stamp,
    )
    assert locked.practitioner is practitioner
    expected = list(session.points.order_by("order", "id").values_list("pk", flat=True))
    assert [p.pk for p in locked.draft_lock.points] == expected
    assert len(expected) == 3 and expected != sorted(expected)


def test_a_draft_without_points_or_vial_is_read(practitioner):
    session = TreatmentSessionFactory(practitioner=practitioner, vial=None)
    with transaction.atomic():
        locked = selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
        assert locked.vial is None
        assert locked.draft_lock.points == []


@pytest.mark.parametrize("public_id", ["not-a-uuid", "6f1c1f4e-0000-4000-8000-000000000000"])
def test_an_unknown_or_malformed_id_is_a_404(practitioner, public_id):
    with transaction.atomic(), pytest.raises(Http404):
        selectors.session_get_for_editor(user=practitioner, public_id=public_id, for_update=True)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRESQL, reason="real transactions, as the other such tests")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the reference data
def test_the_locked_read_needs_a_transaction_and_holds_only_within_it(practitioner):
    session = _draft_with_points(practitioner)
    with pytest.raises(TransactionManagementError):
        selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
    with transaction.atomic():
        locked = selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
        assert in_callers_lock(locked)
    # Committed: the lock is gone, and so is the read's claim to be the write's.
    assert not in_callers_lock(locked)
    with transaction.atomic():
        assert not in_callers_lock(locked)
        with CaptureQueriesContext(connection) as queries:
            current, _ = locked_draft(locked)
        assert current.pk == session.pk and len(queries) == 1


def test_the_write_takes_the_read_once_and_as_read(practitioner, django_assert_num_queries):
    session = _draft_with_points(practitioner)
    with transaction.atomic():
        locked = selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
        original = locked.notes
        read_points = [p.pk for p in locked.draft_lock.points]
        locked.notes = "changed on the instance, as a bound ModelForm does"
        with django_assert_num_queries(0):
            current, points = locked_draft(locked)
        # The row as read, not the instance the form changed: the write compares with it.
        assert current is not locked and current.notes == original
        assert current.patient is locked.patient
        assert [p.pk for p in points] == read_points
        # Taken once: a second write in the same transaction reads the row it left.
        assert not in_callers_lock(locked)
        with django_assert_num_queries(1):
            locked_draft(locked)


def test_a_rollback_to_a_savepoint_before_the_read_lets_the_write_read_again(practitioner):
    """Rolling back to a savepoint taken before the read releases its row lock (and Django
    drops the on-commit hooks registered since): the write then reads and locks again."""
    session = _draft_with_points(practitioner)
    with transaction.atomic():
        try:
            with transaction.atomic():
                locked = selectors.session_get_for_editor(
                    user=practitioner, public_id=session.public_id, for_update=True
                )
                assert in_callers_lock(locked)
                raise DatabaseError("rolled back")
        except DatabaseError:
            pass
        assert not in_callers_lock(locked)
        with CaptureQueriesContext(connection) as queries:
            current, _ = locked_draft(locked)
        assert current.pk == session.pk
        assert len(queries) == 1
        if POSTGRESQL:
            assert "FOR UPDATE" in queries[0]["sql"]


@pytest.mark.parametrize("action", ["save", "sign"])
def test_a_save_or_sign_reads_the_draft_locked_once(practitioner, action):
    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    assert post_form(flow.client, url, data).status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    data = (save_data if action == "save" else sign_data)(flow.client, session)
    with CaptureQueriesContext(connection) as queries:
        response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    draft_reads = [q["sql"] for q in queries if q["sql"].startswith("WITH d AS")]
    assert len(draft_reads) == 1
    if POSTGRESQL:
        assert [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]] == draft_reads
    session.refresh_from_db()
    assert session.is_signed == (action == "sign")


def test_the_locked_read_gives_the_further_vials(practitioner, django_assert_num_queries):
    """Whether the draft has further vials is a column of the locked read; when it has,
    they are read as the editor's read reads them (in position order)."""
    session = TreatmentSessionFactory(practitioner=practitioner, vial=VialFactory())
    second, third = VialFactory(), VialFactory()
    SessionVial.objects.create(session=session, vial=third, position=2)
    SessionVial.objects.create(session=session, vial=second, position=1)
    selectors.reference_snapshot()  # this process's copy is current
    with transaction.atomic():
        with django_assert_num_queries(2):  # the locked read, the further vials
            locked = selectors.session_get_for_editor(
                user=practitioner, public_id=session.public_id, for_update=True
            )
        assert locked.has_further_vials
        with django_assert_num_queries(0):
            assert [link.vial for link in locked.vial_links.all()] == [second, third]
            assert locked.vial.product is locked.product


def _delete_every_point(data: dict) -> dict:
    for index in range(int(data["points-TOTAL_FORMS"])):
        data[f"points-{index}-DELETE"] = "on"
    return data


def test_a_sign_refused_for_want_of_points_keeps_the_draft_it_saved(practitioner):
    """Signing a draft whose every point was removed is refused, and what was submitted
    with it stays saved, as for a refusal by the findings."""
    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    assert post_form(flow.client, url, data).status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    data = _delete_every_point(sign_data(flow.client, session))
    data["notes"] = "Patient declined the injections on the day."
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    assert "Add at least one injection point before signing." in response.content.decode()
    saved = TreatmentSession.objects.get(pk=session.pk)
    assert not saved.is_signed
    assert saved.version == session.version + 1
    assert saved.notes == "Patient declined the injections on the day."
    assert not saved.points.exists()


def test_a_savepoint_released_inside_a_longer_transaction_ends_the_lock(practitioner):
    """A read whose block ended (here inside the test's transaction, as in a shell's or a
    test's own atomic()) no longer stands for the write's: a write through another copy of
    the draft since then would otherwise go unseen."""
    session = _draft_with_points(practitioner)
    with transaction.atomic():
        locked = selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
        assert in_callers_lock(locked)
    assert not in_callers_lock(locked)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        current, _ = locked_draft(locked)
    assert current.pk == session.pk and len(queries) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRESQL, reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the reference data
@pytest.mark.parametrize("action", ["sign", "save"])
def test_a_submission_waits_for_a_sign_holding_the_lock_then_writes_nothing(action):
    """The second click's Sign or Save arrives while the first click's sign holds the
    draft's row lock: it waits, finds the draft signed, writes nothing and says so."""
    from tests.factories import UserFactory
    from tests.patients.test_idempotency import _in_threads

    practitioner = UserFactory(username=f"race-{action}", role="Practitioner")
    flow = administration_setup(practitioner)
    url, data = start_data(flow)
    assert post_form(flow.client, url, data).status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    saved = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", save_data(flow.client, session)
    )
    assert saved.status_code == 302
    second = (sign_data if action == "sign" else save_data)(flow.client, session)
    locked, sent = threading.Event(), threading.Event()

    def first_click():
        with transaction.atomic():
            draft = TreatmentSession.objects.select_for_update().get(pk=session.pk)
            locked.set()
            assert sent.wait(10)
            time.sleep(0.5)  # the second request is waiting for the lock meanwhile
            services.session_sign(
                session=draft,
                signed_by=practitioner,
                override_reasons={
                    k.removeprefix("override__"): v
                    for k, v in second.items()
                    if k.startswith("override__")
                },
                acknowledge_warnings=True,
            )

    def second_click():
        assert locked.wait(10)
        sent.set()
        return post_form(flow.client, f"/sessions/{session.public_id}/edit/", second)

    first, response = _in_threads(first_click, second_click)
    assert first is None, first
    assert response.status_code == 302, response
    assert response["Location"] == f"/sessions/{session.public_id}/"
    signed = TreatmentSession.objects.get(pk=session.pk)
    assert signed.is_signed
    # One history row for the start, one for the save, one for the sign: nothing more.
    assert signed.history.count() == 3
    page = flow.client.get(response["Location"])
    assert SIGNED_MEANWHILE_MESSAGE in page.content.decode()


@pytest.mark.skipif(not POSTGRESQL, reason="psycopg's parse cache")
def test_the_locked_read_stays_within_psycopgs_parse_cache(practitioner):
    """psycopg keeps a statement's parse for at most 4096 bytes and 50 parameters (as for
    the start's statement, tests/treatments/test_session_write_queries.py): a few columns
    more on the session, patient or vial must not push the locked read over, to be parsed
    again on every Save and Sign."""
    from tests.patients.test_registration_statements import PSYCOPG_CACHED_BYTES

    session = _draft_with_points(practitioner)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        selectors.session_get_for_editor(
            user=practitioner, public_id=session.public_id, for_update=True
        )
    (read,) = [q["sql"] for q in queries if q["sql"].startswith("WITH d AS")]
    assert len(read.encode()) <= PSYCOPG_CACHED_BYTES - 300, len(read.encode())
