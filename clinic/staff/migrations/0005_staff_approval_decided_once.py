"""A staff approval is decided once and says what was asked, whoever writes (PostgreSQL):
an UPDATE of a decided row (reopening it, changing who decided), or of what an open row
asked for (the role or registration, who asked, when), is refused for every role. Only an
open row's decision (outcome, decided_by, decided_at) is written, by clinic.staff. DELETE
is revoked from the runtime role (clinic.db_roles). Code review 07/12/2026: the runtime
role could set a refused grant back to waiting, or rewrite what a practitioner confirmed."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION staff_staffapproval_decide_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.outcome <> '' THEN
        RAISE EXCEPTION 'staff approval % is decided: it cannot be changed', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.subject_id, NEW.kind, NEW.change, NEW.reads, NEW.was, NEW.asked_by_id, NEW.asked_at)
       IS DISTINCT FROM
       (OLD.subject_id, OLD.kind, OLD.change, OLD.reads, OLD.was, OLD.asked_by_id, OLD.asked_at)
    THEN
        RAISE EXCEPTION 'staff approval %: only its decision is written', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER staff_staffapproval_decide_only
    BEFORE UPDATE ON staff_staffapproval
    FOR EACH ROW EXECUTE FUNCTION staff_staffapproval_decide_only();
"""
REVERSE = "DROP FUNCTION IF EXISTS staff_staffapproval_decide_only() CASCADE;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("staff", "0004_staff_approval")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
