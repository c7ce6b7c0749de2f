"""The access log's canonical text in one SQL expression (issue 14.1: every request writes
an access event).

Migration 0005 built the canonical text from thirteen calls of
`clinic_access_chain_field`, an SQL function PostgreSQL cannot inline (it names its
argument three times, and casts make the argument too costly to repeat). Called from the
PL/pgSQL trigger, each call is planned again in every transaction: 13 plannings per
request, about 0.2 of the INSERT's 0.5 ms (measured: 300 transactions of one INSERT each
on one connection, median 0.49 -> 0.30 ms).

The text is unchanged, field for field: `coalesce(length(x) || ':' || x, '-')` is "-" for
NULL and "<length>:<text>" otherwise, as before and as clinic/access_chain.py writes it
(tests/clinic/test_access_log_chain.py compares the trigger's hashes with Python's). The
helper function is dropped: nothing else calls it. SQLite has no trigger: nothing to do.
"""

from django.db import migrations

FIELDS = (
    "e.chain_seq::text",
    "(extract(epoch FROM e.occurred_at) * 1000000)::numeric(30, 0)::text",
    "e.user_id::text",
    "e.username",
    "e.role",
    "e.patient_id::text",
    "e.action",
    "e.object_ref",
    "e.method",
    "e.path",
    "host(e.ip_address)",
    "e.status_code::text",
    "e.prev_hash",
)


def _canonical(field) -> str:
    return (
        "CREATE OR REPLACE FUNCTION clinic_accessevent_canonical(e clinic_accessevent) "
        "RETURNS text LANGUAGE sql STABLE\n"
        "    AS $$ SELECT 'v1|' || concat_ws('|',\n        "
        + ",\n        ".join(field(x) for x in FIELDS)
        + ") $$;\n"
    )


# Keep in step with clinic/access_chain.py canonical_text().
FORWARD = _canonical(lambda x: f"coalesce(length({x}) || ':' || {x}, '-')") + (
    "DROP FUNCTION clinic_access_chain_field(text);\n"
)

REVERSE = (
    "CREATE OR REPLACE FUNCTION clinic_access_chain_field(value text) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE\n"
    "    AS $$ SELECT CASE WHEN value IS NULL THEN '-' "
    "ELSE length(value) || ':' || value END $$;\n"
) + _canonical(lambda x: f"clinic_access_chain_field({x})")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_staff_session")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
