"""Writes for follow-up tasks: create one by hand, complete it."""

from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from treatments.models import FollowUp, TreatmentSession


@transaction.atomic
def followup_create(
    *,
    patient: Patient,
    created_by,
    kind: str,
    title: str,
    due_on,
    session: TreatmentSession | None = None,
    assigned_to=None,
) -> FollowUp:
    task = FollowUp(
        patient=patient,
        session=session,
        kind=kind,
        title=title.strip(),
        due_on=due_on,
        created_by=created_by,
        assigned_to=assigned_to,
    )
    task.full_clean()
    task._history_user = created_by
    task.save()
    return task


@transaction.atomic
def followup_complete(*, task: FollowUp, done_by, note: str = "") -> FollowUp:
    current = FollowUp.objects.select_for_update().get(pk=task.pk)
    if current.done_at is None:
        current.done_at = timezone.now()
        current.done_by = done_by
        current.outcome_note = (note or "").strip()[:500]
        current._history_user = done_by
        current.save(update_fields=["done_at", "done_by", "outcome_note", "updated_at"])
    return current
