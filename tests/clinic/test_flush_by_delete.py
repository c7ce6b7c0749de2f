"""The transactional tests' flush by DELETE (tests/flush.py) on PostgreSQL: every table is
empty afterwards, those the database guards (the append-only access log, a signed session
and its points) and the search's tables of names included, and the guards are on again."""

import pytest
from django.db import DatabaseError, connection, transaction

from clinic.models import AccessEvent
from tests import flush
from tests.factories import PatientFactory, TreatmentSessionFactory
from treatments.models import TreatmentSession

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE flush: PostgreSQL"),
    # The reference data (a session's indication) restored for the test, as for the
    # browser tests: a transactional test before it on this worker emptied the tables.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def rows_per_table() -> dict[str, int]:
    """Each table of the schema but django_migrations with its number of rows (an
    independent count, not the flush's own check)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'django_migrations'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for name in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def test_every_table_is_emptied_guarded_ones_included_and_the_guards_stay(
    practitioner_client, practitioner
):
    signed = TreatmentSessionFactory(practitioner=practitioner, signed=True, points=3)
    assert practitioner_client.get(f"/patients/{signed.patient.public_id}/").status_code == 200
    PatientFactory(family_name="Okonkwo-Flush")
    before = rows_per_table()
    for table in (
        "clinic_accessevent",
        "treatments_treatmentsession",
        "treatments_injectionpoint",
        "patients_search_surname",
        "auth_permission",
    ):
        assert before[table] > 0, table
    with pytest.raises(DatabaseError), transaction.atomic():  # DELETE is refused...
        TreatmentSession.objects.filter(pk=signed.pk).delete()

    emptied = flush.empty_tables(connection)  # ...and the flush empties it all the same

    assert sorted(emptied) == sorted(name for name, rows in before.items() if rows)
    assert {name: rows for name, rows in rows_per_table().items() if rows} == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")
        assert cursor.fetchone()[0] == 0  # every trigger on again
    # The access log refuses DELETE again.
    AccessEvent.objects.create(
        username="rita", action="patient.search", method="GET", path="/patients/", status_code=200
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert flush.empty_tables(connection) == ["clinic_accessevent"]
    assert flush.empty_tables(connection) == []  # nothing held: nothing written
