"""Indexes for the searches trigrams cannot serve, on PostgreSQL (schema only):

- one- and two-letter name prefixes: UPPER(name) LIKE 'AB%' (what istartswith compiles to)
  needs a btree pattern index on the same expression;
- phone prefixes on both phone columns, whatever the database's collation.

SQLite: nothing to do (a demo-sized table needs no index for these).
"""

from django.db import migrations

INDEXES = {
    "patient_family_upper_prefix": "(upper(family_name::text) text_pattern_ops)",
    "patient_given_upper_prefix": "(upper(given_names::text) text_pattern_ops)",
    "patient_phone_prefix": "(phone varchar_pattern_ops)",
    "patient_emergency_phone_prefix": "(emergency_contact_phone varchar_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient {definition}"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_registered_by_optional")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
