"""Reading intake questionnaires: a patient's, the latest answers to carry forward, the
summary the patient page shows, and those awaiting a clinical review."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from patients.models import (
    IntakeQuestionnaire,
    Patient,
    PriorTreatment,
)


def questionnaire_list_for_patient(
    *, patient: Patient, limit: int | None = None
) -> list[IntakeQuestionnaire]:
    """A patient's questionnaires, newest first, with their prior treatments."""
    qs = (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .select_related("entered_by", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "prior_treatments",
                queryset=PriorTreatment.objects.select_related("product", "indication"),
            )
        )
        .order_by("-completed_on", "-id")
    )
    return list(qs[:limit] if limit else qs)


QUESTIONNAIRE_CARRIED_FIELDS = (
    "allergy_details",
    "neuromuscular_details",
    "current_medications",
)


def questionnaire_initial_from_latest(*, patient: Patient) -> dict:
    """Free-text details from the last questionnaire, to be confirmed again (clinical roles
    only). Yes/no answers are never carried over: each must be asked afresh."""
    latest = (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values(*QUESTIONNAIRE_CARRIED_FIELDS)
        .first()
    )
    return latest or {}


def questionnaire_get_for_patient(*, patient: Patient, pk: int) -> IntakeQuestionnaire:
    return get_object_or_404(IntakeQuestionnaire, patient=patient, pk=pk)


@dataclass(frozen=True)
class QuestionnaireSummary:
    """What reception may see: that a questionnaire exists and whether it was reviewed."""

    count: int
    latest_on: date | None
    latest_reviewed: bool


def questionnaire_summary(*, patient: Patient) -> QuestionnaireSummary:
    rows = list(
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values_list("completed_on", "reviewed_at")
    )
    if not rows:
        return QuestionnaireSummary(count=0, latest_on=None, latest_reviewed=False)
    latest_on, reviewed_at = rows[0]
    return QuestionnaireSummary(
        count=len(rows), latest_on=latest_on, latest_reviewed=reviewed_at is not None
    )


def questionnaire_list_awaiting_review(*, limit: int = 10) -> list[IntakeQuestionnaire]:
    return list(
        IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True, patient__status="active")
        .select_related("patient", "entered_by")
        .order_by("completed_on", "id")[:limit]
    )


def questionnaire_awaiting_review_count() -> int:
    return IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True).count()
