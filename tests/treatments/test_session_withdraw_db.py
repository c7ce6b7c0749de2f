"""A withdrawn session is final in the database too (treatments migration 0047), as a signed
one is (0012, 0038): as the RUNTIME role, the withdrawal itself passes through the service
(its draws and further vials deleted while still a draft, then the row), and afterwards
no UPDATE or DELETE of the session or its points, and no new row in it, is accepted; the
same statements on a draft pass. PostgreSQL only (tests/clinic/test_database_roles.py
has the connections and the signed session's case)."""

import pytest

from clinic.roles import Role
from tests.clinic.test_database_roles import (
    RUNTIME_ROLE_MARKS,
    default_connection_as_runtime_role,
    runtime_connection,
)
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory, VialFactory
from treatments.choices import SessionStatus

psycopg = pytest.importorskip("psycopg")

pytestmark = [
    *RUNTIME_ROLE_MARKS,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

CHANGES = [
    "UPDATE treatments_treatmentsession SET notes = 'changed' WHERE id = %(s)s",
    "UPDATE treatments_treatmentsession SET status = 'draft' WHERE id = %(s)s",
    "UPDATE treatments_treatmentsession SET vial_id = %(vial)s WHERE id = %(s)s",
    "UPDATE treatments_injectionpoint SET units = units + 1 WHERE session_id = %(s)s",
    "INSERT INTO treatments_vialdraw (units, session_id, vial_id) VALUES (1, %(s)s, %(vial)s)",
    "INSERT INTO treatments_sessionvial (position, session_id, vial_id)"
    " VALUES (1, %(s)s, %(vial)s)",
    'INSERT INTO treatments_injectionpoint ("order", side, units, volume_ml, points, site_id,'
    ' session_id) SELECT "order" + 100, side, units, volume_ml, points, site_id, session_id'
    " FROM treatments_injectionpoint WHERE session_id = %(s)s LIMIT 1",
    "DELETE FROM treatments_injectionpoint WHERE session_id = %(s)s",
    "UPDATE treatments_sessionwithdrawal SET note = 'rewritten' WHERE session_id = %(s)s",
    "DELETE FROM treatments_treatmentsession WHERE id = %(s)s",
]


@pytest.fixture
def drafts():
    """Committed: two drafts (PREEMPT from two 100 U vials each) and a spare vial."""
    from tests.treatments.session_helpers import start

    practitioner = UserFactory(username="amelia", role=Role.PRACTITIONER)
    made = []
    for _ in range(2):
        patient = PatientFactory()
        QuestionnaireFactory(patient=patient, entered_by=practitioner)
        for _ in range(2):
            VialFactory(presentation_units=100, received_by=practitioner)
        made.append(start(patient, practitioner, "chronic-migraine", "botox", vial=False))
    assert all(s.vial_links.exists() and s.draws.count() == 2 for s in made)
    spare = VialFactory(received_by=practitioner)
    return practitioner, made, spare


def test_the_runtime_role_withdraws_a_draft_and_it_is_then_final(drafts):
    from treatments import services
    from treatments.models import TreatmentSession

    practitioner, (withdrawn, draft), spare = drafts
    with default_connection_as_runtime_role():
        services.session_withdraw(
            session=withdrawn, by=practitioner, reason="wrong-patient", note=""
        )
        withdrawn.refresh_from_db()
        assert withdrawn.status == SessionStatus.WITHDRAWN and withdrawn.vial_id is None
        assert not withdrawn.draws.exists() and not withdrawn.vial_links.exists()
        # Nothing more through the services either (a second click).
        with pytest.raises(services.SessionWithdrawn):
            services.session_withdraw(session=withdrawn, by=practitioner, reason="declined")
    points = withdrawn.points.count()
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        for sql in CHANGES:
            # The session's DELETE is refused by privilege first (never deleted: no
            # DELETE for the runtime role); every other statement by the triggers.
            why = (
                "permission denied"
                if sql.startswith("DELETE FROM treatments_treatmentsession")
                else "withdrawn"
            )
            with (
                pytest.raises(psycopg.errors.InsufficientPrivilege, match=why),
                runtime.transaction(),
            ):
                cursor.execute(sql, {"s": withdrawn.pk, "vial": spare.pk})
        # The same statements on a draft pass (the refusals are the triggers'), the
        # session's own DELETE aside (no DELETE privilege: never deleted).
        for sql in CHANGES[:-1]:
            if "sessionwithdrawal" in sql:
                continue  # a draft has none
            with runtime.transaction():
                cursor.execute(sql, {"s": draft.pk, "vial": spare.pk})
    withdrawn.refresh_from_db()
    assert withdrawn.status == SessionStatus.WITHDRAWN and withdrawn.notes == ""
    assert withdrawn.vial_id is None and withdrawn.points.count() == points
    assert not withdrawn.draws.exists() and not withdrawn.vial_links.exists()
    assert TreatmentSession.objects.get(pk=draft.pk).notes == "changed"


def test_a_signed_session_is_still_refused_as_before(drafts):
    """The replaced function still refuses a signed session's changes (0012's case)."""
    from tests.treatments.session_helpers import save
    from treatments import services

    practitioner, (session, _), _spare = drafts
    session = save(session, practitioner)
    services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="is signed")
    with runtime_connection() as runtime, runtime.cursor() as cursor, refused:
        cursor.execute(
            "UPDATE treatments_treatmentsession SET notes = 'x' WHERE id = %s", [session.pk]
        )
