"""A reviewed intake questionnaire is final: once a practitioner has recorded its review,
an UPDATE that changes its answers or its review, or any of its prior treatments, is
refused for every role, as treatments 0012 refuses changes to a signed session. The
answers are what the review and every later session's safety checks read (screening,
allergies, blood thinners): rewritten by a direct UPDATE, no history row would show it
(security review 07/12/2026: the runtime role could). The app never changes a reviewed
questionnaire: a new one is completed instead (patients.services). The review itself (its
columns set from empty, once) still goes through, and so does a save that changes nothing
but updated_at. DELETE is already revoked from the runtime role (clinic.db_roles). The
functions' search_path is pinned by the next migrate (clinic.db_roles). PostgreSQL only.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION patients_reviewed_questionnaire_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake questionnaire % has been reviewed: its answers and review are final (% refused)',
        OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE FUNCTION patients_prior_treatment_of_reviewed_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patients_intakequestionnaire q
               WHERE q.id = OLD.questionnaire_id AND q.reviewed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'prior treatment % belongs to a reviewed questionnaire: % refused',
            OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
"""
TRIGGERS = """
CREATE TRIGGER patients_intakequestionnaire_reviewed_final
    BEFORE UPDATE ON patients_intakequestionnaire
    FOR EACH ROW
    WHEN (OLD.reviewed_at IS NOT NULL
          AND (to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at'))
    EXECUTE FUNCTION patients_reviewed_questionnaire_refuse_change();
CREATE TRIGGER patients_priortreatment_reviewed_final
    BEFORE UPDATE OR DELETE ON patients_priortreatment
    FOR EACH ROW EXECUTE FUNCTION patients_prior_treatment_of_reviewed_refuse_change();
"""
REVERSE = """
DROP FUNCTION IF EXISTS patients_reviewed_questionnaire_refuse_change() CASCADE;
DROP FUNCTION IF EXISTS patients_prior_treatment_of_reviewed_refuse_change() CASCADE;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGERS, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("patients", "0019_questionnaire_review_queue_index")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
