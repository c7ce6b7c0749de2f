"""Outcome assessments: the recording service's checks, the series selector (baseline,
change, responder status) and the chronic-migraine diary that feeds rule 33."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    OutcomeAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
)
from treatments import selectors, services
from treatments.choices import ResponderStatus
from treatments.models import AnatomicalSite, Indication, OutcomeAssessment, OutcomeInstrument

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def instrument(slug):
    return OutcomeInstrument.objects.get(slug=slug)


def indication(slug):
    return Indication.objects.get(slug=slug)


def record(patient, user, **overrides):
    arguments = {
        "patient": patient,
        "indication": indication("chronic-migraine"),
        "instrument": instrument("headache-days"),
        "value": Decimal("18"),
        "assessed_on": TODAY,
        "recorded_by": user,
    } | overrides
    return services.outcome_record(**arguments)


def signed(patient, practitioner, days_ago, slug="chronic-migraine", units=155):
    at = timezone.make_aware(datetime.combine(TODAY - timedelta(days=days_ago), time(10)))
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=indication(slug),
        performed_at=at,
        signed=True,
        points=1,
        points__units=Decimal(units),
    )


# Recording ------------------------------------------------------------------------------


class TestOutcomeRecord:
    @pytest.mark.parametrize("value", ["0", "31", "15.5"])
    def test_accepts_the_range_bounds_inclusive(self, patient, practitioner, value):
        assessment = record(patient, practitioner, value=Decimal(value))
        assert assessment.value == Decimal(value)
        assert assessment.history.count() == 1

    @pytest.mark.parametrize("value", ["-0.01", "31.01", "40"])
    def test_refuses_a_value_outside_the_range_naming_it(self, patient, practitioner, value):
        with pytest.raises(ValidationError) as exc:
            record(patient, practitioner, value=Decimal(value))
        assert exc.value.message_dict["value"] == [
            "Headache days per month must be 0 to 31 days/month."
        ]

    def test_refuses_an_instrument_the_indication_does_not_use(self, patient, practitioner):
        with pytest.raises(ValidationError) as exc:
            record(patient, practitioner, instrument=instrument("twstrs"), value=Decimal(10))
        assert "not an outcome measure for Chronic migraine" in str(
            exc.value.message_dict["instrument"]
        )

    def test_refuses_a_future_date(self, patient, practitioner):
        with pytest.raises(ValidationError) as exc:
            record(patient, practitioner, assessed_on=timezone.localdate() + timedelta(days=1))
        assert "assessed_on" in exc.value.message_dict

    def test_per_muscle_instrument_needs_its_muscle(self, patient, practitioner):
        spasticity = indication("spasticity-ul-adult")
        with pytest.raises(ValidationError) as exc:
            record(
                patient, practitioner, indication=spasticity, instrument=instrument("mas"), value=2
            )
        assert "muscle" in exc.value.message_dict
        muscle = AnatomicalSite.objects.order_by("id").first()
        saved = record(
            patient,
            practitioner,
            indication=spasticity,
            instrument=instrument("mas"),
            value=Decimal(2),
            muscle=muscle,
        )
        assert saved.muscle == muscle

    def test_refuses_another_patients_session(self, patient, practitioner):
        other = signed(TreatmentSessionFactory().patient, practitioner, days_ago=10)
        with pytest.raises(ValidationError) as exc:
            record(patient, practitioner, session=other)
        assert "session" in exc.value.message_dict


# Series, baseline and responder status --------------------------------------------------


def only_series(patient):
    (series,) = selectors.outcome_series(patient=patient)
    return series


class TestOutcomeSeries:
    def test_baseline_is_the_last_score_before_the_first_session(self, patient, practitioner):
        OutcomeAssessmentFactory(patient=patient, value=20, assessed_on=TODAY - timedelta(120))
        OutcomeAssessmentFactory(patient=patient, value=18, assessed_on=TODAY - timedelta(100))
        signed(patient, practitioner, days_ago=90)
        signed(patient, practitioner, days_ago=5)
        OutcomeAssessmentFactory(patient=patient, value=9, assessed_on=TODAY - timedelta(60))
        series = only_series(patient)
        assert series.baseline.value == 18
        assert series.latest.value == 9
        assert series.change == -9
        assert series.change_percent == Decimal("-50.0")
        assert series.improvement_percent == Decimal("50.0")
        assert series.is_better is True
        assert [m.label for m in series.sessions] == ["155 U BOTOX", "155 U BOTOX"]
        data = series.chart_data()
        assert data["baseline"] == 18.0
        assert [p["y"] for p in data["points"]] == [20.0, 18.0, 9.0]
        assert len(data["sessions"]) == 2

    def test_an_explicit_baseline_wins(self, patient, practitioner):
        OutcomeAssessmentFactory(patient=patient, value=20, assessed_on=TODAY - timedelta(120))
        OutcomeAssessmentFactory(
            patient=patient, value=16, assessed_on=TODAY - timedelta(110), is_baseline=True
        )
        OutcomeAssessmentFactory(patient=patient, value=18, assessed_on=TODAY - timedelta(100))
        signed(patient, practitioner, days_ago=90)
        OutcomeAssessmentFactory(patient=patient, value=12, assessed_on=TODAY - timedelta(30))
        assert only_series(patient).baseline.value == 16

    def test_no_sessions_yet_baseline_is_the_latest_score(self, patient):
        OutcomeAssessmentFactory(patient=patient, value=20, assessed_on=TODAY - timedelta(30))
        OutcomeAssessmentFactory(patient=patient, value=19, assessed_on=TODAY)
        series = only_series(patient)
        assert series.baseline.value == 19
        assert series.change is None
        assert series.responder is None

    @pytest.mark.parametrize(
        ("latest", "expected", "label"),
        [
            ("10", ResponderStatus.GOOD, "≥50% better"),  # exactly 50%
            ("10.2", ResponderStatus.PARTIAL, "≥30% better"),  # 49%
            ("14", ResponderStatus.PARTIAL, "≥30% better"),  # exactly 30%
            ("14.2", ResponderStatus.NOT_RESPONDING, "Not responding"),  # 29%
            ("25", ResponderStatus.NOT_RESPONDING, "Not responding"),  # worse
        ],
    )
    def test_responder_status_boundaries(self, patient, latest, expected, label):
        OutcomeAssessmentFactory(
            patient=patient, value=20, assessed_on=TODAY - timedelta(90), is_baseline=True
        )
        OutcomeAssessmentFactory(patient=patient, value=Decimal(latest), assessed_on=TODAY)
        series = only_series(patient)
        assert series.responder.status == expected
        assert series.responder.label == label
        assert selectors.responder_status(series).status == expected

    def test_higher_is_better_measures_have_no_responder_status(self, patient, practitioner):
        rom = instrument("tardieu")
        assert rom.direction == "higher"
        spasticity = indication("spasticity-ul-adult")
        muscle = AnatomicalSite.objects.order_by("id").first()
        for days, value in ((60, 40), (0, 80)):
            OutcomeAssessmentFactory(
                patient=patient,
                indication=spasticity,
                instrument=rom,
                muscle=muscle,
                value=value,
                assessed_on=TODAY - timedelta(days),
                is_baseline=days == 60,
            )
        series = only_series(patient)
        assert series.improvement_percent == Decimal("100.0")
        assert series.is_better is True
        assert series.responder is None


# Rule 33 from the recorded diary -------------------------------------------------------


class TestMigraineDiary:
    def test_no_headache_days_recorded_means_no_diary(self, patient):
        OutcomeAssessmentFactory(patient=patient, instrument=instrument("hit6"), value=60)
        assert selectors.migraine_diary_facts(patient) is None

    def test_diary_facts_from_assessments(self, patient, practitioner):
        OutcomeAssessmentFactory(
            patient=patient, value=18, assessed_on=TODAY - timedelta(100), is_baseline=True
        )
        OutcomeAssessmentFactory(
            patient=patient,
            instrument=instrument("migraine-days"),
            value=10,
            assessed_on=TODAY - timedelta(100),
            is_baseline=True,
        )
        for days in (70, 40, 10):
            OutcomeAssessmentFactory(patient=patient, value=12, assessed_on=TODAY - timedelta(days))
        diary = selectors.migraine_diary_facts(patient, session_dates=(TODAY - timedelta(90),))
        assert diary.baseline_headache_days == 18
        assert diary.baseline_migraine_days == 10
        assert diary.monthly_headache_days == (12, 12, 12)
        assert diary.cycles_completed == 1

    def test_rule_33_fires_from_recorded_outcomes(self, patient, practitioner):
        OutcomeAssessmentFactory(
            patient=patient, value=18, assessed_on=TODAY - timedelta(200), is_baseline=True
        )
        signed(patient, practitioner, days_ago=180)
        signed(patient, practitioner, days_ago=90)
        for days in (80, 50, 20):
            OutcomeAssessmentFactory(patient=patient, value=12, assessed_on=TODAY - timedelta(days))
        draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
        inputs = selectors.safety_inputs_for_session(session=draft)
        assert inputs.history.migraine.cycles_completed == 2
        findings = {f.code: f for f in inputs.evaluate()}
        assert "nice.stop_episodic" in findings
        assert "12, 12, 12" in findings["nice.stop_episodic"].message
        # 18 -> 12 is a 33% fall: above NICE's 30%, so no poor-response warning.
        assert "nice.stop_poor_response" not in findings

    def test_rule_33_asks_for_a_baseline_without_headache_days(self, patient, practitioner):
        # Issue 13.4: without a baseline diary the NICE stopping rules can never apply.
        signed(patient, practitioner, days_ago=90)
        draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
        inputs = selectors.safety_inputs_for_session(session=draft)
        assert inputs.history.migraine is None
        nice = [f for f in inputs.evaluate() if f.code.startswith("nice.")]
        assert [f.code for f in nice] == ["nice.baseline_missing"]


@pytest.mark.parametrize("doses", [0, 3])
@pytest.mark.parametrize("answers", [0, 1, 2])
@pytest.mark.parametrize("scores", [0, 1, 4])
def test_the_history_read_together_gives_what_the_separate_reads_give(
    patient, practitioner, doses, answers, scores, django_assert_num_queries
):
    """A session's history is one query (patient_history._history_rows): the prior doses,
    the screening answers and (chronic migraine) the diary, each as its own read gives it,
    with or without rows of each, oldest score first whatever order they were written in,
    a questionnaire or score after the session date left out."""
    from tests.factories import PriorTreatmentFactory
    from treatments.selectors.patient_history import _PRIOR_DOSES, _history_rows

    on = TODAY - timedelta(5)
    for days in range(doses):
        signed(patient, practitioner, days_ago=100 + 90 * days, units=100 + days)
    if doses:
        PriorTreatmentFactory(patient=patient)
    for days in range(answers):
        QuestionnaireFactory(
            patient=patient, completed_on=on - timedelta(days), migraine_preventives_failed=days
        )
    QuestionnaireFactory(patient=patient, completed_on=TODAY)  # after the session date
    for days in (10, 40, 25, 70)[:scores]:
        OutcomeAssessmentFactory(
            patient=patient, value=days, assessed_on=on - timedelta(days), is_baseline=days == 70
        )
    OutcomeAssessmentFactory(patient=patient, value=99, assessed_on=TODAY)  # after it too
    for diary in (True, False):
        with django_assert_num_queries(1):
            rows, latest, reactions, unsigned, read = _history_rows(
                patient, exclude_session_id=None, top_up_of_session_id=None, on=on, diary=diary
            )
        assert sorted(rows, key=repr) == sorted(
            _PRIOR_DOSES.list(patient_id=patient.pk, exclude_id=0, top_up_of_id=0), key=repr
        )
        assert len(rows) == doses + (1 if doses else 0)
        assert (latest is None) == (answers == 0)
        assert reactions == []  # no hypersensitivity recorded (rule 21)
        assert unsigned == []  # no draft of the patient's
        facts = selectors.screening_facts(patient, on=on, latest=latest) if latest else None
        assert facts == selectors.screening_facts(patient, on=on)
        expected = [
            (a.pk, a.instrument.slug, a.value)
            for a in OutcomeAssessment.objects.filter(patient=patient, assessed_on__lte=on)
            .select_related("instrument")
            .order_by("assessed_on", "id")
        ]
        assert [(a.pk, a.instrument.slug, a.value) for a in read] == (expected if diary else [])
    dates = (on - timedelta(30),)
    assert selectors.migraine_diary_facts(
        patient, on=on, session_dates=dates, scores=read_with_diary(patient, on)
    ) == selectors.migraine_diary_facts(patient, on=on, session_dates=dates)


def read_with_diary(patient, on):
    from treatments.selectors.patient_history import _history_rows

    return _history_rows(
        patient, exclude_session_id=None, top_up_of_session_id=None, on=on, diary=True
    ).scores


class TestPreventivesFromTheQuestionnaire:
    """Rule 33's "at least 3 preventives failed" is read from the latest questionnaire."""

    @pytest.mark.parametrize(("failed", "fires"), [(2, True), (3, False), (None, False)])
    def test_not_eligible_below_three(self, patient, practitioner, failed, fires):
        QuestionnaireFactory(
            patient=patient,
            entered_by=practitioner,
            completed_on=TODAY - timedelta(days=30),
            migraine_preventives_failed=failed,
        )
        OutcomeAssessmentFactory(
            patient=patient, value=18, assessed_on=TODAY - timedelta(20), is_baseline=True
        )
        OutcomeAssessmentFactory(
            patient=patient,
            instrument=instrument("migraine-days"),
            value=10,
            assessed_on=TODAY - timedelta(20),
            is_baseline=True,
        )
        draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
        inputs = selectors.safety_inputs_for_session(session=draft)
        assert inputs.history.migraine.preventives_failed == failed
        codes = {f.code for f in inputs.evaluate()}
        assert ("nice.not_eligible" in codes) is fires
