"""The access log is append-only in the database itself, not only in the app: triggers
refuse UPDATE and DELETE on clinic_accessevent, and TRUNCATE (DOMAIN §7.2, rule 44).

TRUNCATE is allowed only when the session sets clinic.allow_access_log_truncate=on, which
clinic/settings/test.py does so that Django's test flush can empty the tables between
transactional tests; no other settings module sets it. A table owner can still disable
triggers: in production run the app as a role that does not own the tables.

PostgreSQL only: it is the engine of record; the SQLite demo has no trigger.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION clinic_accessevent_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('clinic.allow_access_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'clinic_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_accessevent_append_only
    BEFORE UPDATE OR DELETE ON clinic_accessevent
    FOR EACH ROW EXECUTE FUNCTION clinic_accessevent_refuse_change();
CREATE TRIGGER clinic_accessevent_no_truncate
    BEFORE TRUNCATE ON clinic_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_accessevent_refuse_change();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS clinic_accessevent_no_truncate ON clinic_accessevent;
DROP TRIGGER IF EXISTS clinic_accessevent_append_only ON clinic_accessevent;
DROP FUNCTION IF EXISTS clinic_accessevent_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_access_event")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
