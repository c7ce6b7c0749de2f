"""Side effects (DOMAIN §4, rules 38-39): reception's phoned-in report, the practitioner's
review, the Yellow Card decision, the serious-without-decision flag, the pre-filled
report and its CSV, and the follow-up tasks made at signing."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.inputs import STALE_PAGE_MESSAGE
from tests.factories import (
    PatientFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from tests.treatments.session_helpers import save, start
from treatments import selectors, services
from treatments.models import FollowUp, OutcomeInstrument, SideEffect, SideEffectTerm, VialDraw

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def signed_session(patient, practitioner, *, days_ago=7, lot="LOT-A1"):
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        signed=True,
        signed_at=timezone.now(),
        performed_at=timezone.now() - timedelta(days=days_ago),
        vial=VialFactory(lot=lot),
    )
    VialDraw.objects.create(session=session, vial=session.vial, units=20)
    return session


def practitioner_report(session, **overrides) -> dict:
    """The practitioner's side-effect form for `session`: neck ache three days ago,
    recovered today, a possible reaction, reported by the clinician."""
    return {
        "session": session.pk,
        "term": SideEffectTerm.objects.get(slug="neck-pain").pk,
        "description": "Neck ache for three days",
        "onset_date": (TODAY - timedelta(days=3)).strftime("%d/%m/%Y"),
        "severity": "1",
        "serious": "no",
        "outcome": "recovered",
        "resolution_date": TODAY.strftime("%d/%m/%Y"),
        "causality": "possible",
        "action_taken": "advice",
        "reporter": "clinician",
        "regulator_decision": "",
    } | overrides


def review_fields(suspect, **overrides):
    return {
        "session": suspect,
        "term": SideEffectTerm.objects.get(slug="eyelid-ptosis"),
        "term_other": "",
        "description": "Left eyelid drooping",
        "onset_date": TODAY - timedelta(days=2),
        "resolution_date": None,
        "severity": 2,
        "outcome": "recovering",
        "causality": "probable",
        "action_taken": "advice",
        "treatment_given": "",
        "reporter": "patient",
        "reporter_name": "",
        "serious_death": False,
        "serious_life_threatening": False,
        "serious_hospitalisation": False,
        "serious_disability": False,
        "serious_congenital": False,
        "serious_medically_important": False,
    } | overrides


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
        assert selectors.side_effect_queue().unreviewed == [report]

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


# --- Pages -------------------------------------------------------------------------------


def test_reception_logs_a_call_and_cannot_read_it_back(reception_client, practitioner, patient):
    signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    page = reception_client.get(url).content.decode()
    assert "Log a side-effect call" in page and "Severity" not in page
    response = reception_client.post(
        url,
        {
            "description": "drooping eyelid <script>alert(1)</script>",
            "onset_date": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
            "reporter": "patient",
        },
    )
    assert response.status_code == 302
    se = SideEffect.objects.get()
    assert se.status == "unreviewed"
    assert reception_client.get(se.get_absolute_url()).status_code == 403
    assert reception_client.get(f"/patients/{patient.public_id}/side-effects/").status_code == 403
    detail = reception_client.get(patient.get_absolute_url()).content.decode()
    assert "drooping" not in detail and "open-side-effects" not in detail


def test_reception_form_errors_keep_what_was_typed(reception_client, patient):
    url = f"/patients/{patient.public_id}/side-effects/new/"
    response = reception_client.post(
        url, {"description": "rash on neck", "onset_date": "31/02/2026"}
    )
    assert response.status_code == 200
    assert "rash on neck" in response.content.decode()
    assert not SideEffect.objects.exists()


def test_patient_page_header_and_tab_show_open_side_effects_with_the_lot(
    practitioner_client, practitioner, patient
):
    session = signed_session(patient, practitioner, lot="BTX-7781")
    se = SideEffectFactory(session=session, patient=patient, severity=2)
    header = practitioner_client.get(patient.get_absolute_url()).content.decode()
    assert 'data-testid="open-side-effects"' in header
    assert "Eyelid ptosis (drooping eyelid) · not serious" in header
    tab = practitioner_client.get(f"/patients/{patient.public_id}/side-effects/").content.decode()
    assert "BTX-7781" in tab and se.get_absolute_url() in tab
    detail = practitioner_client.get(se.get_absolute_url()).content.decode()
    assert "BTX-7781" in detail and "Probable / likely" in detail


def test_practitioner_records_a_side_effect_from_the_form(
    practitioner_client, practitioner, patient
):
    session = signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    data = practitioner_report(session)
    # "Serious" with no criterion ticked is refused, and nothing typed is lost.
    response = practitioner_client.post(url, data | {"serious": "yes"})
    assert (
        response.status_code == 200 and "Tick the seriousness criteria" in response.content.decode()
    )
    assert "Neck ache for three days" in response.content.decode()
    response = practitioner_client.post(url, data)
    assert response.status_code == 302
    se = SideEffect.objects.get()
    assert se.status == "reviewed" and se.reviewed_by == practitioner and not se.is_serious


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"resolution_date": ""},
            "“Recovered” needs the date it resolved",
        ),
        ({"outcome": "recovering"}, "“Recovering” does not say it has resolved"),
    ],
)
def test_form_refuses_an_outcome_that_contradicts_the_resolution_date(
    practitioner_client, practitioner, patient, changes, message
):
    """Reviewer's find: "Recovered" with no date was saved and shown as "Resolved: Not
    yet". Refused with a message on the field, and everything typed is kept."""
    session = signed_session(patient, practitioner)
    data = practitioner_report(session, **changes)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    response = practitioner_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "Neck ache for three days" in page
    assert not SideEffect.objects.exists()


def test_database_refuses_an_outcome_that_contradicts_the_resolution_date():
    """No other path (admin, a script, a bulk load) can store the contradiction."""
    with pytest.raises(IntegrityError), transaction.atomic():
        SideEffectFactory(outcome="recovered", resolution_date=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        SideEffectFactory(outcome="recovering", resolution_date=TODAY)
    SideEffectFactory(outcome="recovered", resolution_date=TODAY)  # agrees: stored


def test_yellow_card_page_and_csv_hold_the_record(practitioner_client, practitioner):
    patient = PatientFactory(given_names="Jane Ann", family_name="O'Brien")
    session = signed_session(patient, practitioner, lot="=HYPERLINK(1)")
    se = SideEffectFactory(session=session, patient=patient)
    page = practitioner_client.get(f"/side-effects/{se.public_id}/yellow-card/").content.decode()
    for text in ("JAO", "Eyelid ptosis", "BOTOX", "Chronic migraine", patient.record_number):
        assert text in page
    assert "data-print" in page
    response = practitioner_client.get(f"/side-effects/{se.public_id}/yellow-card.csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["Section", "Field", "Value"]
    fields = {(section, label): value for section, label, value in rows[1:]}
    assert fields[("Patient", "Initials")] == "JAO"
    assert fields[("Suspected drug", "Batch")].startswith("'=HYPERLINK(1)")  # no formula
    assert fields[("Suspected reaction", "Serious")] == "No"
    assert fields[("Reporter", "Name")]


def test_decision_form_on_the_detail_page(practitioner_client):
    se = SideEffectFactory()
    # The reference's label is one line in its narrow column (1366 px): "Yellow Card
    # reference" took two and its box sat below the reason's.
    page = practitioner_client.get(f"/side-effects/{se.public_id}/").content.decode()
    label = re.search(r'for="id_yellow_card_reference"[^>]*>\s*([^<]*?)\s*<', page)
    assert label and label.group(1) == "Reference"
    url = f"/side-effects/{se.public_id}/decision/"
    practitioner_client.post(url, {"regulator_decision": "not-reported", "version": 1})
    se.refresh_from_db()
    assert se.regulator_decision == ""  # no reason: refused
    practitioner_client.post(
        url,
        {"regulator_decision": "not-reported", "not_reported_reason": "Known, mild", "version": 1},
    )
    se.refresh_from_db()
    assert se.regulator_decision == "not-reported"
    # A second, stale decision is refused rather than overwriting the first.
    practitioner_client.post(
        url, {"regulator_decision": "reported", "yellow_card_reference": "X1", "version": 1}
    )
    se.refresh_from_db()
    assert se.regulator_decision == "not-reported"


def test_a_decision_without_the_version_is_refused_as_out_of_date(practitioner_client):
    se = SideEffectFactory()
    response = practitioner_client.post(
        f"/side-effects/{se.public_id}/decision/",
        {"regulator_decision": "not-reported", "not_reported_reason": "Known, mild"},
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [STALE_PAGE_MESSAGE]
    se.refresh_from_db()
    assert (se.regulator_decision, se.version) == ("", 1)


def test_a_review_without_the_version_is_refused_with_the_entries_kept(practitioner_client):
    """It was taken for version 0 and told 'changed by someone else', which nobody had."""
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/review/"
    form = practitioner_client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    data["treatment_given"] = "Typed just now"
    del data["version"]
    response = practitioner_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "Typed just now" in page
    se.refresh_from_db()
    assert se.version == 1 and se.treatment_given != "Typed just now"


def test_manager_sees_the_serious_list_pseudonymised(manager_client, practitioner):
    patient = PatientFactory(family_name="Zebedee")
    se = SideEffectFactory(
        session=signed_session(patient, practitioner),
        patient=patient,
        serious_hospitalisation=True,
        is_serious=True,
    )
    html = manager_client.get("/side-effects/serious/").content.decode()
    assert patient.record_number in html and "Zebedee" not in html
    assert se.get_absolute_url() not in html
    assert manager_client.get(se.get_absolute_url()).status_code == 403


def test_the_same_side_effect_form_sent_twice_records_one_report(
    practitioner_client, practitioner, patient
):
    """A practitioner's double-click: one report (both would count in the rates), and the
    replay goes to the first one."""
    session = signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    page = practitioner_client.get(url)
    token = page.context["form"]["submission_token"].value()
    assert f'value="{token}"' in page.content.decode()
    data = practitioner_report(
        session, submission_token=token, outcome="recovering", resolution_date=""
    )
    first = practitioner_client.post(url, data)
    assert first.status_code == 302
    again = practitioner_client.post(url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert SideEffect.objects.filter(patient=patient).count() == 1


def test_an_unreviewed_reports_heading_ends_in_an_ellipsis(practitioner_client):
    # A report reception logged has no term yet: the page's heading was the description's
    # first 60 characters, cut mid-word ("...aching and she finds") with nothing to say so.
    said = "Patient phoned to say her neck has been aching and she finds it hard to lift her head."
    se = SideEffectFactory(term=None, description=said, status="unreviewed")
    page = practitioner_client.get(f"/side-effects/{se.public_id}/").content.decode()
    heading = page[page.index("<h1") : page.index("<small>", page.index("<h1"))]
    assert heading.endswith("Patient phoned to say her neck has been aching and she find… ")
    # A named reaction is the heading, whole.
    named = SideEffectFactory()
    page = practitioner_client.get(f"/side-effects/{named.public_id}/").content.decode()
    assert f'<h1 class="h4 mb-0">{named.term.name} <small>' in page
