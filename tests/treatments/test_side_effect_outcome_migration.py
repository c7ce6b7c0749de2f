"""Migration 0030 (a side effect's outcome and resolution date agree) on a database that
holds rows saved under the old rules (review 05/12: "Recovered" with no date was allowed
before, and adding the constraints stopped the migration with an IntegrityError).
PostgreSQL: the constraints are added NOT VALID, the old row stays as recorded, every new
or changed row is checked. SQLite (demo, tests): the migration stops with a message."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from tests.factories import SideEffectFactory
from treatments.models import SideEffect

BEFORE = ("treatments", "0029_session_directing_doctor")
AFTER = ("treatments", "0030_side_effect_outcome_matches_resolution_date")
TABLE = SideEffect._meta.db_table

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def migrate(target=None):
    # The migrations one by one, not the squashes a new database is migrated with
    # (treatments 0002-0032 among them): the test goes back to 0029 and forwards again.
    # No target: every app's last migration (how the test leaves the database for the
    # tests after it: 0031 onwards too).
    loader = MigrationLoader(connection, replace_migrations=False)
    for key, squash in loader.replacements.items():
        loader.graph.remove_replacement_node(key, squash.replaces)
        loader.applied_migrations.pop(key, None)
    executor = MigrationExecutor(connection)
    executor.loader = loader
    executor.migrate([target] if target else loader.graph.leaf_nodes())


def validated() -> dict[str, bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE conname IN "
            "('sideeffect_ended_has_resolution_date', 'sideeffect_resolution_date_means_ended')"
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOT VALID is PostgreSQL's")
def test_old_contradicting_rows_are_kept_and_new_ones_refused(capsys):
    old = SideEffectFactory()
    # The new side effect's session (and its vial) written now, with today's columns: at
    # 0030 the vial table lacks the later ones (0036's closing count).
    later = SideEffectFactory()
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET outcome = 'recovered', resolution_date = NULL "  # noqa: S608
                "WHERE id = %s",
                [old.pk],
            )
        migrate(AFTER)
        assert "1 side effect(s) recorded before 0030" in capsys.readouterr().out
        assert validated() == {
            "sideeffect_ended_has_resolution_date": False,
            "sideeffect_resolution_date_means_ended": False,
        }
        assert SideEffect.objects.get(pk=old.pk).outcome == "recovered"  # as recorded
        # The term read now too: at 0030 its table lacks the later columns (0045).
        new = SideEffectFactory(session=later.session, logged_by=later.logged_by, term=later.term)
        with pytest.raises(IntegrityError), transaction.atomic():
            SideEffect.objects.filter(pk=new.pk).update(outcome="recovered")
    finally:
        SideEffect.objects.filter(pk=old.pk).update(outcome="recovering")
        migrate(BEFORE)
        migrate()
    # With no contradicting row, the constraints are validated at once.
    assert set(validated().values()) == {True}


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's table rebuild")
def test_sqlite_stops_with_a_message_on_contradicting_rows():
    old = SideEffectFactory()
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET outcome = 'recovered', resolution_date = NULL "  # noqa: S608
                "WHERE id = %s",
                [old.pk],
            )
        with pytest.raises(RuntimeError, match="put them right on their review pages"):
            migrate(AFTER)
    finally:
        SideEffect.objects.filter(pk=old.pk).update(outcome="recovering")
        migrate()
