"""Name search at a million patients, on PostgreSQL (issue 14.4): the distinct names.

A clinic of a million patients has a few tens of thousands of different surnames and
first-name strings. Search matches the typed words against those (trigram indexes on
small tables) and then reads the patients who carry the matching names through btree
indexes that hold everything ranking needs, so it reads index entries, not the heap, and
never scans a GIN posting list of a million patients (patients.selectors.search_names).

- patients_search_surname: each distinct (family_name_key, family_name_tokens);
- patients_search_given_name: each distinct given_name_tokens;
- triggers keep them: every INSERT or UPDATE of patients (the ORM, bulk_create, the demo
  seed's COPY) adds the names it writes, one statement-level trigger per statement
  (transition tables), so a COPY of 10,000 rows adds its names in one INSERT ... SELECT
  DISTINCT. A name nobody carries any more (a patient renamed) is left in place: it
  matches, then joins to no patient, so search results are the same; removing it would
  race with a registration of the same name in another transaction. TRUNCATE of
  patients (the test suite's flush) empties them;
- covering btree indexes on patients: (surname key, surname tokens, status, given
  tokens) INCLUDE (id), and (given tokens, status) INCLUDE (surname key, tokens, id).

Schema and a backfill (INSERT ... SELECT DISTINCT). SQLite: nothing to do (search there
compares the patient rows; patients.selectors.search).
"""

from django.db import migrations

TABLES = [
    """CREATE TABLE IF NOT EXISTS patients_search_surname (
        key varchar(150) NOT NULL,
        tokens varchar(150) NOT NULL,
        PRIMARY KEY (key, tokens)
    )""",
    """CREATE TABLE IF NOT EXISTS patients_search_given_name (
        tokens varchar(255) NOT NULL PRIMARY KEY
    )""",
    "CREATE INDEX IF NOT EXISTS search_surname_key_trgm "
    "ON patients_search_surname USING gin (key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_surname_tokens_trgm "
    "ON patients_search_surname USING gin (tokens gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_given_name_tokens_trgm "
    "ON patients_search_given_name USING gin (tokens gin_trgm_ops)",
]

PATIENT_INDEXES = {
    "patient_search_by_surname": (
        "(family_name_key, family_name_tokens, status, given_name_tokens) INCLUDE (id)"
    ),
    "patient_search_by_given": (
        "(given_name_tokens, status) INCLUDE (family_name_key, family_name_tokens, id)"
    ),
}

TRIGGERS = [
    """CREATE OR REPLACE FUNCTION patients_search_names_add() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO patients_search_surname (key, tokens)
        SELECT DISTINCT family_name_key, family_name_tokens FROM written
        ON CONFLICT DO NOTHING;
        INSERT INTO patients_search_given_name (tokens)
        SELECT DISTINCT given_name_tokens FROM written
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION patients_search_names_clear() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM patients_search_surname;
        DELETE FROM patients_search_given_name;
        RETURN NULL;
    END $$""",
    # One event per trigger: PostgreSQL allows transition tables only so.
    "CREATE TRIGGER patients_search_names_insert AFTER INSERT ON patients_patient "
    "REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
    "EXECUTE FUNCTION patients_search_names_add()",
    "CREATE TRIGGER patients_search_names_update AFTER UPDATE ON patients_patient "
    "REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
    "EXECUTE FUNCTION patients_search_names_add()",
    "CREATE TRIGGER patients_search_names_truncate AFTER TRUNCATE ON patients_patient "
    "FOR EACH STATEMENT EXECUTE FUNCTION patients_search_names_clear()",
]

BACKFILL = [
    "INSERT INTO patients_search_surname (key, tokens) "
    "SELECT DISTINCT family_name_key, family_name_tokens FROM patients_patient "
    "ON CONFLICT DO NOTHING",
    "INSERT INTO patients_search_given_name (tokens) "
    "SELECT DISTINCT given_name_tokens FROM patients_patient ON CONFLICT DO NOTHING",
    "ANALYZE patients_search_surname",
    "ANALYZE patients_search_given_name",
]

REVERSE = [
    "DROP TRIGGER IF EXISTS patients_search_names_insert ON patients_patient",
    "DROP TRIGGER IF EXISTS patients_search_names_update ON patients_patient",
    "DROP TRIGGER IF EXISTS patients_search_names_truncate ON patients_patient",
    "DROP FUNCTION IF EXISTS patients_search_names_add()",
    "DROP FUNCTION IF EXISTS patients_search_names_clear()",
    *(f"DROP INDEX IF EXISTS {name}" for name in PATIENT_INDEXES),
    "DROP TABLE IF EXISTS patients_search_surname",
    "DROP TABLE IF EXISTS patients_search_given_name",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in TABLES + TRIGGERS + BACKFILL:
        schema_editor.execute(statement)
    for name, definition in PATIENT_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("patients", "0015_search_short_prefix_order")]

    operations = [migrations.RunPython(forwards, backwards)]
