"""A signed session's further vials (SessionVial) cannot be changed either: the same row
trigger as 0012's child tables (UPDATE or DELETE of a row of a signed session, or an
UPDATE moving a row into one, is refused). INSERTs pass, as for the draws: session_save
writes the vials of a draft only. PostgreSQL only."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER treatments_sessionvial_signed_immutable
    BEFORE UPDATE OR DELETE ON treatments_sessionvial
    FOR EACH ROW EXECUTE FUNCTION treatments_signed_session_row_refuse_change();
"""
REVERSE = (
    "DROP TRIGGER IF EXISTS treatments_sessionvial_signed_immutable ON treatments_sessionvial;"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0015_remove_second_vial")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
