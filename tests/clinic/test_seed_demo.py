"""The demo seed run by itself: idempotent --if-empty, --no-sessions and the large
default, and the same records on the bulk path as through the services. The demo's records
are checked in test_seed_demo_records.py (40 patients) and test_seed_demo_bulk.py (200),
each seeded once per module."""

import pytest
from django.core.management import call_command
from django.db import transaction

from clinic.management.commands import seed_demo
from patients.models import Patient
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession as Session
from treatments.models import Vial

pytestmark = pytest.mark.django_db


def test_if_empty_leaves_existing_data(capsys):
    call_command("seed_demo", patients=10, seed=1)
    sessions = Session.objects.count()
    call_command("seed_demo", patients=10, seed=2, if_empty=True)
    assert Patient.objects.count() == 10
    assert Session.objects.count() == sessions
    assert "left as it is" in capsys.readouterr().out


def test_no_sessions_flag_and_the_large_default(monkeypatch):
    call_command("seed_demo", patients=10, seed=1, sessions=False)
    assert Patient.objects.count() == 10 and not Vial.objects.exists()
    monkeypatch.setattr(seed_demo, "SESSIONS_DEFAULT_MAX_PATIENTS", 5)
    call_command("seed_demo", patients=10, seed=2)  # above the limit: off unless asked
    assert not Session.objects.exists()
    call_command("seed_demo", patients=10, seed=3, sessions=True)
    assert Session.objects.filter(status=SessionStatus.SIGNED).exists()


def summary() -> list:
    """The treatment data, without database ids, for comparing two seeds."""
    rows = []
    sessions = Session.objects.select_related("patient", "indication", "product", "vial")
    for s in sessions.order_by("patient__record_number", "performed_at", "indication__slug"):
        rows.append(
            (
                s.patient.record_number,
                s.indication.slug,
                s.status,
                s.is_off_label,
                s.signed_at if s.status == SessionStatus.SIGNED else None,
                # A withdrawn draft (treatment not given) has no vial: it was released.
                s.vial.lot if s.vial else None,
                s.vial.presentation_units if s.vial else None,
                s.vial.wasted_units if s.vial else None,
                sorted((p.site_id, p.side, p.units, p.volume_ml) for p in s.points.all()),
                sorted(s.draws.values_list("vial__lot", "units")),
                sorted(s.findings.values_list("code", "level", "message", "override_reason")),
                sorted(s.follow_ups.values_list("title", "due_on", "done_at", "outcome_note")),
            )
        )
    return rows


def seeded(**options) -> list:
    with transaction.atomic():
        call_command("seed_demo", patients=40, seed=7, **options)
        rows = summary()
        transaction.set_rollback(True)
    return rows


def test_deterministic_and_the_bulk_path_records_what_the_services_do(monkeypatch):
    """Above REPLAY_MAX_PATIENTS the engine runs in memory with bulk inserts: the same
    seed gives the same sessions, findings and follow-ups as signing one by one."""
    replayed = seeded()
    assert replayed and any(row[10] for row in replayed)  # findings
    monkeypatch.setattr(seed_demo, "REPLAY_MAX_PATIENTS", 0)
    assert seeded() == replayed
