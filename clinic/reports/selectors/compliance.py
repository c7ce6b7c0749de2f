"""Chart compliance: sessions unsigned or signed late, questionnaires awaiting review
(the dashboard's compliance tile and the questionnaires report).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from clinic.reports.selectors.scope import Scope, session_q
from patients.models import IntakeQuestionnaire
from treatments.choices import SessionStatus
from treatments.models import CHART_COMPLETION_HOURS as SUMMARY_CHART_COMPLETION_HOURS
from treatments.models import TreatmentSession

# Chart compliance: a session still unsigned this long after it was performed, or signed
# later than this, is flagged (a records-keeping expectation, kept with the summaries that
# count the late ones: treatments.models.rollups).
CHART_COMPLETION_HOURS = SUMMARY_CHART_COMPLETION_HOURS


def chart_completion_delta() -> timedelta:
    return timedelta(hours=CHART_COMPLETION_HOURS)


def unsigned_overdue(scope: Scope, now=None) -> QuerySet[TreatmentSession]:
    """Draft sessions performed more than CHART_COMPLETION_HOURS ago, whatever the period:
    open work (served by session_status_idx)."""
    now = now or timezone.now()
    return TreatmentSession.objects.filter(
        session_q(scope),
        status=SessionStatus.DRAFT,
        performed_at__lt=now - chart_completion_delta(),
    )


def questionnaires_unreviewed() -> QuerySet[IntakeQuestionnaire]:
    """Questionnaires no practitioner has reviewed yet (partial index)."""
    return IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True)


def questionnaire_rows() -> QuerySet:
    return (
        questionnaires_unreviewed()
        .values(
            "id",
            "completed_on",
            "created_at",
            "patient__public_id",
            "patient__record_number",
            "entered_by__first_name",
            "entered_by__last_name",
            "entered_by__username",
        )
        .order_by("completed_on", "id")
    )
