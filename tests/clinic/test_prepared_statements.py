"""Statements prepared on the PostgreSQL server (clinic/postgresql/prepared_statements.py):
the settings turn server-side binding and psycopg's automatic preparation on, a repeated
statement really is prepared on the connection, and a string of several statements (the
patient search's planner settings) still runs."""

import pytest
from django.db import connection

from clinic.postgresql.prepared_statements import apply_to
from patients.models import Patient
from patients.selectors.search import patient_search
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = {"ENGINE": "clinic.postgresql", "OPTIONS": {"options": "-c lock_timeout=5000"}}


def test_on_by_default_prepared_at_the_second_run():
    database = apply_to({**POSTGRESQL, "OPTIONS": dict(POSTGRESQL["OPTIONS"])}, environ={})
    assert database["OPTIONS"] == {
        "options": "-c lock_timeout=5000",
        "server_side_binding": True,
        "prepare_threshold": 1,
    }


@pytest.mark.parametrize("value", ["off", "0", "", "None"])
def test_off_keeps_djangos_client_side_binding(value):
    database = apply_to(
        {**POSTGRESQL, "OPTIONS": {}}, environ={"DATABASE_PREPARE_THRESHOLD": value}
    )
    assert database["OPTIONS"] == {}


def test_a_threshold_and_sqlite_untouched():
    database = apply_to({**POSTGRESQL, "OPTIONS": {}}, environ={"DATABASE_PREPARE_THRESHOLD": "2"})
    assert database["OPTIONS"]["prepare_threshold"] == 2
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}}
    assert apply_to(sqlite, environ={})["OPTIONS"] == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepared statements")
def test_a_repeated_statement_is_prepared_on_the_connection():
    """The test settings are the app's: a query run more times than the threshold is in
    the session's pg_prepared_statements, and answers as before."""
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if threshold is None:
        pytest.skip("DATABASE_PREPARE_THRESHOLD=off in this environment")
    patient = PatientFactory()
    for _ in range(threshold + 1):
        assert Patient.objects.filter(pk=patient.pk).values_list("pk", flat=True)[0] == patient.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "patients_patient"%'],
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('WHERE "patients_patient"."id" = $1' in text for text in prepared), prepared


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepared statements")
def test_the_search_with_its_planner_settings_runs_on_a_client_side_cursor(reception):
    """The search sends SET, the statement and RESET as one string: server-side binding
    refuses that ("cannot insert multiple commands into a prepared statement")."""
    PatientFactory(given_names="Eleanor", family_name="Featherstonehaugh")
    for _ in range(3):
        found = patient_search(user=reception, query="Fetherstonhaugh", limit=5)
        assert [p.family_name for p in found] == ["Featherstonehaugh"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"  # the search's settings ended with it
