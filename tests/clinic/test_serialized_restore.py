"""serialized_rollback's restore in bulk (tests/worker_databases.py): after a flush, the
migrated rows come back exactly as Django serialized them when it set up the test
database, many-to-many rows included."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from tests.e2e.conftest import (
    _contents_serialized_at_setup,
    migrated_reference_data,  # noqa: F401 - the module's fixture
)
from treatments.models import Indication


@pytest.mark.usefixtures("migrated_reference_data")  # leaves the database as a flush does
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flushed_database_is_restored_row_for_row():
    migrated = _contents_serialized_at_setup()
    rows = json.loads(migrated)
    assert len(rows) > 500  # permissions, content types, the reference data
    assert any(row["fields"].get("permissions") for row in rows if row["model"] == "auth.group")
    # serialized_rollback restored it before the test; empty it and restore it again.
    assert connection.creation.serialize_db_to_string() == migrated
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not Indication.objects.exists()
    connection.creation.deserialize_db_from_string(migrated)
    assert connection.creation.serialize_db_to_string() == migrated
    # The many-to-many rows are back: each role's permissions as migrated.
    granted = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert granted and all(granted.values()), granted
