"""An index for the dashboard's registrations tile (patients created in the period and the
previous one, clinic.reports.selectors.sessions.registered_patients): without it every
dashboard counts through the whole patient table (about 180 ms at 200,000 patients on a
busy 2-core machine; an index-only range scan instead). PostgreSQL only, IF NOT EXISTS,
as 0002: the reports own the indexes only they need."""

from django.db import migrations

NAME = "reports_patient_created_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON patients_patient (created_at)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_prepared_exports"),
        ("patients", "0013_remove_merged_bladder_answer"),
    ]

    operations = [migrations.RunPython(create, drop)]
