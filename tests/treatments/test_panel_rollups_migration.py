"""Migrations 0024, 0025 and 0026 fill the dashboard's summaries from the rows already
there with SQL of their own (frozen: the live rebuild names columns later
migrations add, and may change). On a database that holds signed sessions, discarded
vials and outcome scores, what they write is what today's `rebuild_rollups` writes, in
the columns they made.

Its fill runs on today's schema (the later columns are nullable or have a database
default), not by migrating back to 0024: that would unapply and re-run the data
migrations in between (0027, 0028) under the test's serialized rollback. That the SQL
names only 0025's columns is `make bench-migrate`'s to show (every migration, on both
engines)."""

import importlib
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import (
    OutcomeAssessmentFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from treatments import services

pytestmark = pytest.mark.django_db
# The tables 0025 creates and fills, with the columns it made.
TABLES = {
    "treatments_latestcourse": "patient_id, indication_id, session_id, day, practitioner_id, "
    "product_id, patient_active",
    "treatments_dailywasterollup": "day, product_id, lot, vials, presentation, wasted",
    "treatments_outcomescoretotals": "assessment_id, patient_id, day, next_day, value, "
    "baseline, improvement, band",
    "treatments_outcomerollup": "day, indication_id, instrument_id, next_month, series, "
    "baseline_sum, value_sum, improvement_sum, good, partial, good_percent, partial_percent",
    # 0026's, filled from 0025's latest courses.
    "treatments_dailycourserollup": "day, indication_id, product_id, practitioner_id, courses",
    # 0024's: the previous days and the return rollup.
    "treatments_sessiontotals": "session_id, prev_day, practitioner_prev_day",
    "treatments_patientreturnrollup": "day, scope, prev_month, sessions",
}


def rows() -> dict[str, list]:
    found = {}
    with connection.cursor() as cursor:
        for table, columns in TABLES.items():
            cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 - constant names
            found[table] = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    return found


def test_0024_to_0026_fill_the_summaries_as_the_rebuild_does(practitioner):
    now = timezone.now()
    for days_ago in (200, 30, 2):
        TreatmentSessionFactory(
            signed=True, practitioner=practitioner, performed_at=now - timedelta(days=days_ago)
        )
    # A patient back after more than the return horizon, then within it (0024's buckets:
    # long ago, then the previous session's month), the last time with someone else.
    returning = TreatmentSessionFactory(
        signed=True, practitioner=practitioner, performed_at=now - timedelta(days=500)
    ).patient
    for days_ago, who in ((60, practitioner), (5, UserFactory(role="Practitioner"))):
        TreatmentSessionFactory(
            signed=True, patient=returning, practitioner=who,
            performed_at=now - timedelta(days=days_ago),
        )  # fmt: skip
    # Two courses on one day and key, and one of a patient no longer active (not counted).
    day = now - timedelta(days=10)
    for _ in range(2):
        TreatmentSessionFactory(signed=True, practitioner=practitioner, performed_at=day)
    archived = TreatmentSessionFactory(signed=True, practitioner=practitioner, performed_at=day)
    archived.patient.status = "archived"
    archived.patient.save()
    for lot, wasted in (("P1", "10"), ("P1", "25.5"), ("P2", "0")):
        services.vial_discard(
            vial=VialFactory(lot=lot, received_by=practitioner),
            reason="End of session",
            wasted_units=Decimal(wasted),
            discarded_by=practitioner,
        )
    first = OutcomeAssessmentFactory(value=20, assessed_on=now.date() - timedelta(days=120))
    for days_ago, value in ((90, 12), (40, 8), (5, 15)):
        OutcomeAssessmentFactory(
            patient=first.patient, value=value, assessed_on=now.date() - timedelta(days=days_ago)
        )
    call_command("rebuild_rollups", stdout=StringIO())
    expected = rows()
    assert all(expected.values()), expected  # every table has rows to compare
    assert any(row[-1] == "2" for row in expected["treatments_dailycourserollup"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM treatments_dailycourserollup")
        cursor.execute("DELETE FROM treatments_patientreturnrollup")
        cursor.execute(
            "UPDATE treatments_sessiontotals SET prev_day = NULL, practitioner_prev_day = NULL"
        )
    schema_editor = SimpleNamespace(connection=connection)
    importlib.import_module("treatments.migrations.0024_patient_return_rollup").fill(
        apps, schema_editor
    )
    importlib.import_module("treatments.migrations.0025_panel_rollups").fill(apps, schema_editor)
    importlib.import_module("treatments.migrations.0026_course_rollup_recall_index").fill(
        apps, schema_editor
    )
    assert rows() == expected
