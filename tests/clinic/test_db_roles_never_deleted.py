"""Clinical records are never hard-deleted, not even by a direct SQL connection as the
app's runtime role (clinic.db_roles: NEVER_DELETED, DELETED_BY_THE_APP).

- Every model of patients, treatments and the clinic apps is classified: never deleted
  (no DELETE for the runtime role), deleted by the app (with where and why), or
  append-only (the access log, staff changes, history tables). A new model fails here
  until it is put in one of the lists. Runs on SQLite too.
- On PostgreSQL, as the runtime role (raw psycopg, as tests/clinic/test_database_roles.py):
  a DELETE from every never-deleted table is refused; the tables the app deletes from
  still take one, and a draft saved again (points replaced, draws planned again, a vial
  no longer needed dropped) and `rebuild_rollups` work through the ORM as that role.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from simple_history.models import HistoricalChanges

from clinic import db_roles
from clinic.roles import Role
from tests.clinic.test_database_roles import (
    RUNTIME_ROLE_MARKS,
    default_connection_as_runtime_role,
    runtime_connection,
)
from tests.factories import UserFactory


def as_the_runtime_role(test):
    """The markers of tests/clinic/test_database_roles.py: PostgreSQL with a runtime role."""
    for mark in RUNTIME_ROLE_MARKS:
        test = mark(test)
    return test


def the_clinics_models() -> dict[str, str]:
    """{label: db_table} of every model with a table of its own in patients, treatments,
    clinic and the clinic.* apps (the many-to-many tables included), history models left
    out (append-only: db_roles.append_only_tables)."""
    found = {}
    for config in apps.get_app_configs():
        if config.name not in {"patients", "treatments", "clinic"} and not config.name.startswith(
            "clinic."
        ):
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or issubclass(model, HistoricalChanges):
                continue
            found[meta.label] = meta.db_table
    return found


# Classification: no database needed.


def test_every_model_of_the_clinic_is_classified():
    """A new model: put it in clinic.db_roles.NEVER_DELETED, or, when the app deletes its
    rows in normal operation, in DELETED_BY_THE_APP with where and why."""
    append_only = set(db_roles.append_only_tables())
    unclassified = sorted(
        label
        for label, table in the_clinics_models().items()
        if label not in db_roles.NEVER_DELETED
        and label not in db_roles.DELETED_BY_THE_APP
        and table not in append_only
    )
    assert unclassified == [], (
        f"Unclassified models {unclassified}: add each to NEVER_DELETED or, with the reason, "
        "to DELETED_BY_THE_APP (clinic/db_roles.py)"
    )


def test_the_lists_name_models_of_the_clinic_once_each():
    models = the_clinics_models()
    never, deleted = db_roles.NEVER_DELETED, db_roles.DELETED_BY_THE_APP
    assert len(set(never)) == len(never)
    assert set(never) & set(deleted) == set()
    # Every label names a model (a renamed or removed one fails the grants loudly).
    assert sorted(set(never) - set(models)) == []
    assert sorted(set(deleted) - set(models)) == []
    assert set(db_roles.never_deleted_tables()) & set(db_roles.append_only_tables()) == set()
    assert all(len(reason) > 20 for reason in deleted.values())
    # Resolved through the models, not spelt: each list's tables are its models' tables.
    assert db_roles.never_deleted_tables() == sorted(models[label] for label in never)
    assert db_roles.deleted_by_the_app_tables() == sorted(models[label] for label in deleted)


def test_the_clinical_records_the_review_named_are_never_deleted():
    tables = set(db_roles.never_deleted_tables())
    for table in (
        "patients_patient",
        "patients_intakequestionnaire",
        "patients_priortreatment",
        "patients_subjectaccesscopy",
        "treatments_sideeffect",
        "treatments_outcomeassessment",
        "treatments_prescriberassessment",
        "treatments_followup",
        "treatments_treatmentsession",
        "diary_appointment",
    ):
        assert table in tables


def test_delete_is_revoked_after_the_broad_grant():
    statements = db_roles.runtime_role_statements("app_runtime")
    grant = statements.index(
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "app_runtime"'
    )
    revoked = {
        statement.split('"')[1]: index
        for index, statement in enumerate(statements)
        if statement.startswith("REVOKE DELETE ON ")
    }
    assert sorted(revoked) == db_roles.never_deleted_tables()
    assert min(revoked.values()) > grant
    assert not set(revoked) & set(db_roles.deleted_by_the_app_tables())


# On PostgreSQL, as the runtime role.


@as_the_runtime_role
@pytest.mark.parametrize("table", db_roles.never_deleted_tables())
@pytest.mark.django_db
def test_the_runtime_role_cannot_delete_from(table):
    """Refused whether or not a row would go (the privilege is checked first); rolled back
    whatever happens, so that a regression cannot empty the test database."""
    psycopg = pytest.importorskip("psycopg")
    with runtime_connection() as runtime, runtime.cursor() as cursor:
        name = psycopg.sql.Identifier(table)
        cursor.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(name))  # it may read
        refused = pytest.raises(
            psycopg.errors.InsufficientPrivilege, match=f"permission denied for table {table}"
        )
        with refused, runtime.transaction(force_rollback=True):
            cursor.execute(psycopg.sql.SQL("DELETE FROM {}").format(name))
        with refused, runtime.transaction(force_rollback=True):
            cursor.execute(psycopg.sql.SQL("DELETE FROM {} WHERE false").format(name))


@as_the_runtime_role
@pytest.mark.parametrize("table", db_roles.deleted_by_the_app_tables())
@pytest.mark.django_db
def test_the_runtime_role_can_still_delete_from(table):
    """What the app deletes (DELETED_BY_THE_APP) still takes a DELETE."""
    psycopg = pytest.importorskip("psycopg")
    delete = psycopg.sql.SQL("DELETE FROM {} WHERE false").format(psycopg.sql.Identifier(table))
    with (
        runtime_connection() as runtime,
        runtime.cursor() as cursor,
        runtime.transaction(force_rollback=True),
    ):
        cursor.execute(delete)
        assert cursor.rowcount == 0


@as_the_runtime_role
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_reference_data")
def test_the_app_still_deletes_what_it_replaces_as_the_runtime_role():
    """A draft saved again: its points replaced, its draws planned again and a further vial
    it no longer needs dropped; then the rollups rebuilt. Through the services and the
    command, on a default connection that logs in as the runtime role."""
    from tests.treatments.session_helpers import ready_patient_for, save, start
    from tests.treatments.test_session_vials import vial
    from treatments.models import InjectionPoint, SessionVial, VialDraw

    # The owner's setup: a practitioner, a patient ready to treat, three vials.
    practitioner = UserFactory(username="amelia", role=Role.PRACTITIONER)
    patient = ready_patient_for(practitioner)
    small, second = vial(practitioner, 100, hours_left=2), vial(practitioner, 100, hours_left=10)
    large = vial(practitioner, 200, hours_left=20)
    with default_connection_as_runtime_role():
        session = start(patient, practitioner, "chronic-migraine", "botox", vial=False)
        session = save(session, practitioner, vial=small, further_vials=[second, large])
        assert SessionVial.objects.filter(session=session).exists()
        draws_before = set(VialDraw.objects.filter(session=session).values_list("pk", flat=True))
        points_before = set(
            InjectionPoint.objects.filter(session=session).values_list("pk", flat=True)
        )
        # The 200 U vial alone: the others dropped, the draws planned again.
        session = save(session, practitioner, vial=large, further_vials=[small, second])
        assert not SessionVial.objects.filter(session=session).exists()
        assert {d.vial_id: d.units for d in session.draws.all()} == {large.pk: Decimal(155)}
        assert not draws_before & set(session.draws.values_list("pk", flat=True))
        # Fewer points: the old rows deleted, the new inserted.
        kept = [
            {"site": p.site, "side": p.side, "units": p.units, "volume_ml": p.volume_ml,
             "points": p.points}
            for p in session.points.order_by("order")[:3]
        ]  # fmt: skip
        session = save(session, practitioner, points=kept, vial=large, further_vials=[])
        assert session.points.count() == 3
        assert not points_before & set(session.points.values_list("pk", flat=True))
        call_command("rebuild_rollups", stdout=StringIO())
