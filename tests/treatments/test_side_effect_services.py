"""Side effects through the services (DOMAIN §4, rules 38-39): reception's phoned-in
report, the practitioner's review, the Yellow Card decision, the serious-without-decision
flag, and the follow-up tasks made at signing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import PatientFactory, SideEffectFactory
from tests.treatments.session_helpers import save, start
from tests.treatments.side_effect_helpers import TODAY, review_fields, signed_session
from treatments import selectors, services
from treatments.models import FollowUp, OutcomeInstrument, SideEffect, SideEffectTerm

pytestmark = pytest.mark.django_db


# --- Services ---------------------------------------------------------------------------


class TestPhonedReport:
    def test_lands_unreviewed_with_the_latest_session_suggested(self, reception, practitioner):
        patient = PatientFactory()
        signed_session(patient, practitioner, days_ago=100)
        recent = signed_session(patient, practitioner, days_ago=10)
        signed_session(patient, practitioner, days_ago=-1)  # after the onset: not a suspect
        report = services.side_effect_report_phoned(
            patient=patient,
            logged_by=reception,
            description="Patient phoned: left eyelid drooping since Tuesday",
            onset_date=TODAY - timedelta(days=3),
            reporter="patient",
        )
        assert report.status == "unreviewed"
        assert report.session == recent
        assert report.severity is None and not report.is_serious
        assert selectors.side_effect_queue().unreviewed.rows == [report]

    def test_refuses_future_onset_and_empty_description(self, reception):
        with pytest.raises(ValidationError) as error:
            services.side_effect_report_phoned(
                patient=PatientFactory(),
                logged_by=reception,
                description="  ",
                onset_date=timezone.localdate() + timedelta(days=1),  # today as the test runs
                reporter="patient",
            )
        assert set(error.value.message_dict) == {"description", "onset_date"}


class TestReview:
    def phoned(self, reception, patient):
        return services.side_effect_report_phoned(
            patient=patient,
            logged_by=reception,
            description="drooping eyelid",
            onset_date=TODAY - timedelta(days=2),
            reporter="patient",
        )

    def test_completes_the_report(self, reception, practitioner):
        patient = PatientFactory()
        session = signed_session(patient, practitioner)
        report = self.phoned(reception, patient)
        reviewed = services.side_effect_review(
            side_effect=report,
            reviewed_by=practitioner,
            expected_version=report.version,
            decision={"decision": "not-reported", "reference": "", "reason": "Expected, mild"},
            **review_fields(session),
        )
        assert reviewed.status == "reviewed" and reviewed.reviewed_by == practitioner
        assert reviewed.severity == 2 and not reviewed.is_serious
        assert reviewed.regulator_decision == "not-reported"
        assert reviewed.not_reported_reason == "Expected, mild"
        assert reviewed.decided_by == practitioner
        assert reviewed.history.count() == 2  # the phoned-in report and the review

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"severity": None}, "severity"),
            ({"outcome": ""}, "outcome"),
            ({"causality": ""}, "causality"),
            ({"term": None}, "term"),
            ({"session": None}, "session"),
            ({"term": "other", "term_other": ""}, "term_other"),
            ({"onset_date": TODAY - timedelta(days=30)}, "onset_date"),  # before the session
            ({"resolution_date": TODAY - timedelta(days=5)}, "resolution_date"),
            ({"severity": 5, "outcome": "fatal"}, "serious_death"),
            ({"severity": 4}, "serious_life_threatening"),
            ({"resolution_date": TODAY, "outcome": "continuing"}, "outcome"),
            # An outcome that says it has ended needs its date, and a date needs one.
            ({"outcome": "recovered"}, "resolution_date"),
            ({"outcome": "sequelae"}, "resolution_date"),
            ({"outcome": "fatal", "severity": 5, "serious_death": True}, "resolution_date"),
            ({"resolution_date": TODAY, "outcome": "recovering"}, "outcome"),
            ({"resolution_date": TODAY, "outcome": "unknown"}, "outcome"),
        ],
    )
    def test_rule_38_refuses_incomplete_or_inconsistent(
        self, reception, practitioner, overrides, field
    ):
        patient = PatientFactory()
        session = signed_session(patient, practitioner)
        report = self.phoned(reception, patient)
        if overrides.get("term") == "other":
            overrides["term"] = SideEffectTerm.objects.get(slug="other")
        with pytest.raises(ValidationError) as error:
            services.side_effect_review(
                side_effect=report,
                reviewed_by=practitioner,
                expected_version=report.version,
                **review_fields(session, **overrides),
            )
        assert field in error.value.message_dict
        report.refresh_from_db()
        assert report.status == "unreviewed" and report.version == 1

    def test_seriousness_is_stored_apart_from_severity(self, reception, practitioner):
        patient = PatientFactory()
        session = signed_session(patient, practitioner)
        report = self.phoned(reception, patient)
        # A mild reaction can be serious (hospitalised for observation), and vice versa.
        reviewed = services.side_effect_review(
            side_effect=report,
            reviewed_by=practitioner,
            expected_version=1,
            **review_fields(session, severity=1, serious_hospitalisation=True),
        )
        assert reviewed.severity == 1 and reviewed.is_serious
        assert reviewed.seriousness_reasons == ["Required or prolonged inpatient hospitalisation"]

    def test_stale_version_is_refused_not_overwritten(self, reception, practitioner):
        patient = PatientFactory()
        session = signed_session(patient, practitioner)
        report = self.phoned(reception, patient)
        services.side_effect_review(
            side_effect=report,
            reviewed_by=practitioner,
            expected_version=1,
            **review_fields(session),
        )
        with pytest.raises(services.SideEffectConflict):
            services.side_effect_review(
                side_effect=report,
                reviewed_by=practitioner,
                expected_version=1,
                **review_fields(session, severity=3),
            )
        assert SideEffect.objects.get().severity == 2

    def test_session_of_another_patient_is_refused(self, reception, practitioner):
        patient = PatientFactory()
        signed_session(patient, practitioner)
        other = signed_session(PatientFactory(), practitioner)
        report = self.phoned(reception, patient)
        with pytest.raises(ValidationError, match="this patient"):
            services.side_effect_review(
                side_effect=report,
                reviewed_by=practitioner,
                expected_version=1,
                **review_fields(other),
            )


class TestDecision:
    def test_reported_needs_a_reference_and_not_reported_a_reason(self, practitioner):
        se = SideEffectFactory()
        with pytest.raises(ValidationError, match="reference"):
            services.side_effect_decide(
                side_effect=se, decided_by=practitioner, expected_version=1, decision="reported"
            )
        with pytest.raises(ValidationError, match="why"):
            services.side_effect_decide(
                side_effect=se,
                decided_by=practitioner,
                expected_version=1,
                decision="not-reported",
                reason=" ",
            )
        decided = services.side_effect_decide(
            side_effect=se,
            decided_by=practitioner,
            expected_version=1,
            decision="reported",
            reference="GB-MHRA-ADR 30012345",
        )
        assert decided.yellow_card_reference == "GB-MHRA-ADR 30012345"
        assert decided.decided_at is not None and decided.version == 2

    def test_an_unreviewed_report_cannot_be_decided(self, practitioner):
        se = SideEffectFactory(status="unreviewed", severity=None)
        with pytest.raises(ValidationError, match="review"):
            services.side_effect_decide(
                side_effect=se,
                decided_by=practitioner,
                expected_version=1,
                decision="not-reported",
                reason="x",
            )


def test_serious_without_decision_is_flagged_until_decided(
    practitioner_client, manager_client, reception_client, practitioner
):
    se = SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
    SideEffectFactory()  # not serious: not flagged
    for client in (practitioner_client, manager_client):
        html = client.get("/").content.decode()
        assert 'data-testid="serious-undecided"' in html
        assert "1 serious side effect without a Yellow Card decision" in html
    assert 'data-testid="serious-undecided"' not in reception_client.get("/").content.decode()
    services.side_effect_decide(
        side_effect=se,
        decided_by=practitioner,
        expected_version=se.version,
        decision="reported",
        reference="ADR-1",
    )
    for client in (practitioner_client, manager_client):
        assert 'data-testid="serious-undecided"' not in client.get("/").content.decode()


# --- Follow-up tasks made at signing ----------------------------------------------------


def test_signing_makes_a_side_effect_review_and_an_outcome_task(practitioner, ready_patient):
    session = start(ready_patient, practitioner, "chronic-migraine", "botox")
    session = save(session, practitioner)
    services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    treated_on = timezone.localdate(session.performed_at)
    review = FollowUp.objects.get(session=session, kind="side-effect-review")
    assert review.due_on == treated_on + timedelta(days=14)
    assert review.assigned_to == practitioner
    outcome = FollowUp.objects.get(session=session, kind="outcome-due")
    assert outcome.due_on == treated_on + timedelta(days=84)  # before the next PREEMPT cycle
    # Recording a score for that indication completes the outcome task.
    services.outcome_record(
        patient=ready_patient,
        indication=session.indication,
        instrument=OutcomeInstrument.objects.get(slug="headache-days"),
        value=10,
        assessed_on=timezone.localdate(),
        recorded_by=practitioner,
    )
    outcome.refresh_from_db()
    review.refresh_from_db()
    assert outcome.done_at is not None and review.done_at is None
