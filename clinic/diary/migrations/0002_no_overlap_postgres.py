"""No double booking, enforced by PostgreSQL whoever writes: two occupying appointments
(booked, confirmed, arrived, in treatment, completed) may not overlap in time for the
same practitioner, nor for the same room (exclusion constraints over tstzrange, with
btree_gist for the equality part; btree_gist is a trusted extension, so the database
owner who runs migrations can create it).

PostgreSQL only: the SQLite demo relies on the booking service's check, which runs in
an immediate (write-locked) transaction there.
"""

from django.db import migrations

OCCUPYING = "('booked', 'confirmed', 'arrived', 'in-treatment', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE diary_appointment ADD CONSTRAINT appointment_no_overlap_practitioner
        EXCLUDE USING gist (
            practitioner_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
        ) WHERE (status IN {OCCUPYING})""",
    f"""ALTER TABLE diary_appointment ADD CONSTRAINT appointment_no_overlap_room
        EXCLUDE USING gist (
            room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
        ) WHERE (status IN {OCCUPYING} AND room_id IS NOT NULL)""",
]
REVERSE = [
    "ALTER TABLE diary_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap_room",
    "ALTER TABLE diary_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap_practitioner",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("diary", "0001_diary")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
