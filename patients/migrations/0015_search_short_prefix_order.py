"""Short name prefixes at a million patients, on PostgreSQL (schema only; issue 14.4):

- (family_name_key, given_name_tokens, id) in C collation: "ma" (or "m") finds the surnames
  starting with it already in alphabetical order, so the page of 25 stops after 25 rows
  instead of sorting tens of thousands; C collation makes LIKE 'ma%' a range on it too;
- (given_name_tokens) in C collation: first names starting with the letters, when they are
  rare enough that reading them all is quicker than walking the surnames in order.

Drops the trigram indexes on the raw name columns and the upper-case surname prefix index
of 0002/0004: search has compared the normalised columns (0008-0010) since issue 13.10, so
they only slowed every insert. SQLite: nothing to do.
"""

from django.db import migrations

INDEXES = {
    "patient_name_order": ('((family_name_key COLLATE "C"), (given_name_tokens COLLATE "C"), id)'),
    "patient_given_tokens_order": '((given_name_tokens COLLATE "C"))',
}
UNUSED = {
    "patient_family_name_trgm": "USING gin (family_name gin_trgm_ops)",
    "patient_given_names_trgm": "USING gin (given_names gin_trgm_ops)",
    "patient_preferred_name_trgm": "USING gin (preferred_name gin_trgm_ops)",
    "patient_family_upper_prefix": "(upper(family_name::text) text_pattern_ops)",
}


def _create(schema_editor, indexes):
    for name, definition in indexes.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient {definition}")


def _drop(schema_editor, indexes):
    for name in indexes:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _drop(schema_editor, UNUSED)
        _create(schema_editor, INDEXES)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _drop(schema_editor, INDEXES)
        _create(schema_editor, UNUSED)


class Migration(migrations.Migration):
    dependencies = [("patients", "0014_marketing_consent_per_channel")]

    operations = [migrations.RunPython(forwards, backwards)]
