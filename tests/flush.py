"""Transactional tests empty the PostgreSQL test database with DELETE, not TRUNCATE.

After each transactional test (the browser tests, the race and role tests: ~80 a run)
Django's flush TRUNCATEs every table: on PostgreSQL each truncated table and index gets new
files and its cached descriptions are thrown away, about 5 ms a table whether it held rows
or not, so 0.4-0.6 s for the 93 tables (measured here, 06/12/2026). Such a test leaves rows
in a score of tables, a few each (the reference data restored for it, ~1,100 rows, and
what it wrote). Here one SELECT finds the tables that hold rows, and those are emptied
with DELETE in one transaction, the foreign keys checked before its end (Django makes
them deferrable): 0.05-0.09 s after a browser test.

What the TRUNCATE did and a DELETE would not, done here too:
- the triggers that refuse DELETE (the access log is append-only; a signed session and
  its rows are immutable: clinic and treatments migrations) and the patients' name
  tables' upkeep are switched off for the transaction (ALTER TABLE ... DISABLE TRIGGER
  USER, as the owner the tests connect as; switched on again before the commit);
- the tables of distinct names that search reads (patients migration 0016), emptied by
  a trigger on TRUNCATE of patients, are not Django's models: every table of the schema
  but django_migrations is emptied, as after Django's flush.

Nothing else changes: the post_migrate signal is sent as Django's flush sends it, and
SQLite (whose flush is already DELETE), reset_sequences and available_apps keep Django's
flush. The test_flush tests hold that every table is empty afterwards, signed sessions and
access events included."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.test import TransactionTestCase

KEPT = {"django_migrations"}  # the migrations applied: Django's flush keeps it too


def empty_tables(connection) -> list[str]:
    """Empty every table of the schema but KEPT (PostgreSQL): return those that held
    rows. As the tables' owner (clinic/settings/test.py connects as it), as Django's
    flush must be to TRUNCATE the access log."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND NOT relispartition "
            "AND relnamespace = current_schema()::regnamespace ORDER BY relname"
        )
        tables = [name for (name,) in cursor.fetchall() if name not in KEPT]
        cursor.execute(
            " UNION ALL ".join(
                f"(SELECT {i} FROM {quote(name)} LIMIT 1)"  # noqa: S608 (the schema's own tables)
                for i, name in enumerate(tables)
            )
        )
        holding = [tables[i] for (i,) in cursor.fetchall()]
        if not holding:
            return []
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
            "AND c.relname = ANY(%s) ORDER BY c.relname",
            [holding],
        )
        guarded = [name for (name,) in cursor.fetchall()]
        with transaction.atomic(using=connection.alias):
            for name in guarded:
                cursor.execute(f"ALTER TABLE {quote(name)} DISABLE TRIGGER USER")
            for name in holding:
                cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608
            # The foreign keys' checks now: a table with pending ones cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name in guarded:
                cursor.execute(f"ALTER TABLE {quote(name)} ENABLE TRIGGER USER")
    return holding


def flush(alias: str, *, inhibit_post_migrate: bool) -> None:
    """Django's `flush` (verbosity 0, not interactive, sequences kept), by DELETE on
    PostgreSQL."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=alias,
            reset_sequences=False,
            inhibit_post_migrate=inhibit_post_migrate,
        )
        return
    empty_tables(connection)
    if not inhibit_post_migrate:
        emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)


def transactional_tests_flush_by_delete() -> None:
    """TransactionTestCase's teardown (Django's own, with `flush` above)."""
    django_teardown = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if self.available_apps is not None or self.reset_sequences:
            return django_teardown(self)
        for alias in self._databases_names(include_mirrors=False):
            serialized = self.serialized_rollback and hasattr(
                connections[alias], "_test_serialized_contents"
            )
            flush(alias, inhibit_post_migrate=serialized)

    TransactionTestCase._fixture_teardown = _fixture_teardown
