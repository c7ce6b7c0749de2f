"""Emptying the PostgreSQL test database between transactional tests without TRUNCATE
(issue 14.6: the suite's time).

Django empties the database after every transactional test (the browser tests, the
serialized_rollback tests) with one `TRUNCATE` of all 93 tables. TRUNCATE gives each
table, index and TOAST table a new file and drops the old ones: about 600 files, 0.6-0.75 s
on these machines (ext4 mounted with `discard`), twice for most browser tests, about a
fifth of the browser tests' time. Most of those tables are empty, and a test leaves a few
dozen rows in the others.

Here the same flush, in one statement (a DO block):

1. finds which of the tables hold rows (one `EXISTS` each);
2. TRUNCATEs the filled tables whose own triggers refuse to DELETE their rows (the
   append-only access log always; a session and its rows once signed), tried in a
   subtransaction that is rolled back, with every table that refers to them, as TRUNCATE
   requires; the triggers and grants keep refusing what they refuse;
3. DELETEs the rows of the other filled tables. Every foreign key is DEFERRABLE INITIALLY
   DEFERRED (Django's own), so the order does not matter: they are checked at commit.

The result is the one TRUNCATE gives: every table Django lists is empty. TRUNCATE also
fires `AFTER TRUNCATE` triggers, which DELETE does not; the only one, on patients
(patients migration 0016), empties the search's name lists, so those are emptied here as
well. Any other TRUNCATE trigger found in the database makes the flush fall back to
Django's TRUNCATE, which stays correct (tests/clinic/test_fast_flush.py fails then, so
that the new trigger's effect is added here).

Django's own flush is used unchanged with `reset_sequences` or `allow_cascade`, and on
SQLite (whose flush is a DELETE per table already).
"""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

# TRUNCATE triggers whose effect the DELETEs repeat: (table, trigger) -> tables it empties.
TRUNCATE_EFFECTS = {
    ("patients_patient", "patients_search_names_truncate"): (
        "patients_search_surname",
        "patients_search_given_name",
    ),
}

FLUSH = """
DO $flush$
DECLARE
    listed text[] := %(listed)s;
    name text;
    has_rows boolean;
    filled text[] := '{}';
    refused text[] := '{}';
    truncated text[] := '{}';
BEGIN
    FOREACH name IN ARRAY listed LOOP
        EXECUTE format('SELECT EXISTS (SELECT FROM %%I)', name) INTO has_rows;
        IF has_rows THEN
            filled := filled || name;
        END IF;
    END LOOP;
    -- A filled table with a DELETE trigger of its own: DELETE in a subtransaction that is
    -- always rolled back, to learn whether the trigger refuses these rows.
    FOR name IN
        SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND t.tgtype & 8 <> 0 AND c.relname = ANY (filled)
           AND c.relnamespace = current_schema()::regnamespace
    LOOP
        BEGIN
            EXECUTE format('DELETE FROM %%I', name);
            RAISE SQLSTATE 'CLFL0';
        EXCEPTION
            WHEN SQLSTATE 'CLFL0' THEN NULL;
            WHEN OTHERS THEN refused := refused || name;
        END;
    END LOOP;
    IF cardinality(refused) > 0 THEN
        WITH RECURSIVE closure(oid) AS (
            SELECT c.oid FROM pg_class c
             WHERE c.relname = ANY (refused)
               AND c.relnamespace = current_schema()::regnamespace
            UNION
            SELECT k.conrelid FROM pg_constraint k JOIN closure ON k.confrelid = closure.oid
             WHERE k.contype = 'f'
        )
        SELECT array_agg(c.relname) INTO truncated FROM closure JOIN pg_class c USING (oid);
        EXECUTE 'TRUNCATE ' || (SELECT string_agg(format('%%I', t), ', ') FROM unnest(truncated) t);
    END IF;
    FOREACH name IN ARRAY filled LOOP
        IF NOT name = ANY (truncated) THEN
            EXECUTE format('DELETE FROM %%I', name);
        END IF;
    END LOOP;
END
$flush$
"""

django_sql_flush = DatabaseOperations.sql_flush
_known_triggers: dict[str, bool] = {}  # database name -> its TRUNCATE triggers are known


def truncate_triggers(connection) -> set[tuple[str, str]]:
    """The database's own AFTER TRUNCATE triggers: (table, trigger) pairs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgtype & 32 <> 0 AND t.tgtype & 2 = 0"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
        return set(cursor.fetchall())


def applies(connection) -> bool:
    """Whether the flush without TRUNCATE gives this database what TRUNCATE gives it."""
    name = connection.settings_dict["NAME"]
    if name not in _known_triggers:
        _known_triggers[name] = truncate_triggers(connection) <= set(TRUNCATE_EFFECTS)
    return _known_triggers[name]


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or allow_cascade or not applies(self.connection):
        return django_sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    emptied = [table for effects in TRUNCATE_EFFECTS.values() for table in effects]
    names = [*tables, *(table for table in emptied if table not in tables)]
    if any(not name.replace("_", "").isalnum() for name in names):
        raise ValueError(f"unexpected table name among {names!r}")
    listed = "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]::text[]"
    return [FLUSH % {"listed": listed}]


def flush_without_truncate() -> None:
    """Install the flush above (pytest_configure)."""
    DatabaseOperations.sql_flush = sql_flush
