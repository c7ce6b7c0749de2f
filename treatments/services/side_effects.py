"""Writes for side-effect reports: reception's phoned report, the clinical record, the
review and the regulator decision."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.idempotency import locked_for_edit
from clinic.inputs import check_clinical_date
from patients.models import Patient
from treatments import selectors
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    SIDE_EFFECT_ENDED_OUTCOMES,
    RegulatorDecision,
    SessionStatus,
    Severity,
    SideEffectOutcome,
    SideEffectStatus,
)
from treatments.models import SideEffect
from treatments.services import rollups


@dataclass
class SideEffectConflict(Exception):
    """Someone saved the report after the editor opened it; nothing was written."""

    current: SideEffect

    def __str__(self) -> str:
        return "The side-effect report was changed by someone else"


SERIOUSNESS_FIELDS = tuple(field for field, _ in SERIOUSNESS_CRITERIA)


def _side_effect_dates_errors(
    *, patient: Patient, onset_date, resolution_date, session
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    # The app's rule for a day something happened to a patient (clinic.inputs): within the
    # dates every page takes, not before they were born, not in the future.
    for name, day, what in (
        ("onset_date", onset_date, "The onset date"),
        ("resolution_date", resolution_date, "The resolution date"),
    ):
        if day:
            try:
                check_clinical_date(day, what=what, born=patient.date_of_birth)
            except ValidationError as exc:
                errors[name] = exc.messages
    if onset_date and resolution_date and resolution_date < onset_date:
        errors["resolution_date"] = ["The reaction cannot resolve before it started."]
    if session is not None and onset_date:
        treated_on = timezone.localdate(session.performed_at)
        if onset_date < treated_on:
            errors.setdefault("onset_date", []).append(
                f"The suspected session was on {treated_on:%d/%m/%Y}; "
                "a reaction to it cannot start before then."
            )
    return errors


def side_effect_phoned_errors(*, patient: Patient, description, onset_date) -> dict[str, list[str]]:
    """Every rule a phoned report breaks, as {field: [messages]} (empty: none): the one
    place they live, shown by PhonedSideEffectForm.clean in the same round as its own
    errors and refused by side_effect_report_phoned for any caller."""
    errors = _side_effect_dates_errors(
        patient=patient, onset_date=onset_date, resolution_date=None, session=None
    )
    if not (description or "").strip():
        errors["description"] = ["Say what the patient reported."]
    return errors


@transaction.atomic
def side_effect_report_phoned(
    *,
    patient: Patient,
    logged_by,
    description: str,
    onset_date,
    reporter: str,
    reporter_name: str = "",
) -> SideEffect:
    """Reception logs a patient's call ("patient phoned to report ..."). The report waits,
    unreviewed, in the practitioners' queue; the suspected session is the latest signed
    session on or before the onset, for the practitioner to confirm."""
    errors = side_effect_phoned_errors(
        patient=patient, description=description, onset_date=onset_date
    )
    if errors:
        raise ValidationError(errors)
    report = SideEffect(
        patient=patient,
        session=selectors.side_effect_suggested_session(patient=patient, onset_date=onset_date),
        description=description.strip(),
        onset_date=onset_date,
        reporter=reporter,
        reporter_name=(reporter_name or "").strip(),
        status=SideEffectStatus.UNREVIEWED,
        logged_by=logged_by,
    )
    report.full_clean()
    report._history_user = logged_by
    report.save()
    rollups.record_side_effects([report.session_id])  # the dashboard's rates (issue 14.5)
    return report


# What a practitioner's record of a side effect holds that its rules read.
RECORD_RULE_FIELDS = (
    "session",
    "term",
    "term_other",
    "onset_date",
    "resolution_date",
    "severity",
    "outcome",
    "causality",
    "action_taken",
    *SERIOUSNESS_FIELDS,
)

_REQUIRED = {
    "session": "Choose the suspected treatment session.",
    "term": "Choose the reaction, or Other and describe it.",
    "severity": "Grade the severity (1 to 5).",
    "outcome": "Record the outcome.",
    "causality": "Assess causality (WHO-UMC).",
    "action_taken": "Record the action taken.",
}


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for name, messages in more.items():
        errors.setdefault(name, []).extend(messages)


def side_effect_record_errors(
    *, patient: Patient, values: Mapping[str, Any], decision: dict | None = None
) -> dict[str, list[str]]:
    """Every rule a practitioner's record of a side effect breaks, all at once, as
    {field: [messages]} (empty: none). Rule 38: onset, severity (1-5), the six seriousness
    criteria, outcome and WHO-UMC causality are all required; severity and seriousness are
    separate fields. Rule 39: a decision, when given, is reported with a reference or not
    reported with a reason.

    The one place these rules live: SideEffectForm.clean shows them beside their fields in
    the same round as its own errors, and the services refuse with them for any caller.
    `values` holds RECORD_RULE_FIELDS as they would be stored (a missing one is blank);
    `decision` is {"decision", "reference", "reason"}. Writes nothing."""
    session, term = values.get("session"), values.get("term")
    onset_date, resolution_date = values.get("onset_date"), values.get("resolution_date")
    severity, outcome = values.get("severity"), values.get("outcome")
    errors = _side_effect_dates_errors(
        patient=patient, onset_date=onset_date, resolution_date=resolution_date, session=session
    )
    for name, message in _REQUIRED.items():
        if values.get(name) in (None, ""):
            errors.setdefault(name, []).append(message)
    if session is not None and session.patient_id != patient.pk:
        errors.setdefault("session", []).append("The session must be this patient's.")
    if session is not None and session.status != SessionStatus.SIGNED:
        errors.setdefault("session", []).append("Only a signed session can be suspected.")
    if term is not None and term.slug == "other" and not (values.get("term_other") or "").strip():
        errors.setdefault("term_other", []).append("Describe the reaction.")
    serious = any(values.get(f) for f in SERIOUSNESS_FIELDS)
    fatal = severity == Severity.DEATH or outcome == SideEffectOutcome.FATAL
    if fatal and not values.get("serious_death"):
        errors.setdefault("serious_death", []).append(
            'A reaction that led to death is serious: tick "Resulted in death".'
        )
    if severity == Severity.LIFE_THREATENING and not serious:
        errors.setdefault("serious_life_threatening", []).append(
            "A life-threatening reaction (grade 4) is serious: tick the criteria that apply."
        )
    _merge(errors, _outcome_and_resolution_errors(outcome, resolution_date))
    if decision is not None:
        _merge(errors, _decision_errors(**decision))
    return errors


def _apply_clinical_fields(
    report: SideEffect, *, fields: dict, decision: dict | None, user, now
) -> None:
    """Set the fields on the report and refuse (ValidationError) with every rule they
    break (side_effect_record_errors); then the decision, when given."""
    for name, value in fields.items():
        setattr(report, name, value)
    errors = side_effect_record_errors(
        patient=report.patient,
        values={name: getattr(report, name) for name in RECORD_RULE_FIELDS},
        decision=decision,
    )
    if errors:
        raise ValidationError(errors)
    report.is_serious = any(getattr(report, f) for f in SERIOUSNESS_FIELDS)
    report.term_other = report.term_other.strip()
    if decision is not None and decision["decision"]:
        _apply_decision(report, **decision, user=user, now=now)


def _outcome_and_resolution_errors(outcome, resolution_date) -> dict[str, list[str]]:
    """The outcome and the resolution date tell the same story (the model's constraints
    hold the same rule): an outcome that says the reaction has ended needs the date it
    ended, and a date needs such an outcome."""
    if not outcome:
        return {}  # asked for as missing already
    ended = outcome in SIDE_EFFECT_ENDED_OUTCOMES
    shown = dict(SideEffectOutcome.choices).get(outcome, outcome)
    if ended and resolution_date is None:
        if outcome == SideEffectOutcome.FATAL:
            message = "“Fatal” needs the date of death here."
        else:
            message = f"“{shown}” needs the date it resolved; if it has not, choose Recovering."
        return {"resolution_date": [message]}
    if not ended and resolution_date is not None:
        return {
            "outcome": [
                f"“{shown}” does not say it has resolved: clear the "
                "resolution date, or choose Recovered, Recovered with sequelae or Fatal."
            ]
        }
    return {}


def _decision_errors(*, decision: str, reference: str, reason: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if decision == RegulatorDecision.REPORTED and not (reference or "").strip():
        errors["yellow_card_reference"] = ["Give the Yellow Card reference the MHRA sent."]
    if decision == RegulatorDecision.NOT_REPORTED and not (reason or "").strip():
        errors["not_reported_reason"] = ["Say why this reaction is not being reported."]
    return errors


def _apply_decision(report: SideEffect, *, decision, reference, reason, user, now) -> None:
    report.regulator_decision = decision
    report.yellow_card_reference = (
        (reference or "").strip() if decision == RegulatorDecision.REPORTED else ""
    )
    report.not_reported_reason = (
        (reason or "").strip() if decision == RegulatorDecision.NOT_REPORTED else ""
    )
    report.decided_by = user
    report.decided_at = now


def _saved_once_since(report: SideEffect, expected_version: int) -> bool:
    """A form sent twice finds the report exactly one save past the page it came from (its
    first sending's); anything further is someone else's change, a conflict."""
    return report.version == expected_version + 1


def _stored(report: SideEffect, name: str):
    """A field's value as the row holds it (a related record's id, not the record)."""
    return getattr(report, report._meta.get_field(name).attname)


def _as_stored(name: str, value):
    """What `_apply_clinical_fields` stores for a form's value."""
    if name == "term_other":
        return (value or "").strip()
    return getattr(value, "pk", value)


def _decided_as(report: SideEffect, *, decision: str, reference: str, reason: str) -> bool:
    """Whether the report holds this Yellow Card decision, as `_apply_decision` stores it."""
    reported = decision == RegulatorDecision.REPORTED
    not_reported = decision == RegulatorDecision.NOT_REPORTED
    return (
        report.regulator_decision == decision
        and report.yellow_card_reference == ((reference or "").strip() if reported else "")
        and report.not_reported_reason == ((reason or "").strip() if not_reported else "")
    )


def _last_saved_by(report: SideEffect) -> int | None:
    """The id of the user who saved the report last (its history)."""
    return report.history.order_by("-history_id").values_list("history_user", flat=True).first()


@transaction.atomic
def side_effect_record(
    *,
    patient: Patient,
    recorded_by,
    decision: dict | None = None,
    **fields,
) -> SideEffect:
    """A practitioner records a side effect directly (reviewed as they write it)."""
    now = timezone.now()
    report = SideEffect(
        patient=patient,
        logged_by=recorded_by,
        status=SideEffectStatus.REVIEWED,
        reviewed_by=recorded_by,
        reviewed_at=now,
    )
    _apply_clinical_fields(report, fields=fields, decision=decision, user=recorded_by, now=now)
    report.full_clean()
    report._history_user = recorded_by
    report.save()
    rollups.record_side_effects([report.session_id])  # the dashboard's rates (issue 14.5)
    return report


@transaction.atomic
def side_effect_review(
    *,
    side_effect: SideEffect,
    reviewed_by,
    expected_version: int,
    decision: dict | None = None,
    **fields,
) -> SideEffect:
    """Complete or correct a report. Refuses (SideEffectConflict) when someone saved it
    after the editor opened it, so nobody's work is silently overwritten. The same review
    sent twice by the same user: returned as it is, with `replayed` set."""

    def done_already(current: SideEffect) -> bool:
        return (
            _saved_once_since(current, expected_version)
            and current.status == SideEffectStatus.REVIEWED
            and all(
                _stored(current, name) == _as_stored(name, value) for name, value in fields.items()
            )
            and (not decision or not decision["decision"] or _decided_as(current, **decision))
            and _last_saved_by(current) == reviewed_by.pk
        )

    current = locked_for_edit(
        side_effect, expected_version, conflict=SideEffectConflict, done_already=done_already
    )
    if current.replayed:
        return current
    current.patient = side_effect.patient  # the same patient, already read
    now = timezone.now()
    before = (current.session_id, current.is_serious)
    _apply_clinical_fields(current, fields=fields, decision=decision, user=reviewed_by, now=now)
    if current.status == SideEffectStatus.UNREVIEWED:
        current.status = SideEffectStatus.REVIEWED
        current.reviewed_by = reviewed_by
        current.reviewed_at = now
    current.version += 1
    current.full_clean()
    current._history_user = reviewed_by
    current.save()
    if before != (current.session_id, current.is_serious):  # the dashboard's rates
        rollups.record_side_effects([before[0], current.session_id])
    return current


@transaction.atomic
def side_effect_decide(
    *,
    side_effect: SideEffect,
    decided_by,
    expected_version: int,
    decision: str,
    reference: str = "",
    reason: str = "",
) -> SideEffect:
    """Record the Yellow Card decision (rule 39): reported with its reference, or not
    reported with a reason. A report must be reviewed first. The same decision sent twice
    by the same user: returned as it is, with `replayed` set."""

    def done_already(current: SideEffect) -> bool:
        return (
            _saved_once_since(current, expected_version)
            and current.decided_by_id == decided_by.pk
            and _decided_as(current, decision=decision, reference=reference, reason=reason)
        )

    current = locked_for_edit(
        side_effect, expected_version, conflict=SideEffectConflict, done_already=done_already
    )
    if current.replayed:
        return current
    if current.status != SideEffectStatus.REVIEWED:
        raise ValidationError("Complete the review before recording the Yellow Card decision.")
    if decision not in (RegulatorDecision.REPORTED, RegulatorDecision.NOT_REPORTED):
        raise ValidationError({"regulator_decision": ["Choose reported or not reported."]})
    errors = _decision_errors(decision=decision, reference=reference, reason=reason)
    if errors:
        raise ValidationError(errors)
    _apply_decision(
        current,
        decision=decision,
        reference=reference,
        reason=reason,
        user=decided_by,
        now=timezone.now(),
    )
    current.version += 1
    current.full_clean()
    current._history_user = decided_by
    current.save()
    return current
