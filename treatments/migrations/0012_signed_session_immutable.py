"""A signed treatment session cannot be changed in the database, whatever the role
(issue 10, point 6): triggers refuse UPDATE and DELETE of

- treatments_treatmentsession rows whose OLD.status is 'signed';
- treatments_injectionpoint, treatments_sessionfinding, treatments_sessionaddendum and
  treatments_vialdraw rows whose session (OLD.session_id) is signed, and an UPDATE that
  moves a row into a signed session (NEW.session_id).

What the services legitimately write after signing (treatments.services), and why it
still passes:

- session_sign: the session's own UPDATE from 'draft' to 'signed' (OLD.status is draft),
  the draws re-allocated (deleted and inserted) and the findings inserted BEFORE that
  UPDATE, while the session is still a draft.
- session_add_addendum: an INSERT into treatments_sessionaddendum (INSERTs are not
  refused) after SELECT ... FOR UPDATE of the session (a row lock, not an UPDATE).
- Follow-ups, outcome scores and side effects that name a signed session live in their
  own tables (treatments_followup, _outcomeassessment, _sideeffect) and are updated
  there: not covered here. History rows (treatments_historical*) are INSERT-only for the
  runtime role by privilege (clinic.db_roles).
- Nothing else UPDATEs or DELETEs a signed session or its rows (session_save_draft and
  _allocate_draws go through _locked_draft, which refuses a signed session).

Row triggers do not fire on TRUNCATE: the runtime role holds no TRUNCATE privilege
(clinic.db_roles); the owner role empties the test database between transactional tests.

PostgreSQL only: the SQLite demo has no triggers; there the services are the guard.
"""

from django.db import migrations

CHILD_TABLES = (
    "treatments_injectionpoint",
    "treatments_sessionfinding",
    "treatments_sessionaddendum",
    "treatments_vialdraw",
)

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION treatments_signed_session_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'treatment session % is signed: % refused (add an addendum)',
            OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatments_signed_session_immutable
    BEFORE UPDATE OR DELETE ON treatments_treatmentsession
    FOR EACH ROW EXECUTE FUNCTION treatments_signed_session_refuse_change();

CREATE OR REPLACE FUNCTION treatments_signed_session_row_refuse_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM treatments_treatmentsession s
               WHERE s.id = OLD.session_id AND s.status = 'signed')
       OR (TG_OP = 'UPDATE' AND NEW.session_id IS DISTINCT FROM OLD.session_id
           AND EXISTS (SELECT 1 FROM treatments_treatmentsession s
                       WHERE s.id = NEW.session_id AND s.status = 'signed')) THEN
        RAISE EXCEPTION '% of a signed treatment session: % refused (add an addendum)',
            TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
CHILD_TRIGGER = """
CREATE TRIGGER {table}_signed_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION treatments_signed_session_row_refuse_change();
"""

POSTGRES_REVERSE = """
DROP FUNCTION IF EXISTS treatments_signed_session_row_refuse_change() CASCADE;
DROP TRIGGER IF EXISTS treatments_signed_session_immutable ON treatments_treatmentsession;
DROP FUNCTION IF EXISTS treatments_signed_session_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
        for table in CHILD_TABLES:
            schema_editor.execute(CHILD_TRIGGER.format(table=table), params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0011_seed_side_effect_terms")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
