"""Nothing can be added to a signed session either (0012 and 0016 refuse UPDATE and DELETE
of its rows, not INSERT): an INSERT of injection points, findings, vial draws or further
vials into a signed session is refused for the runtime role. Addenda stay insert-only and
allowed: they are how a signed session is corrected.

One statement-level trigger a table, reading the inserted rows as a transition table (one
query per INSERT statement, not one per row). The function is STABLE on purpose: it then
sees the sessions as they were before the statement that fires it ("functions declared
STABLE or IMMUTABLE will not see changes made by the calling command", PostgreSQL's
"Visibility of Data Changes"). The signing writes its findings in the statement that
turns the session signed (clinic.history_writes: one WITH statement), so those pass; any
later statement that adds a row to the signed session is refused. A VOLATILE function
would refuse the signing's own findings.

The owner role (and any role that is a member of it) may: the loaders run as the owner
and write a signed session's rows after the session (seed_demo's bulk replay, the report
seed's COPY, a restore), and the owner can switch any trigger off anyway (its guard is the
access log's hash chain, docs/operations.md). PostgreSQL only; on SQLite (the demo) the
services are the guard.
"""

from django.db import migrations

TABLES = (
    "treatments_injectionpoint",
    "treatments_sessionfinding",
    "treatments_vialdraw",
    "treatments_sessionvial",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION treatments_signed_session_refuse_new_rows() RETURNS trigger
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n
               JOIN treatments_treatmentsession s ON s.id = n.session_id
               WHERE s.status = 'signed')
       AND NOT pg_has_role(current_user,
                           (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RAISE EXCEPTION '% of a signed treatment session: INSERT refused (add an addendum)',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;
"""
TRIGGER = """
CREATE TRIGGER {table}_signed_no_new_rows
    AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_signed_session_refuse_new_rows();
"""
REVERSE = "DROP FUNCTION IF EXISTS treatments_signed_session_refuse_new_rows() CASCADE;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table), params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0037_fill_vial_drawn_at_discard")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
