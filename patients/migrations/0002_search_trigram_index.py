"""Typo-tolerant name search on PostgreSQL: pg_trgm and GIN trigram indexes on the names.

Schema only; on SQLite both operations do nothing and search falls back (patients.selectors).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Each serves similarity (%) and ILIKE on its column; the planner ORs them per search word.
INDEXES = {
    "patient_family_name_trgm": "family_name",
    "patient_given_names_trgm": "given_names",
    "patient_preferred_name_trgm": "preferred_name",
}


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient "
                f"USING gin ({column} gin_trgm_ops)"
            )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_patient_intake")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
