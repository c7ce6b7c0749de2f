"""Appointment reminders (issue 15.5): DIARY_REMINDER_HOURS (48) before the start.

Booking records the reminder (one row per channel, queued or skipped for consent) and
queues its task to run at that time (django.tasks' `run_after`: the database backend
defers it; `manage.py send_due_messages` covers a backend that cannot). Moving the
appointment skips the old reminder and records a new one; cancelling skips it. The task
checks again before sending: an appointment no longer open, or not at the time reminded
of, is skipped, not reminded.

Booked less than REMINDER_MIN_NOTICE before the start, no reminder is recorded (the
patient has just been told); booked inside the reminder window, it goes at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clinic.diary.messaging.choices import MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage

REMINDER_MIN_NOTICE = timedelta(hours=2)


def reminder_due_at(starts_at):
    return starts_at - timedelta(hours=settings.DIARY_REMINDER_HOURS)


def reminder_schedule(*, appointment) -> list[PatientMessage]:
    """Inside the booking's or the move's transaction."""
    from clinic.diary.messaging.services import message_request

    now = timezone.now()
    if appointment.starts_at - now < REMINDER_MIN_NOTICE:
        return []
    return message_request(
        patient=appointment.patient,
        kind=MessageKind.REMINDER,
        appointment=appointment,
        send_after=max(reminder_due_at(appointment.starts_at), now),
    )


def reminders_withdraw(*, appointment, reason: str) -> int:
    """The appointment moved or was cancelled: its queued reminders will not be sent."""
    return PatientMessage.objects.filter(
        appointment=appointment, kind=MessageKind.REMINDER, status=MessageStatus.QUEUED
    ).update(status=MessageStatus.SKIPPED, skip_reason=reason, finished_at=timezone.now())


def reminder_reschedule(*, appointment) -> list[PatientMessage]:
    reminders_withdraw(appointment=appointment, reason="The appointment was moved")
    return reminder_schedule(appointment=appointment)
