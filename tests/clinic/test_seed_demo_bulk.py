"""The demo seed on its bulk path (200 patients, the engine in memory with bulk inserts),
seeded once for this module (tests/shared_rows.py): the findings are the engine's own at
signing, and the dashboard's summaries match the raw rows."""

import pytest
from django.utils import timezone

from tests.clinic.test_seed_demo_records import latest_questionnaire
from tests.shared_rows import demo_seeded_once
from treatments.choices import SafetyLevel, SafetyProfile, SessionStatus
from treatments.models import SessionAddendum, SessionFinding
from treatments.models import TreatmentSession as Session

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded_bigger_demo(django_db_setup, django_db_blocker):
    """200 patients, on the bulk path (the same records as the services make: see
    test_seed_demo.py's determinism test), for checks that need more sessions."""
    with demo_seeded_once(django_db_blocker, patients=200, seed=2, bulk=True) as output:
        yield output


@pytest.fixture
def bigger_demo(seeded_bigger_demo, db):
    return seeded_bigger_demo


def test_findings_are_the_engines_own_at_signing(bigger_demo):
    assert "0 refused by the safety engine" in bigger_demo
    findings = SessionFinding.objects.select_related("session__patient", "session__indication")
    assert findings.filter(level=SafetyLevel.WARN).exists()
    assert not findings.filter(level=SafetyLevel.BLOCK).exists()
    overrides = findings.filter(level=SafetyLevel.OVERRIDE)
    assert overrides.exists()  # early sessions and top-ups, with the reasons given
    for finding in overrides:
        assert finding.override_reason.strip()
    # Cautions exactly when the answers that stood on the day of the session said so.
    signed = Session.objects.filter(status=SessionStatus.SIGNED).select_related(
        "patient", "indication"
    )
    answered = set()
    for session in signed:
        answers = latest_questionnaire(session.patient, timezone.localdate(session.performed_at))
        codes = set(session.findings.values_list("code", flat=True))
        cautions = {
            "caution.interactions": answers.interacting_medicines,
            "caution.dysphagia": answers.swallowing_or_breathing_problems,
        }
        if session.indication.safety_profile != SafetyProfile.BLADDER:
            cautions["caution.bleeding"] = answers.bleeding_risk
        for code, said in cautions.items():
            assert (code in codes) == said, (session, code)
            if said:
                answered.add(code)
        assert session.findings.filter(recorded_at=session.signed_at).count() == len(codes)
    assert "caution.bleeding" in answered
    assert SessionAddendum.objects.filter(session__status=SessionStatus.SIGNED).exists()


def test_the_demo_ends_with_the_dashboard_summaries_matching_the_raw_rows(bigger_demo):
    """Issue 14.5: the replay signs most sessions in memory; seed_demo rebuilds the
    per-session totals and the daily rollup at the end, so the dashboard's figures are
    the raw rows' (the check recomputes them)."""
    from treatments.models import DailySessionRollup, SessionTotals
    from treatments.services import rollup_rebuild

    signed = Session.objects.filter(status=SessionStatus.SIGNED).count()
    assert SessionTotals.objects.count() == signed > 0
    assert sum(DailySessionRollup.objects.values_list("sessions", flat=True)) == signed
    assert all(count == 0 for count, _ in rollup_rebuild.differences().values())
