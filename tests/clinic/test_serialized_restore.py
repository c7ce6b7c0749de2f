"""serialized_rollback's restore in bulk (tests/worker_databases.py): after a flush, the
migrated rows come back exactly as Django's own row-by-row restore brings them back,
many-to-many rows included."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from tests import worker_databases
from treatments.models import Indication


@pytest.mark.usefixtures("migrated_reference_data")  # leaves the database as a flush does
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flushed_database_is_restored_row_for_row():
    migrated = worker_databases.contents_serialized_at_setup()
    rows = json.loads(migrated)
    assert len(rows) > 500  # permissions, content types, the reference data
    assert any(row["fields"].get("permissions") for row in rows if row["model"] == "auth.group")
    # Django's own restore, row by row, then ours: the same rows. (Not compared with
    # `migrated` itself: the JSON keeps milliseconds, so a timestamp of 11.000345 s comes
    # back as 11 s, from either restore.)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    worker_databases.django_deserialize(connection.creation, migrated)
    expected = connection.creation.serialize_db_to_string()
    assert len(json.loads(expected)) == len(rows)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not Indication.objects.exists()
    assert type(connection.creation).deserialize_db_from_string is not (
        worker_databases.django_deserialize
    )  # the bulk restore is the one in use
    connection.creation.deserialize_db_from_string(migrated)
    assert connection.creation.serialize_db_to_string() == expected
    # The many-to-many rows are back: each role's permissions as migrated.
    granted = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert granted and all(granted.values()), granted
