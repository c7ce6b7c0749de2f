"""What the appointment page says when a move or a cancellation meets an appointment that
someone changed or cancelled since the page was opened: who did what, how it is now, and
what the user asked for, so that nothing typed is lost when the form cannot come back
(the appointment is no longer open)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from clinic.diary.choices import AppointmentStatus
from clinic.diary.models import Appointment

MOVE, CANCEL = "move", "cancel"


def when(moment: datetime) -> str:
    """As the diary's own messages say it: 03/12/2026 at 14:00 (UK time)."""
    return f"{timezone.localtime(moment):%d/%m/%Y at %H:%M}"


def conflict_message(current: Appointment, *, by: str, action: str, asked: str) -> str:
    """`current`: the appointment as it is now; `by`: who changed it last; `asked`: the
    new time (move) or the reason typed (cancel)."""
    if current.status == AppointmentStatus.CANCELLED:
        said = f"{by} cancelled this appointment meanwhile "
        said += f"({current.get_cancelled_by_display().lower()}: {current.cancel_reason})."
        if action == MOVE:
            return f"{said} It was not moved to {asked}: book again if it is still wanted."
        return f"{said} Nothing more to do; your reason was not saved: “{asked}”."
    if not current.is_open:
        state = current.get_status_display().lower()
        done = f"it was not moved to {asked}" if action == MOVE else "it cannot be cancelled"
        return f"{by} changed this appointment meanwhile: it is now {state}, so {done}."
    said = (
        f"{by} moved or changed this appointment meanwhile: it is now {when(current.starts_at)}"
        f" with {current.practitioner.get_full_name() or current.practitioner.username}."
    )
    if action == MOVE:
        return f"{said} Your new time is kept below: press Move to move it there."
    return f"{said} Your cancellation is kept below: press Cancel the appointment again."


def step_conflict_message(current: Appointment, *, by: str, asked: str) -> str:
    """A step (confirmed, arrived ...) pressed on a page opened before someone changed the
    appointment: nothing was marked; how it is now, and what to do."""
    state = current.get_status_display().lower()
    said = (
        f"{by} changed this appointment since your page was opened: it is now "
        f"{when(current.starts_at)} with "
        f"{current.practitioner.get_full_name() or current.practitioner.username} ({state})."
    )
    return f"{said} It was not marked {asked}: check it below, then press the button again."
