"""The editor's submission reads the draft once, locked with its points, in the transaction
its write joins (selectors.session_get_for_editor(for_update=True), services.locked): the
write takes that read as its own locked read only while the lock holds, once, and never
sees what the form changed on the instance before it compares."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tests.factories import InjectionPointFactory, TreatmentSessionFactory
from tests.treatments.administration_flow import (
    administration_setup,
    post_form,
    save_data,
    sign_data,
    start_data,
)
from treatments import selectors
from treatments.models import TreatmentSession
from treatments.services.locked import in_callers_lock, locked_draft

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _draft_with_points(practitioner, count=3) -> TreatmentSession:
    session = TreatmentSessionFactory(practitioner=practitioner)
    for order in range(count):
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
    assert len(expected) == 3


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


@pytest.mark.django_db(transaction=True)
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
