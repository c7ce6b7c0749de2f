"""A withdrawn session (a draft whose treatment was not given: services.session_withdraw)
is final in the database too, as a signed one is: the functions of 0012 (the session row;
its points, findings, addenda, draws and further vials) and of 0038 (no new rows) are
replaced so that OLD.status IN ('signed', 'withdrawn') refuses UPDATE and DELETE of the
session and of its rows, and INSERT of new rows into it, for the runtime role.

The withdrawal itself passes: its draws and further vials are deleted while the session
is still a draft, then the session's own UPDATE from 'draft' to 'withdrawn' (OLD.status
is draft), then the INSERT of its SessionWithdrawal (who, when, why), which the same row
trigger as the other rows of a session guards from then on: no UPDATE or DELETE. The
points stay as they were (the record of what was planned).

PostgreSQL only: on SQLite (the demo) the services are the guard (locked_draft).
"""

from django.db import migrations

FINAL = "('signed', 'withdrawn')"

SESSION = """
CREATE OR REPLACE FUNCTION treatments_signed_session_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN {final} THEN
        RAISE EXCEPTION 'treatment session % is %: % refused (add an addendum)',
            OLD.id, OLD.status, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ROWS = """
CREATE OR REPLACE FUNCTION treatments_signed_session_row_refuse_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM treatments_treatmentsession s
               WHERE s.id = OLD.session_id AND s.status IN {final})
       OR (TG_OP = 'UPDATE' AND NEW.session_id IS DISTINCT FROM OLD.session_id
           AND EXISTS (SELECT 1 FROM treatments_treatmentsession s
                       WHERE s.id = NEW.session_id AND s.status IN {final})) THEN
        RAISE EXCEPTION '% of a signed or withdrawn treatment session: % refused',
            TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

NEW_ROWS = """
CREATE OR REPLACE FUNCTION treatments_signed_session_refuse_new_rows() RETURNS trigger
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n
               JOIN treatments_treatmentsession s ON s.id = n.session_id
               WHERE s.status IN {final})
       AND NOT pg_has_role(current_user,
                           (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RAISE EXCEPTION '% of a signed or withdrawn treatment session: INSERT refused',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;
"""

# The definitions before this migration (0012's and 0038's), for its reverse: the same
# bodies with 'signed' alone. Their messages were those of 0012 and 0038.
BEFORE = "('signed')"


WITHDRAWAL_TRIGGER = """
CREATE TRIGGER treatments_sessionwithdrawal_final
    BEFORE UPDATE OR DELETE ON treatments_sessionwithdrawal
    FOR EACH ROW EXECUTE FUNCTION treatments_signed_session_row_refuse_change();
"""
WITHDRAWAL_TRIGGER_REVERSE = (
    "DROP TRIGGER IF EXISTS treatments_sessionwithdrawal_final ON treatments_sessionwithdrawal;"
)


def _sql(final: str) -> str:
    return "\n".join(sql.format(final=final) for sql in (SESSION, ROWS, NEW_ROWS))


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql(FINAL), params=None)
        schema_editor.execute(WITHDRAWAL_TRIGGER, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WITHDRAWAL_TRIGGER_REVERSE, params=None)
        schema_editor.execute(_sql(BEFORE), params=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0047_session_withdrawn")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
