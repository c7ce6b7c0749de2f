"""Writes for follow-up tasks: create one by hand, complete it, reopen it the same day."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from treatments.choices import FINDINGS_REQUIRED_KINDS
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


class TaskAlreadyDone(ValidationError):
    """The task was completed (by someone else, or with another note) since the page that
    asked to complete it was shown. `task`: as stored, with who completed it."""

    def __init__(self, task: FollowUp):
        by = task.done_by
        who = (by.get_full_name() or by.get_username()) if by else ""
        when = timezone.localtime(task.done_at)
        super().__init__(
            f"This task was already completed by {who or 'someone else'} on "
            f"{when:%d/%m/%Y} at {when:%H:%M}, so your note was not saved. It is below: "
            "if it adds something, record it (a new task, or a side-effect report)."
        )
        self.task = task


@transaction.atomic
def followup_complete(
    *, task: FollowUp, done_by, note: str = "", refuse_if_done: bool = True
) -> FollowUp:
    """Mark a task done. A clinical review (PVR/UTI, side effects) records what was found.

    A task completed meanwhile is left as it is: the same completion again (a double-click)
    is simply done; any other is refused with TaskAlreadyDone, so a second finding is never
    silently dropped. `refuse_if_done=False`: leave it as it is without refusing (a task the
    caller closes on the way, as recording an outcome does)."""
    # The row alone is locked (done_by is read only for a refusal: a join here would be
    # an outer one, which PostgreSQL does not lock).
    current = FollowUp.objects.select_for_update().get(pk=task.pk)
    note = (note or "").strip()[:500]
    if current.done_at is not None:
        same = current.done_by_id == done_by.pk and current.outcome_note == note
        if refuse_if_done and not same:
            raise TaskAlreadyDone(current)
        return current
    if current.kind in FINDINGS_REQUIRED_KINDS and not note:
        raise ValidationError(
            f"Say what was found at the {current.get_kind_display().lower()} "
            f"(e.g. PVR 80 mL, no UTI symptoms; or no side effects) to complete it."
        )
    current.done_at = timezone.now()
    current.done_by = done_by
    current.outcome_note = note
    current._history_user = done_by
    current.save(update_fields=["done_at", "done_by", "outcome_note", "updated_at"])
    return current


@transaction.atomic
def followup_reopen(*, task: FollowUp, reopened_by, shown_done_at: str | None = None) -> FollowUp:
    """Undo a completion made by mistake: only on the day it was completed (after that, a
    new task is added instead, so the record of what was done stays), and only by who made
    it. `shown_done_at`: the completion the page showed (its time, ISO); when the task was
    completed again since (reopened, then completed by someone else), that completion is
    not undone. Reopened already (a double-click): nothing to do."""
    current = FollowUp.objects.select_for_update().get(pk=task.pk)
    if current.done_at is None:
        return current
    if current.done_by_id != reopened_by.pk or (
        shown_done_at is not None and current.done_at.isoformat() != shown_done_at
    ):
        by = current.done_by
        who = (by.get_full_name() or by.get_username()) if by else "someone else"
        when = timezone.localtime(current.done_at)
        raise ValidationError(
            f"Not reopened: {who} completed this task at {when:%H:%M} on {when:%d/%m/%Y}"
            + (f" ({current.outcome_note})" if current.outcome_note else "")
            + ". Add a new task if something is still to do."
        )
    if timezone.localdate(current.done_at) != timezone.localdate():
        raise ValidationError("Only a task completed today can be reopened; add a new task.")
    current.done_at = None
    current.done_by = None
    current.outcome_note = ""
    current._history_user = reopened_by
    current.save(update_fields=["done_at", "done_by", "outcome_note", "updated_at"])
    return current
