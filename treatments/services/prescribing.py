"""Writes for what a prescriber records before cosmetic treatment: the face-to-face
assessment (DOMAIN §10 rule 34)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from treatments.models import PrescriberAssessment


@transaction.atomic
def prescriber_assessment_record(
    *, patient: Patient, prescriber, assessed_on: date, recorded_by, notes: str = ""
) -> PrescriberAssessment:
    """Record that `prescriber` assessed the patient face to face on `assessed_on`."""
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "An assessment cannot be recorded in the future."})
    assessment = PrescriberAssessment(
        patient=patient,
        prescriber=prescriber,
        assessed_on=assessed_on,
        notes=(notes or "").strip(),
        recorded_by=recorded_by,
    )
    assessment.full_clean()
    assessment._history_user = recorded_by
    assessment.save()
    return assessment
