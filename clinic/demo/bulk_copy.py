"""Rows into PostgreSQL through COPY (psycopg 3), for seeds of a million rows: one stream
per table, values given by field attname, the rest filled in as the ORM would fill them.

Used by the demo seed's patient loader (clinic.demo.patient_copy) and the report
benchmark's seed (bench/seed_reports.py). PostgreSQL only.
"""

import operator
import time

from django.db import connection


class CopyStream:
    """One `COPY table (columns) FROM STDIN`; use as a context manager.

    `write(row)` takes a dict of field attnames. A field left out gets what
    Model.__init__ and bulk_create would give it: its default (a callable one is called
    for each row, e.g. uuid4), `now` for auto_now / auto_now_add fields, "" or NULL.
    Values filled in this way are written back into `row`, so that a caller can copy
    them into a second table (a history row keeps the patient's public_id). `exclude`
    leaves columns to the database (an identity column's own default)."""

    def __init__(self, cursor, model, *, now=None, exclude=()):
        self.cursor = cursor
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self._attnames = [f.attname for f in self.fields]
        self._defaults = {}  # attname: what a row without it gets
        self._made = []  # (attname, callable default), called for each row without it
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                if now is not None:
                    self._defaults[f.attname] = now
            elif f.has_default() and callable(f.default):
                self._made.append((f.attname, f.default))
            elif f.has_default() or f.null or f.empty_strings_allowed:
                self._defaults[f.attname] = f.get_default()
        # Every other attname must be in each row (KeyError otherwise).
        getter = operator.itemgetter(*self._attnames)
        self._values = getter if len(self._attnames) > 1 else lambda row: (getter(row),)
        self.rows = 0
        self._context = None
        self._copy = None

    def __enter__(self):
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        self._context = self.cursor.copy(sql)
        self._copy = self._context.__enter__()
        return self

    def write(self, row: dict) -> None:
        for attname, make in self._made:
            if attname not in row:
                row[attname] = make()
        try:
            values = self._values({**self._defaults, **row})  # one tuple, in column order
        except KeyError as missing:
            raise KeyError(f"{self.model.__name__}.{missing.args[0]} needs a value") from None
        self._copy.write_row(values)
        self.rows += 1

    def __exit__(self, *exc_info):
        return self._context.__exit__(*exc_info)


def allocate_ids(cursor, model, count: int) -> list[int]:
    """`count` ids from the table's own sequence (safe beside other writers; nothing to
    move on afterwards)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, column, count],
    )
    return [row[0] for row in cursor.fetchall()]


class BulkLoad:
    """A large load into tables that are (nearly) empty: their secondary indexes, outgoing
    foreign keys and the named triggers are set aside before the rows go in, and put back
    afterwards, all in the caller's transaction (PostgreSQL's DDL is transactional: a
    seed that fails or is interrupted leaves every index, key and trigger as it was).

    Maintaining 20 btree and trigram indexes row by row costs several times the COPY
    itself; one sorted build per index after the load costs a fraction of it, and one
    validating query per foreign key replaces a deferred check per row at commit.

    Set aside: indexes that are neither unique nor behind a constraint (primary keys,
    unique constraints and unique indexes stay and keep checking every row), each table's
    FOREIGN KEY constraints, and the triggers named (the caller fills what they would
    have written, set-based, before `restore`). Put back from PostgreSQL's own definitions
    (pg_get_indexdef, pg_get_constraintdef), read just before: the same names, columns,
    operator classes, predicates and deferrability as the migrations made.

    Needs the tables' owner (`owns`); statement_timeout is lifted for the transaction
    (an index build at a million rows takes longer than a request may) and
    maintenance_work_mem raised, so trigram indexes are built in memory."""

    MAINTENANCE_WORK_MEM = "512MB"

    def __init__(self, cursor, models, *, triggers=()):
        self.cursor = cursor
        self.tables = [model._meta.db_table for model in models]
        self.triggers = list(triggers)  # (table, trigger name)
        self.indexes: list[tuple[str, str, str]] = []  # (table, name, CREATE INDEX ...)
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)

    @staticmethod
    def owns(cursor, models) -> bool:
        cursor.execute(
            "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in models]],
        )
        return bool(cursor.fetchone()[0])

    def set_aside(self) -> None:
        cursor, quote = self.cursor, connection.ops.quote_name
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{self.MAINTENANCE_WORK_MEM}'")
        cursor.execute(
            "SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY i.indrelid::regclass::text, c.relname",
            [self.tables],
        )
        self.indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' "
            "ORDER BY conrelid::regclass::text, conname",
            [self.tables],
        )
        self.foreign_keys = cursor.fetchall()
        for table, name, _ in self.foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for _, name, _ in self.indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        for table, trigger in self.triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}")

    def restore(self, progress=None) -> None:
        """Build the indexes, add the foreign keys back (each checks every row once),
        enable the triggers. `progress(text)` is told what was done, a table at a time."""
        cursor, quote = self.cursor, connection.ops.quote_name
        for table in self.tables:
            started = time.monotonic()
            indexes = [definition for on, _, definition in self.indexes if on == table]
            keys = [(name, definition) for on, name, definition in self.foreign_keys if on == table]
            for definition in indexes:
                cursor.execute(definition)
            for name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            if progress:
                progress(
                    f"{table}: {len(indexes)} indexes, {len(keys)} foreign keys "
                    f"in {time.monotonic() - started:.1f}s"
                )
        for table, trigger in self.triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)}")
