"""clinic.migration_ops: indexes added and dropped CONCURRENTLY on PostgreSQL, so a table
stays writable while a large index is built (docs/operations.md, "Upgrading"); plain on
SQLite, which has no such thing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

# Outside a test transaction: PostgreSQL builds an index concurrently only outside one,
# and Django refuses to write the SQL otherwise. One test, so one flush.
pytestmark = pytest.mark.django_db(transaction=True)

MIGRATIONS = [
    ("treatments", "0031_vial_open_index", ["CREATE INDEX"]),
    ("treatments", "0032_vial_lot_upper_index", ["DROP INDEX", "CREATE INDEX"]),
    ("patients", "0019_questionnaire_review_queue_index", ["DROP INDEX", "CREATE INDEX"]),
]


def test_new_indexes_are_built_without_locking_the_table():
    for app, migration, statements in MIGRATIONS:
        out = StringIO()
        call_command("sqlmigrate", app, migration, stdout=out)
        sql = [line for line in out.getvalue().splitlines() if not line.startswith("--")]
        for statement in statements:
            lines = [line for line in sql if line.startswith(statement)]
            assert lines, (migration, statement, sql)
            if connection.vendor == "postgresql":
                assert all(line.startswith(f"{statement} CONCURRENTLY") for line in lines)
            else:
                assert not any("CONCURRENTLY" in line for line in lines), lines
