"""The access log becomes a hash chain, and its TRUNCATE guard stops trusting a session flag
(issue 10, point 6).

1. AccessEvent gains `chain_seq` (unique: the position in the chain), `prev_hash` and
   `row_hash` (hex sha256 of the canonical text defined in clinic/access_chain.py; SQL
   twin: `clinic_accessevent_canonical` below). Rows already there are chained in id
   order (the append-only trigger is disabled for the backfill only, by the migrating
   owner role).
2. PostgreSQL: a BEFORE INSERT trigger computes the three fields whatever the writer
   sends. It takes pg_advisory_xact_lock(7344110044) (clinic.access_chain.
   ADVISORY_LOCK_KEY) so concurrent requests append one after another, reads the last
   event by chain_seq (unique index) and hashes the new row. The app still sends one
   INSERT per request.
3. PostgreSQL: the append-only guard of migration 0004 no longer reads
   `clinic.allow_access_log_truncate` (any session could set it). TRUNCATE is let
   through only for the table's OWNER (current_user = pg_get_userbyid(relowner)): the
   test suite's flush and maintenance run as the owner role; the app's runtime role does
   not own the table (and holds no TRUNCATE privilege: clinic.db_roles). UPDATE and
   DELETE stay refused for every role. The owner can still disable triggers: that is
   what the hash chain and `manage.py verify_access_log` are for.

SQLite (the demo) has no trigger: AccessEvent.save()/bulk_create() compute the chain in
Python; this migration backfills existing rows in Python.
"""

from django.db import migrations, models

from clinic.access_chain import ADVISORY_LOCK_KEY, GENESIS_HASH, compute_hash, event_fields

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION clinic_access_chain_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN value IS NULL THEN '-' ELSE length(value) || ':' || value END $$;

-- Keep in step with clinic/access_chain.py canonical_text().
CREATE OR REPLACE FUNCTION clinic_accessevent_canonical(e clinic_accessevent) RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT 'v1|' || concat_ws('|',
        clinic_access_chain_field(e.chain_seq::text),
        clinic_access_chain_field(
            (extract(epoch FROM e.occurred_at) * 1000000)::numeric(30, 0)::text),
        clinic_access_chain_field(e.user_id::text),
        clinic_access_chain_field(e.username),
        clinic_access_chain_field(e.role),
        clinic_access_chain_field(e.patient_id::text),
        clinic_access_chain_field(e.action),
        clinic_access_chain_field(e.object_ref),
        clinic_access_chain_field(e.method),
        clinic_access_chain_field(e.path),
        clinic_access_chain_field(host(e.ip_address)),
        clinic_access_chain_field(e.status_code::text),
        clinic_access_chain_field(e.prev_hash)) $$;

CREATE OR REPLACE FUNCTION clinic_accessevent_row_hash(e clinic_accessevent) RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT encode(sha256(convert_to(clinic_accessevent_canonical(e), 'UTF8')), 'hex') $$;

-- Chain the rows already there, in id order (owner only: disables the guard meanwhile).
ALTER TABLE clinic_accessevent DISABLE TRIGGER clinic_accessevent_append_only;
DO $$
DECLARE
    e clinic_accessevent;
    seq bigint := 0;
    prev text := '@GENESIS@';
BEGIN
    FOR e IN SELECT * FROM clinic_accessevent ORDER BY id LOOP
        seq := seq + 1;
        e.chain_seq := seq;
        e.prev_hash := prev;
        e.row_hash := clinic_accessevent_row_hash(e);
        UPDATE clinic_accessevent
           SET chain_seq = e.chain_seq, prev_hash = e.prev_hash, row_hash = e.row_hash
         WHERE id = e.id;
        prev := e.row_hash;
    END LOOP;
END $$;
ALTER TABLE clinic_accessevent ENABLE TRIGGER clinic_accessevent_append_only;

CREATE OR REPLACE FUNCTION clinic_accessevent_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(@LOCK_KEY@);
    SELECT chain_seq, row_hash INTO last_seq, last_hash
      FROM clinic_accessevent ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '@GENESIS@');
    NEW.row_hash := clinic_accessevent_row_hash(NEW);
    RETURN NEW;
END;
$$;
CREATE TRIGGER clinic_accessevent_chain
    BEFORE INSERT ON clinic_accessevent
    FOR EACH ROW EXECUTE FUNCTION clinic_accessevent_chain();

-- No session setting can switch the guard off; only the table owner may TRUNCATE.
CREATE OR REPLACE FUNCTION clinic_accessevent_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_user = (
        SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID
    ) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'clinic_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""".replace("@GENESIS@", GENESIS_HASH).replace("@LOCK_KEY@", str(ADVISORY_LOCK_KEY))

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS clinic_accessevent_chain ON clinic_accessevent;
DROP FUNCTION IF EXISTS clinic_accessevent_chain();
DROP FUNCTION IF EXISTS clinic_accessevent_row_hash(clinic_accessevent);
DROP FUNCTION IF EXISTS clinic_accessevent_canonical(clinic_accessevent);
DROP FUNCTION IF EXISTS clinic_access_chain_field(text);
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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
        return
    # SQLite: the same chain, computed in Python.
    AccessEvent = apps.get_model("clinic", "AccessEvent")
    db = schema_editor.connection.alias
    prev = GENESIS_HASH
    for seq, event in enumerate(AccessEvent.objects.using(db).order_by("id").iterator(), 1):
        event.chain_seq = seq
        event.prev_hash = prev
        event.row_hash = compute_hash(**event_fields(event))
        AccessEvent.objects.using(db).filter(pk=event.pk).update(
            chain_seq=seq, prev_hash=prev, row_hash=event.row_hash
        )
        prev = event.row_hash


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_access_event_append_only")]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="chain_seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RunPython(forward, reverse, elidable=False),
        migrations.AlterField(
            model_name="accessevent",
            name="chain_seq",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
    ]
