"""What a signed session records of its vial cannot be rewritten under it: once a signed
session has drawn from a vial, an UPDATE that changes the vial's product, size, lot, number
within the lot, receipt, expiry, receipt date or receiver, or its reconstitution (when, by
whom, the diluent, the use-by time), or a DELETE of the vial, is refused for every role,
as 0012 refuses changes to the session itself. A recall traces patients by lot: a lot
rewritten by a direct UPDATE would move a signed injection to another batch, and no
history row would show it.

The vial's closing (discarded_at and by, the reason, wasted_units, drawn_at_discard),
version and updated_at still change after its sessions are signed: that is how a vial is
discarded. The trigger's WHEN clause compares the fixed columns only, so a discard, or a
Django save() that writes them unchanged, costs no lookup. PostgreSQL only.
"""

from django.db import migrations

FIXED = (
    "product_id",
    "presentation_units",
    "lot",
    "lot_sequence",
    "receipt_id",
    "expiry",
    "received_on",
    "received_by_id",
    "reconstituted_at",
    "diluent_ml",
    "reconstituted_by_id",
    "use_by",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION treatments_vial_of_signed_session_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM treatments_vialdraw d
               JOIN treatments_treatmentsession s ON s.id = d.session_id
               WHERE d.vial_id = OLD.id AND s.status = 'signed') THEN
        RAISE EXCEPTION 'vial % has been drawn by a signed treatment session: % of what it records refused',
            OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
"""
COLUMNS = ", ".join(FIXED)
TRIGGERS = f"""
CREATE TRIGGER treatments_vial_signed_fixed
    BEFORE UPDATE ON treatments_vial
    FOR EACH ROW
    WHEN ((OLD.{COLUMNS.replace(", ", ", OLD.")}) IS DISTINCT FROM (NEW.{COLUMNS.replace(", ", ", NEW.")}))
    EXECUTE FUNCTION treatments_vial_of_signed_session_refuse_change();
CREATE TRIGGER treatments_vial_signed_kept
    BEFORE DELETE ON treatments_vial
    FOR EACH ROW EXECUTE FUNCTION treatments_vial_of_signed_session_refuse_change();
"""
REVERSE = "DROP FUNCTION IF EXISTS treatments_vial_of_signed_session_refuse_change() CASCADE;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGERS, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0038_signed_session_no_new_rows")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
