"""The runtime database role cannot rewrite what must not change (issue 10, point 6).

Connected with raw psycopg as the RUNTIME role (settings.DATABASE_RUNTIME_URL, as
.ci/postgres.sh sets it up) to the test database, on committed data: the access log,
history tables and signed sessions refuse every change, triggers cannot be disabled,
dropped or replaced, and no session setting switches the guard off; what the app needs
(INSERT/SELECT of the log, the ordinary work through the ORM) works. The OWNER (the
suite's own connection) still can disable triggers: the hash chain is what catches it
(tests/clinic/test_access_log_chain.py).

The tests are transactional (the runtime role only sees committed rows) and restore the
migrated reference data with serialized_rollback.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from clinic.audit import record_access
from clinic.models import AccessEvent
from clinic.roles import Role
from tests.factories import QuestionnaireFactory, UserFactory, VialFactory

psycopg = pytest.importorskip("psycopg")

# PostgreSQL with a runtime role (.ci/postgres.sh): the markers of every test that connects
# as that role (here, test_db_roles_never_deleted.py, test_session_withdraw_db.py).
RUNTIME_ROLE_MARKS = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles"),
    pytest.mark.skipif(
        not getattr(settings, "DATABASE_RUNTIME_ROLE", ""),
        reason="no runtime role (set DATABASE_OWNER_URL: source .ci/postgres.sh start)",
    ),
]

pytestmark = [
    *RUNTIME_ROLE_MARKS,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # From empty tables to the migrated rows, and a plain flush on leaving (tests/conftest.py).
    pytest.mark.usefixtures("migrated_reference_data"),
]


def runtime_credentials() -> dict:
    parsed = dj_database_url.parse(settings.DATABASE_RUNTIME_URL)
    return {"USER": parsed["USER"], "PASSWORD": parsed["PASSWORD"]}


@contextmanager
def runtime_connection():
    """Raw psycopg, as the runtime role, to the TEST database; closed on leaving, once its
    server process has gone too (runtime_backends_gone)."""
    owner = connection.settings_dict
    conn = psycopg.connect(
        dbname=owner["NAME"],
        host=owner["HOST"] or None,
        port=owner["PORT"] or None,
        user=runtime_credentials()["USER"],
        password=runtime_credentials()["PASSWORD"],
        autocommit=True,
    )
    try:
        yield conn
    finally:
        conn.close()
        runtime_backends_gone()


def runtime_backends_gone(timeout: float = 10.0) -> None:
    """Wait until no server process of the runtime role is left on the test database. A
    closed connection's process exits a moment later; these tests run last on their worker
    (transactional), and the worker's DROP DATABASE ... WITH (FORCE) at the end of the run,
    as the owner, may not end another role's process ("must be a member of the role whose
    process is being terminated"). The statistics snapshot is cleared each time: inside a
    transaction (a test that is not transactional) pg_stat_activity would not change."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND usename = %s",
                [runtime_credentials()["USER"]],
            )
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.02)


@contextmanager
def default_connection_as_runtime_role():
    """Django's default connection logged in as the runtime role for the block (the owner's
    rows made before it), then the owner's again, once the role's process has gone."""
    owner = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(runtime_credentials())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.DATABASE_RUNTIME_ROLE
        yield
    finally:
        connection.close()
        connection.settings_dict.update(owner)
        runtime_backends_gone()


# The ordinary work, through the services (tests/treatments/test_services.py helpers).


def register_and_sign(reception, practitioner):
    from patients import services as patient_services
    from tests.patients.test_services import registration
    from tests.treatments.session_helpers import save, start
    from treatments import services

    patient = patient_services.patient_register(registered_by=reception, **registration())
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    session = save(start(patient, practitioner, "chronic-migraine", "botox"), practitioner)
    session = services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    services.session_add_addendum(
        session=session, author=practitioner, reason="Wrong side", text="Point 3 was right"
    )
    return patient, session


def write_access_event(rf, user, patient):
    request = rf.get(patient.get_absolute_url(), REMOTE_ADDR="10.9.8.7")
    request.user = user
    record_access(request, action="patient.view", patient=patient)


@pytest.fixture
def staff(db):
    return (
        UserFactory(username="rita", role=Role.RECEPTION),
        UserFactory(username="amelia", role=Role.PRACTITIONER),
    )


@pytest.fixture
def signed_world(staff, rf):
    """Committed rows: a patient (with history), a signed session with points, draws, a
    finding and an addendum, and two access events."""
    from treatments.models import SessionFinding

    reception, practitioner = staff
    patient, session = register_and_sign(reception, practitioner)
    if not session.findings.exists():  # an INSERT: allowed even once signed
        SessionFinding.objects.create(
            session=session, code="test.finding", level="warn", message="A finding",
            source="test", recorded_by=practitioner, recorded_at=session.signed_at,
        )  # fmt: skip
    for _ in range(2):
        write_access_event(rf, practitioner, patient)
    assert session.points.exists() and session.draws.exists() and session.addenda.exists()
    return {"patient": patient.pk, "session": session.pk, "vial": session.draws.first().vial_id}


REFUSED = [
    # The access log: no TRUNCATE, UPDATE, DELETE, and its guard cannot be switched off.
    "TRUNCATE clinic_accessevent",
    "DELETE FROM clinic_accessevent",
    "UPDATE clinic_accessevent SET username = 'mallory'",
    "ALTER TABLE clinic_accessevent DISABLE TRIGGER ALL",
    "ALTER TABLE clinic_accessevent DISABLE TRIGGER clinic_accessevent_append_only",
    "DROP TRIGGER clinic_accessevent_append_only ON clinic_accessevent",
    "DROP TRIGGER clinic_accessevent_chain ON clinic_accessevent",
    "CREATE OR REPLACE FUNCTION clinic_accessevent_refuse_change() RETURNS trigger"
    " AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION clinic_accessevent_chain() RETURNS trigger"
    " AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
    "ALTER TABLE clinic_accessevent OWNER TO CURRENT_USER",
    "SET clinic.allow_access_log_truncate = on; TRUNCATE clinic_accessevent",
    "SET session_replication_role = replica; DELETE FROM clinic_accessevent",
    "CREATE TABLE clinic_sneaky (id int)",
    "UPDATE django_migrations SET name = name",
    # History tables: INSERT and SELECT only.
    "UPDATE patients_historicalpatient SET family_name = 'Changed'",
    "DELETE FROM patients_historicalpatient",
    "TRUNCATE patients_historicalpatient",
    "UPDATE treatments_historicaltreatmentsession SET notes = 'changed'",
    "DELETE FROM treatments_historicaltreatmentsession",
    # A signed session and its rows.
    "UPDATE treatments_treatmentsession SET notes = 'changed' WHERE id = {session}",
    "UPDATE treatments_treatmentsession SET status = 'draft' WHERE id = {session}",
    "DELETE FROM treatments_treatmentsession WHERE id = {session}",
    "UPDATE treatments_injectionpoint SET units = units + 1 WHERE session_id = {session}",
    "DELETE FROM treatments_injectionpoint WHERE session_id = {session}",
    "UPDATE treatments_sessionfinding SET override_reason = 'x' WHERE session_id = {session}",
    "DELETE FROM treatments_sessionfinding WHERE session_id = {session}",
    "UPDATE treatments_sessionaddendum SET text = 'rewritten' WHERE session_id = {session}",
    "DELETE FROM treatments_sessionaddendum WHERE session_id = {session}",
    "UPDATE treatments_vialdraw SET units = units + 1 WHERE session_id = {session}",
    "DELETE FROM treatments_vialdraw WHERE session_id = {session}",
    "TRUNCATE treatments_treatmentsession CASCADE",
    # What the signed session records of its vial (treatments migration 0039).
    "UPDATE treatments_vial SET lot = 'REWRITTEN' WHERE id = {vial}",
    "UPDATE treatments_vial SET expiry = expiry + 365 WHERE id = {vial}",
    "UPDATE treatments_vial SET diluent_ml = diluent_ml * 2 WHERE id = {vial}",
    "DELETE FROM treatments_vial WHERE id = {vial}",
]


def counts(cursor, session_id) -> dict:
    queries = {
        "events": "SELECT count(*), max(chain_seq) FROM clinic_accessevent",
        "history": "SELECT count(*) FROM patients_historicalpatient",
        "session": "SELECT status, notes FROM treatments_treatmentsession WHERE id = %(s)s",
        "points": "SELECT count(*), sum(units) FROM treatments_injectionpoint"
        " WHERE session_id = %(s)s",
        "rows": "SELECT (SELECT count(*) FROM treatments_sessionfinding WHERE session_id = %(s)s),"
        " (SELECT count(*) FROM treatments_sessionaddendum WHERE session_id = %(s)s),"
        " (SELECT sum(units) FROM treatments_vialdraw WHERE session_id = %(s)s)",
        "vial": "SELECT lot, expiry, diluent_ml FROM treatments_vial WHERE id ="
        " (SELECT min(vial_id) FROM treatments_vialdraw WHERE session_id = %(s)s)",
    }
    return {
        name: cursor.execute(sql, {"s": session_id}).fetchone() for name, sql in queries.items()
    }


def test_runtime_role_cannot_rewrite_the_log_history_or_signed_sessions(signed_world):
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        assert cursor.execute("SELECT current_user").fetchone()[0] == settings.DATABASE_RUNTIME_ROLE
        before = counts(cursor, signed_world["session"])
        accepted = []
        for statement in REFUSED:
            sql = statement.format(**signed_world)
            try:
                with runtime.transaction():
                    cursor.execute(sql)
            except psycopg.Error as refused:
                print(f"{sql[:60]!r:65} -> {str(refused).splitlines()[0]}")  # shown with -s
                continue
            accepted.append(sql)
        assert accepted == []
        assert counts(cursor, signed_world["session"]) == before


# A row added to a session: the same statement for a signed and a draft session (%(s)s), so
# that a refusal is the trigger's and not a constraint's.
NEW_ROWS = {
    "treatments_injectionpoint": 'INSERT INTO treatments_injectionpoint ("order", side, units,'
    ' volume_ml, points, site_id, session_id) SELECT "order" + 100, side, units, volume_ml,'
    " points, site_id, %(s)s FROM treatments_injectionpoint WHERE session_id = %(signed)s LIMIT 1",
    "treatments_sessionfinding": "INSERT INTO treatments_sessionfinding (code, level, message,"
    " source, override_reason, recorded_at, recorded_by_id, session_id) SELECT 'forged', level,"
    " message, source, '', recorded_at, recorded_by_id, %(s)s FROM treatments_sessionfinding"
    " WHERE session_id = %(signed)s LIMIT 1",
    "treatments_vialdraw": "INSERT INTO treatments_vialdraw (units, session_id, vial_id)"
    " VALUES (1, %(s)s, %(vial)s)",
    "treatments_sessionvial": "INSERT INTO treatments_sessionvial (position, session_id, vial_id)"
    " VALUES (1, %(s)s, %(vial)s)",
}


@pytest.fixture
def draft_and_vial(signed_world, staff):
    """Committed: a draft session of the signed one's patient, and an unused vial."""
    from tests.treatments.session_helpers import start
    from treatments.models import TreatmentSession

    _, practitioner = staff
    patient = TreatmentSession.objects.get(pk=signed_world["session"]).patient
    draft = start(patient, practitioner, "chronic-migraine", "botox")
    return {"draft": draft.pk, "vial": VialFactory(received_by=practitioner).pk}


def test_nothing_can_be_added_to_a_signed_session(signed_world, draft_and_vial):
    """An INSERT into a signed session's points, findings, draws or further vials is
    refused for the runtime role (treatments migration 0038); the same INSERT into a draft
    passes, and an addendum (the way to correct a signed session) still can be added."""
    ids = {"signed": signed_world["session"], "vial": draft_and_vial["vial"]}
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        before = counts(cursor, signed_world["session"])
        for table, sql in NEW_ROWS.items():
            refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"{table} of a")
            with refused, runtime.transaction():
                cursor.execute(sql, {**ids, "s": signed_world["session"]})
            with runtime.transaction():
                cursor.execute(sql, {**ids, "s": draft_and_vial["draft"]})
                assert cursor.rowcount == 1, table
        assert counts(cursor, signed_world["session"]) == before
        with runtime.transaction():
            cursor.execute(
                "INSERT INTO treatments_sessionaddendum (reason, text, created_at, author_id,"
                " session_id) SELECT 'Typo', 'Corrected', now(), author_id, session_id"
                " FROM treatments_sessionaddendum WHERE session_id = %s LIMIT 1",
                [signed_world["session"]],
            )
            assert cursor.rowcount == 1


def test_a_vial_drawn_by_a_signed_session_can_still_be_discarded(signed_world):
    """Its closing changes after its sessions are signed; only what they record is fixed."""
    with runtime_connection() as runtime, runtime.cursor() as cursor, runtime.transaction():
        cursor.execute(
            "UPDATE treatments_vial SET discarded_at = now(), discard_reason = 'Empty',"
            " drawn_at_discard = presentation_units, version = version + 1 WHERE id = %s",
            [signed_world["vial"]],
        )
        assert cursor.rowcount == 1


def test_the_owner_may_add_a_signed_sessions_rows_as_the_loaders_do(signed_world, draft_and_vial):
    """seed_demo's bulk replay and the report seed write a signed session's rows after it,
    as the owner (a restore too): the INSERT guard lets the owner through."""
    from treatments.models import SessionVial

    SessionVial.objects.create(session_id=signed_world["session"], vial_id=draft_and_vial["vial"])
    assert SessionVial.objects.filter(session_id=signed_world["session"]).count() == 1


def test_the_session_flag_no_longer_lets_truncate_through(signed_world):
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), runtime.transaction():
            cursor.execute("SET LOCAL clinic.allow_access_log_truncate = on")
            cursor.execute("TRUNCATE clinic_accessevent")
        refused = "treatment session {session} is signed".format(**signed_world)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=refused):
            cursor.execute(
                "UPDATE treatments_treatmentsession SET notes = 'x' WHERE id = %s",
                [signed_world["session"]],
            )


def test_runtime_role_may_insert_and_read_the_log(signed_world):
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        (last,) = cursor.execute("SELECT max(chain_seq) FROM clinic_accessevent").fetchone()
        seq, prev_hash = cursor.execute(
            "INSERT INTO clinic_accessevent (occurred_at, username, role, action, object_ref,"
            " method, path, status_code, chain_seq, prev_hash, row_hash)"
            " VALUES (now(), 'runtime', '', 'patient.view', '', 'GET', '/', 200, 999, 'forged',"
            " 'forged') RETURNING chain_seq, prev_hash"
        ).fetchone()
        assert seq == last + 1  # whatever the writer sends, the trigger chains the row
        assert prev_hash == AccessEvent.objects.get(chain_seq=last).row_hash
        assert cursor.execute("SELECT count(*) FROM clinic_accessevent").fetchone()[0] == 3
    call_command("verify_access_log", progress_every=0)


def test_the_app_works_as_the_runtime_role_through_the_orm(staff, rf):
    """Registration, a session started, saved, signed and amended, an access event: all
    through the services, on a default connection that logs in as the runtime role."""
    reception, practitioner = staff
    VialFactory(received_by=practitioner)  # the owner's setup; the rest is the app's work
    with default_connection_as_runtime_role():
        patient, session = register_and_sign(reception, practitioner)
        write_access_event(rf, practitioner, patient)
        assert session.is_signed and session.addenda.count() == 1
        # Written in the statement that signs it, so the INSERT guard lets them through.
        assert session.findings.exists()
        assert patient.history.exists() and session.history.exists()
        assert AccessEvent.objects.get().chain_seq == 1
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessEvent.objects.update(username="mallory")
        with pytest.raises(DatabaseError, match="signed"), transaction.atomic():
            type(session).objects.filter(pk=session.pk).update(notes="changed")


def test_the_owner_can_still_switch_the_guard_off_which_the_chain_reveals(signed_world):
    """The owner owns the tables: privileges cannot stop it, the hash chain shows it."""
    from django.core.management.base import CommandError

    from treatments.models import InjectionPoint

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE clinic_accessevent DISABLE TRIGGER clinic_accessevent_append_only"
            )
            cursor.execute("UPDATE clinic_accessevent SET username = 'mallory' WHERE chain_seq = 1")
            cursor.execute(
                "ALTER TABLE clinic_accessevent ENABLE TRIGGER clinic_accessevent_append_only"
            )
        with pytest.raises(CommandError, match=r"chain_seq 1 .*content hash differs"):
            call_command("verify_access_log", progress_every=0)
        transaction.set_rollback(True)
    # The signed-session triggers fire for every role, the owner included.
    with pytest.raises(DatabaseError, match="signed"), transaction.atomic():
        InjectionPoint.objects.filter(session_id=signed_world["session"]).update(units=Decimal("1"))
    call_command("verify_access_log", progress_every=0)


def test_a_start_beside_a_draft_records_its_reason_as_the_runtime_role(staff):
    """Code review (07/12/2026): the reason was written by an UPDATE of the history row,
    which the runtime role may not do (history is INSERT-only for it): every start beside
    an unsigned session would have failed in production. It is written with the row."""
    from tests.treatments.session_helpers import indication, product, ready_patient_for, start
    from treatments import services

    _, practitioner = staff
    patient = ready_patient_for(practitioner)
    VialFactory(received_by=practitioner)
    with default_connection_as_runtime_role():
        draft = start(patient, practitioner, "chronic-migraine", "botox", vial=False)
        session = services.session_start(
            patient=patient,
            practitioner=practitioner,
            indication=indication("cervical-dystonia"),
            product=product("botox"),
            other_drafts=[draft],
            acknowledge_drafts=True,
        )
        created = session.history.get(history_type="+")
    assert created.history_change_reason == (
        "Started anyway beside an unsigned session (BOTOX for Chronic migraine prophylaxis)"
    )


# Security review 07/12/2026: a session's temporary tables come first in its search_path,
# before public and even pg_catalog, for table names. A trigger function that names a
# table without a pinned search_path read the runtime role's own temporary table of that
# name: `CREATE TEMP TABLE treatments_treatmentsession (id bigint, status text)` (no
# privilege needed) and an UPDATE of a signed session's points passed (units +100 on
# every point, no history row). clinic.db_roles pins the search_path of every trigger
# function after each migrate.
SHADOWS = (
    "CREATE TEMP TABLE treatments_treatmentsession (id bigint, status text)",
    "CREATE TEMP TABLE treatments_vialdraw (vial_id bigint, session_id bigint)",
    "CREATE TEMP TABLE pg_class (oid oid, relowner oid)",
    "INSERT INTO pg_temp.pg_class SELECT c.oid, r.oid FROM pg_catalog.pg_class c, pg_roles r"
    " WHERE c.relname LIKE 'treatments%%' AND c.relkind = 'r' AND r.rolname = current_user",
)


def _public(sql: str) -> str:
    """The statement with its tables named in public, past the temporary shadows."""
    return sql.replace(" treatments_", " public.treatments_")


def test_temporary_tables_do_not_shadow_what_the_triggers_read(signed_world, draft_and_vial):
    guarded = [sql for sql in REFUSED if "treatments_" in sql and "TRUNCATE" not in sql]
    ids = {"signed": signed_world["session"], "vial": draft_and_vial["vial"]}
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        before = counts(cursor, signed_world["session"])
        for shadow in SHADOWS:
            cursor.execute(shadow)
        accepted = []
        for statement in guarded:
            sql = _public(statement.format(**signed_world))
            try:
                with runtime.transaction():
                    cursor.execute(sql)
            except psycopg.Error:
                continue
            accepted.append(sql)
        for sql in NEW_ROWS.values():
            try:
                with runtime.transaction():
                    cursor.execute(_public(sql), {**ids, "s": signed_world["session"]})
            except psycopg.Error:
                continue
            accepted.append(sql)
        assert accepted == []
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        assert counts(cursor, signed_world["session"]) == before


def test_every_trigger_function_pins_its_search_path(signed_world):
    """A trigger function added (or replaced: CREATE OR REPLACE drops its SET clause) by a
    later migration is pinned too, by the next migrate."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.proconfig FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
        )
        functions = cursor.fetchall()
    assert functions
    unpinned = [
        name
        for name, config in functions
        if not any(setting.startswith("search_path=pg_catalog,") for setting in config or [])
    ]
    assert unpinned == []


def test_a_reviewed_questionnaire_is_final(staff):
    """Security review (07/12/2026): the runtime role could rewrite a reviewed
    questionnaire's answers (what every later session's checks read) with no history row.
    Refused once reviewed; the review itself, and an unreviewed questionnaire, still go."""
    from patients.models import IntakeQuestionnaire, PriorTreatment
    from patients.services import questionnaire_mark_reviewed

    reception, practitioner = staff
    pending = QuestionnaireFactory(entered_by=reception, bleeding_risk=True)
    reviewed = QuestionnaireFactory(entered_by=reception, bleeding_risk=True)
    questionnaire_mark_reviewed(questionnaire=reviewed, reviewed_by=practitioner, note="ok")
    prior = PriorTreatment.objects.create(
        questionnaire=reviewed,
        patient=reviewed.patient,
        treated_on=date(2025, 6, 1),
        product_other="A toxin abroad",
        area="Forehead",
    )
    questionnaire = "UPDATE patients_intakequestionnaire SET {} WHERE id = %s"
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        for change in ("bleeding_risk = false", "review_note = 'x'", "reviewed_at = NULL"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="reviewed"):
                cursor.execute(questionnaire.format(change), [reviewed.pk])
        # An unreviewed one is still the app's to change, and its review goes through.
        cursor.execute(
            questionnaire.format("bleeding_risk = false, updated_at = now()"), [pending.pk]
        )
        # A save that changes nothing but updated_at.
        cursor.execute(questionnaire.format("updated_at = now()"), [reviewed.pk])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="reviewed"):
            cursor.execute(
                "UPDATE patients_priortreatment SET area = 'x' WHERE id = %s", [prior.pk]
            )
    questionnaire_mark_reviewed(questionnaire=pending, reviewed_by=practitioner)
    reviewed.refresh_from_db()
    assert reviewed.bleeding_risk is True and reviewed.review_note == "ok"
    assert IntakeQuestionnaire.objects.get(pk=pending.pk).reviewed_at is not None
