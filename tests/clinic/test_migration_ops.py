"""clinic.migration_ops: indexes added and dropped CONCURRENTLY on PostgreSQL, so a table
stays writable while a large index is built (docs/operations.md, "Upgrading"); plain on
SQLite, which has no such thing. CreateModels (the squashed migrations' models) writes
the SQL the CreateModel operations it holds write one by one, and undoes it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState

from clinic.migration_ops import CreateModels

# Outside a test transaction: PostgreSQL builds an index concurrently only outside one,
# and Django refuses to write the SQL otherwise. One test, so one flush.
pytestmark = pytest.mark.django_db(transaction=True)

MIGRATIONS = [
    ("treatments", "0031_vial_open_index", ["CREATE INDEX"]),
    ("treatments", "0032_vial_lot_upper_index", ["DROP INDEX", "CREATE INDEX"]),
    ("patients", "0019_questionnaire_review_queue_index", ["DROP INDEX", "CREATE INDEX"]),
]


def test_new_indexes_are_built_without_locking_the_table():
    for app, migration, statements in MIGRATIONS:
        out = StringIO()
        call_command("sqlmigrate", app, migration, stdout=out)
        sql = [line for line in out.getvalue().splitlines() if not line.startswith("--")]
        for statement in statements:
            lines = [line for line in sql if line.startswith(statement)]
            assert lines, (migration, statement, sql)
            if connection.vendor == "postgresql":
                assert all(line.startswith(f"{statement} CONCURRENTLY") for line in lines)
            else:
                assert not any("CONCURRENTLY" in line for line in lines), lines


LABEL = "migration_ops_check"  # an app that is not installed: the models exist only here


def _shelf_and_jar() -> list[migrations.CreateModel]:
    return [
        migrations.CreateModel(
            "Shelf",
            [("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=20))],
            options={"indexes": [models.Index(fields=["name"], name="check_shelf_name_idx")]},
        ),
        migrations.CreateModel(
            "Jar",
            [
                ("id", models.AutoField(primary_key=True)),
                ("shelf", models.ForeignKey(f"{LABEL}.Shelf", models.CASCADE)),
                ("units", models.IntegerField(unique=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(units__gte=0), name="check_jar_units")
                ]
            },
        ),
    ]


def _sql(apply) -> list[str]:
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        apply(editor)
    return editor.collected_sql


def test_create_models_writes_what_create_model_writes_one_by_one_and_undoes_it():
    one_by_one, state = [], ProjectState()
    for operation in _shelf_and_jar():
        after = state.clone()
        operation.state_forwards(LABEL, after)
        one_by_one += _sql(lambda e: operation.database_forwards(LABEL, e, state, after))  # noqa: B023
        state = after
    together = CreateModels(_shelf_and_jar())
    before, after = ProjectState(), ProjectState()
    together.state_forwards(LABEL, after)
    assert set(after.models) == set(state.models) == {(LABEL, "shelf"), (LABEL, "jar")}
    assert sorted(_sql(lambda e: together.database_forwards(LABEL, e, before, after))) == sorted(
        one_by_one
    )

    tables = {f"{LABEL}_shelf", f"{LABEL}_jar"}
    with connection.schema_editor() as editor:
        together.database_forwards(LABEL, editor, before, after)
    try:
        assert tables <= set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            jar = connection.introspection.get_constraints(cursor, f"{LABEL}_jar")
            shelf = connection.introspection.get_constraints(cursor, f"{LABEL}_shelf")
        assert "check_jar_units" in jar and "check_shelf_name_idx" in shelf
        assert any(c["foreign_key"] == (f"{LABEL}_shelf", "id") for c in jar.values())
    finally:
        with connection.schema_editor() as editor:
            together.database_backwards(LABEL, editor, after, before)
    assert not tables & set(connection.introspection.table_names())
