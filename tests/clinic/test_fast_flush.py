"""The test database's flush without TRUNCATE (tests/fast_flush.py) leaves the database as
Django's TRUNCATE leaves it: every table empty, the search's name lists too. It truncates
only the tables whose own triggers refuse a DELETE (the access log; a signed session and
what refers to it)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from clinic.models import AccessEvent
from tests import fast_flush
from tests.factories import TreatmentSessionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VOCABULARY = ("patients_search_surname", "patients_search_given_name")


def flush() -> None:
    """As TransactionTestCase empties the database after a test."""
    call_command(
        "flush",
        interactive=False,
        verbosity=0,
        reset_sequences=False,
        inhibit_post_migrate=True,
    )


def filled_tables() -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    filled = []
    with connection.cursor() as cursor:
        for table in [*tables, *VOCABULARY]:
            name = connection.ops.quote_name(table)  # the database's own table names
            cursor.execute(f"SELECT EXISTS (SELECT FROM {name})")  # noqa: S608
            if cursor.fetchone()[0]:
                filled.append(table)
    return filled


def file_of(table: str) -> int:
    """The table's file: TRUNCATE gives it a new one, DELETE keeps it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relfilenode FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def refuse_to_delete(session) -> None:
    """The database's own guard (treatments migration 0012), below the ORM's PROTECT."""
    with (
        pytest.raises(DatabaseError, match="is signed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM treatments_treatmentsession WHERE id = %s", [session.pk])


def a_draft_and_an_access_event():
    draft = TreatmentSessionFactory(points=2)
    AccessEvent.objects.create(
        username="amelia", action="patient.view", method="GET", path="/p/", status_code=200
    )
    return draft


def test_a_draft_is_deleted_and_the_access_log_truncated():
    a_draft_and_an_access_event()
    filled = filled_tables()
    assert {"treatments_treatmentsession", "patients_patient", "clinic_accessevent"} <= set(filled)
    assert set(VOCABULARY) <= set(filled)  # the patients' names, kept by a trigger
    sessions, log = file_of("treatments_treatmentsession"), file_of("clinic_accessevent")

    flush()

    assert filled_tables() == []
    assert file_of("treatments_treatmentsession") == sessions  # deleted, not truncated
    assert file_of("clinic_accessevent") != log  # append-only: truncated


def test_a_signed_session_is_truncated_with_what_refers_to_it():
    signed = TreatmentSessionFactory(signed=True, points=3)
    refuse_to_delete(signed)  # the guard is on
    sessions, points = file_of("treatments_treatmentsession"), file_of("treatments_injectionpoint")
    patients = file_of("patients_patient")

    flush()

    assert filled_tables() == []
    assert file_of("treatments_treatmentsession") != sessions
    assert file_of("treatments_injectionpoint") != points
    assert file_of("patients_patient") == patients  # refers to nothing signed: deleted


def test_the_flush_in_use_is_this_one_and_an_unknown_truncate_trigger_falls_back(
    monkeypatch,
):
    tables = ["treatments_treatmentsession"]
    assert fast_flush.applies(connection)  # the database's TRUNCATE triggers are known
    assert connection.ops.sql_flush(_Style(), tables)[0].lstrip().startswith("DO $flush$")
    # A trigger whose effect the DELETEs would not repeat: Django's TRUNCATE again.
    monkeypatch.setattr(fast_flush, "_known_triggers", {})
    known = fast_flush.truncate_triggers(connection)
    monkeypatch.setattr(
        fast_flush, "truncate_triggers", lambda _: {*known, ("patients_patient", "x")}
    )
    assert not fast_flush.applies(connection)
    sql = connection.ops.sql_flush(_Style(), tables)
    assert sql == ['TRUNCATE "treatments_treatmentsession";']


class _Style:
    def __getattr__(self, _name):
        return lambda text: text
