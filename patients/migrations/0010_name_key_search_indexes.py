"""Indexes for search on the normalised name columns, on PostgreSQL (schema only):

- GIN trigram indexes on the surname key and on both token columns: similarity (%),
  word similarity (%>) and `LIKE '% whit%'` (a name part starting with "whit");
- a btree pattern index on the surname key for one- and two-letter prefixes.

SQLite: nothing to do (a demo-sized table needs no index for these).
"""

from django.db import migrations

INDEXES = {
    "patient_family_key_trgm": "USING gin (family_name_key gin_trgm_ops)",
    "patient_family_tokens_trgm": "USING gin (family_name_tokens gin_trgm_ops)",
    "patient_given_tokens_trgm": "USING gin (given_name_tokens gin_trgm_ops)",
    "patient_family_key_prefix": "(family_name_key varchar_pattern_ops)",
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
    dependencies = [("patients", "0009_fill_patient_name_keys")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
