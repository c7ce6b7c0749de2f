"""Rows into PostgreSQL through COPY (psycopg 3), for seeds of a million rows: one stream
per table, values given by field attname, the rest filled in as the ORM would fill them.

Used by the demo seed's patient loader (clinic.demo.patient_copy) and the report
benchmark's seed (bench/seed_reports.py). PostgreSQL only.
"""

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
        self._required = []  # attnames every row must give
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                if now is None:
                    self._required.append(f.attname)
                else:
                    self._defaults[f.attname] = now
            elif f.has_default() and callable(f.default):
                self._made.append((f.attname, f.default))
            elif f.has_default() or f.null or f.empty_strings_allowed:
                self._defaults[f.attname] = f.get_default()
            else:
                self._required.append(f.attname)
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
        for attname in self._required:
            if attname not in row:
                raise KeyError(f"{self.model.__name__}.{attname} needs a value")
        defaults = self._defaults
        self._copy.write_row(
            [row[name] if name in row else defaults[name] for name in self._attnames]
        )
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
