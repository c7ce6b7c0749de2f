"""Writes for outcome assessments: record a score against its instrument's range."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from treatments.choices import FollowUpKind
from treatments.models import (
    AnatomicalSite,
    FollowUp,
    Indication,
    OutcomeAssessment,
    OutcomeInstrument,
    TreatmentSession,
)
from treatments.services import panel_rollups
from treatments.services.followups import followup_complete


def _range_text(instrument: OutcomeInstrument) -> str:
    low = "" if instrument.min_value is None else f"{instrument.min_value.normalize():f}"
    high = "" if instrument.max_value is None else f"{instrument.max_value.normalize():f}"
    unit = f" {instrument.unit}" if instrument.unit else ""
    if low and high:
        return f"{low} to {high}{unit}"
    return f"at least {low}{unit}" if low else f"at most {high}{unit}"


@transaction.atomic
def outcome_record(
    *,
    patient: Patient,
    indication: Indication,
    instrument: OutcomeInstrument,
    value: Decimal,
    assessed_on,
    recorded_by,
    session: TreatmentSession | None = None,
    muscle: AnatomicalSite | None = None,
    is_baseline: bool = False,
    notes: str = "",
) -> OutcomeAssessment:
    """Record one score. Refuses a value outside the instrument's range, an instrument the
    indication does not use, a future date, a per-muscle instrument without its muscle and
    a session of another patient or indication."""
    errors: dict[str, list[str]] = {}
    if not indication.outcome_instruments.filter(pk=instrument.pk).exists():
        errors.setdefault("instrument", []).append(
            f"{instrument.name} is not an outcome measure for {indication.name}."
        )
    below = instrument.min_value is not None and value < instrument.min_value
    above = instrument.max_value is not None and value > instrument.max_value
    if below or above:
        errors.setdefault("value", []).append(
            f"{instrument.name} must be {_range_text(instrument)}."
        )
    if assessed_on > timezone.localdate():
        errors.setdefault("assessed_on", []).append("The assessment date cannot be in the future.")
    if instrument.per_muscle and muscle is None:
        errors.setdefault("muscle", []).append(
            f"{instrument.name} is scored per muscle: choose it."
        )
    if session is not None and (
        session.patient_id != patient.pk or session.indication_id != indication.pk
    ):
        errors.setdefault("session", []).append(
            "The session must be this patient's, for the same indication."
        )
    if errors:
        raise ValidationError(errors)
    assessment = OutcomeAssessment(
        patient=patient,
        indication=indication,
        instrument=instrument,
        value=value,
        assessed_on=assessed_on,
        session=session,
        muscle=muscle if instrument.per_muscle else None,
        is_baseline=is_baseline,
        recorded_by=recorded_by,
        notes=notes,
    )
    assessment.full_clean()
    assessment.save()
    # The dashboard's responder rates: the series' summary rows (issue 14.5).
    panel_rollups.record_outcome_series(assessment)
    # The outcome entry the session asked for is now done.
    for task in FollowUp.objects.filter(
        patient=patient,
        kind=FollowUpKind.OUTCOME_DUE,
        session__indication=indication,
        done_at__isnull=True,
    ):
        followup_complete(
            task=task,
            done_by=recorded_by,
            note=f"Recorded {assessment}",
            refuse_if_done=False,  # completed meanwhile by someone else: theirs stands
        )
    return assessment
