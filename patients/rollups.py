"""The registrations rollup (patients.models.DailyRegistrations, issue 14.5): written in
the transaction of the patient row it counts, rebuilt and checked set-based (called by
treatments.services.rollup_rebuild.rebuild / differences, so by `manage.py rebuild_rollups
[--check]`, and by the demo seed after its bulk loads).

- `record_registration`: post_save of a Patient just created (patient_register, the
  admin, factories) adds one to its UK day: one INSERT ... ON CONFLICT.
- `record_removal`: post_delete (patients are archived, never deleted; a test or a
  support fix may still delete a row) takes it off again.
- `rebuild(cursor)` / `expected_sql()`: the days again from the patients' created_at.

PostgreSQL and SQLite: the UK day from the backend's date cast, ON CONFLICT on both.
Bulk loads (bulk_create, COPY) send no signal: they call `rebuild` afterwards.
"""

# ruff: noqa: S608 - the SQL names only the models' own tables; every value is a parameter

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from patients.models import DailyRegistrations, Patient

REGISTRATIONS = DailyRegistrations._meta.db_table
PATIENTS = Patient._meta.db_table


# A day's row added to, or made (record_registration, record_removal, registration_sql).
_UPSERT = (
    f"INSERT INTO {REGISTRATIONS} (day, patients) {{rows}} ON CONFLICT (day) "
    f"DO UPDATE SET patients = {REGISTRATIONS}.patients + excluded.patients"
)


def _add(day, amount: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(rows="VALUES (%s, %s)"),
            [connection.ops.adapt_datefield_value(day), amount],
        )


def registration_sql(new_rows: str) -> tuple[str, list]:
    """What record_registration writes, for the rows of `new_rows` (a WITH item of the
    statement that inserts them, with their created_at): one upsert per UK day."""
    day, params = connection.ops.datetime_cast_date_sql(
        f"{new_rows}.created_at", (), settings.TIME_ZONE
    )
    return _UPSERT.format(rows=f"SELECT {day}, COUNT(*) FROM {new_rows} GROUP BY 1"), list(params)


def record_registration(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A patient row just inserted counts on the UK day of its created_at."""
    if created and not raw:
        _add(timezone.localdate(instance.created_at), 1)


def record_removal(sender, instance, **kwargs) -> None:
    _add(timezone.localdate(instance.created_at), -1)


def expected_sql() -> tuple[str, list]:
    """The rollup's rows as the patients give them: (day, patients)."""
    day_sql, day_params = connection.ops.datetime_cast_date_sql(
        "created_at", (), settings.TIME_ZONE
    )
    return (
        f"SELECT {day_sql} AS day, COUNT(*) AS patients FROM {PATIENTS} GROUP BY 1",
        list(day_params),
    )


def rebuild(cursor) -> int:
    """The rollup again from the patients (the caller's transaction); its row count."""
    cursor.execute(f"DELETE FROM {REGISTRATIONS}")
    sql, params = expected_sql()
    cursor.execute(f"INSERT INTO {REGISTRATIONS} (day, patients) {sql}", params)
    return cursor.rowcount
