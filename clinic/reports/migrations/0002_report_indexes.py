"""Indexes the dashboard and reports need on the treatments tables (PostgreSQL only).

The treatments app owns those tables; these indexes serve only the reports' reads, so
they live with the reports and are created IF NOT EXISTS (a later treatments migration
may adopt them under the same names). SQLite (the laptop demo) skips them.

- reports_session_signed_idx: signed sessions by date, covering the columns the
  aggregates read (index-only scans for counts per period, practitioner, indication,
  product, consent, lot, late signature);
- reports_session_course_idx: a patient's signed sessions of an indication by date
  (the "none since" of the recall list, "new to treatment");
- reports_point_session_units_idx: units per session without visiting the heap;
- reports_vial_discarded_idx: vials closed in a period (wastage);
- reports_outcome_series_idx / reports_outcome_followup_idx: the latest score and the
  baseline of each outcome series; follow-up scores by date.
"""

from django.db import migrations

INDEXES = {
    # All sessions (signed and drafts) by date: the sessions report, newest first.
    "reports_session_performed_idx": "treatments_treatmentsession (performed_at, id)",
    "reports_session_signed_idx": (
        "treatments_treatmentsession (performed_at) INCLUDE (id, patient_id, "
        "practitioner_id, indication_id, product_id, vial_id, consent_taken, signed_at) "
        "WHERE status = 'signed'"
    ),
    "reports_session_course_idx": (
        "treatments_treatmentsession (patient_id, indication_id, performed_at) "
        "WHERE status = 'signed'"
    ),
    "reports_point_session_units_idx": "treatments_injectionpoint (session_id) INCLUDE (units)",
    "reports_vial_discarded_idx": (
        "treatments_vial (discarded_at) INCLUDE (product_id, lot, presentation_units, "
        "wasted_units) WHERE discarded_at IS NOT NULL"
    ),
    "reports_outcome_series_idx": (
        "treatments_outcomeassessment (patient_id, indication_id, instrument_id, "
        "assessed_on, id) INCLUDE (value, is_baseline)"
    ),
    "reports_outcome_followup_idx": (
        "treatments_outcomeassessment (assessed_on) WHERE NOT is_baseline"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_report_export"),
        ("treatments", "0011_seed_side_effect_terms"),
    ]

    operations = [migrations.RunPython(create, drop)]
