"""Writes of the diary: book, move and cancel. Keyword-only, one transaction each. The
steps on the day (confirm, arrived, did not attend, completed, starting the session)
are clinic.diary.steps.

No double booking: a booking or a move holds its slot (clinic.diary.slot: the locks, a
refusal no other time would fix, the clash, then the flags to acknowledge) before it
writes. On PostgreSQL the exclusion constraints of migration 0002 refuse an overlap
whatever path wrote it; both ways the booker gets DoubleBooking with the next free slots
to offer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.diary import availability, slot
from clinic.diary.choices import AppointmentStatus, CancelledBy
from clinic.diary.messaging.reminders import (
    reminder_reschedule,
    reminder_schedule,
    reminders_withdraw,
)
from clinic.diary.models import Appointment, booking_day_problem
from clinic.diary.slot import (  # noqa: F401 - the views and tests read them here
    BookingNeedsAcknowledgement,
    BookingRefused,
    DoubleBooking,
)
from clinic.diary.waiting_list.services import offer_cancelled_slot, waiting_list_booked
from clinic.idempotency import locked_for_edit


@dataclass
class AppointmentConflict(Exception):
    """Someone changed the appointment since the page was opened."""

    current: Appointment


def _bookable(starts_at) -> None:
    problem = booking_day_problem(timezone.localdate(starts_at))
    if problem:
        raise ValidationError(problem)


def _room_for_move(
    current: Appointment, *, room, hours, starts_at
) -> tuple[int | None, int | None]:
    """A moved appointment's room, and that room again if it was chosen (not its hours'):
    a room named for the move is taken; a room the booker chose (`room_chosen`) is kept;
    else the room follows the hours (`hours`: availability.hours_of, the practitioner's
    that day, the new one's if it changes) at the new time. Read from what was stored, not
    guessed from today's hours (review 07/12/2026: a room whose working pattern changed
    after booking looked chosen and stuck on a move)."""
    if room is not None:
        return room.pk, room.pk
    if current.room_chosen and current.room_id is not None:
        return current.room_id, current.room_id
    return availability.room_at(hours, starts_at), None


def appointment_book(
    *,
    patient,
    practitioner,
    appointment_type,
    starts_at,
    booked_by,
    minutes: int | None = None,
    room=None,
    indication=None,
    product=None,
    notes: str = "",
    acknowledge_flags: bool | Collection[str] = False,
) -> Appointment:
    """Book; raises BookingRefused, BookingNeedsAcknowledgement or DoubleBooking, and
    ValidationError for a day beyond the booking horizon."""
    _bookable(starts_at)
    minutes = minutes or appointment_type.default_minutes
    ends_at = starts_at + timedelta(minutes=minutes)
    indication = indication or appointment_type.indication
    # Their hours that day, read once: for the room (none chosen: the room of their hours
    # then, so that it is held and shown; a booking made at the desk said no room, each
    # seeded one its room) and for the hours flag (slot.flags).
    hours = availability.hours_of(
        practitioner_id=practitioner.pk, day=timezone.localdate(starts_at)
    )
    room_id = room.pk if room else availability.room_at(hours, starts_at)
    found = []  # the checks read before a clash: its free times start when they allow
    try:
        with transaction.atomic():
            # The locks, then a refusal no other time fixes, then the slot: a time already
            # taken is said before any flag is asked about (browser review 07/12/2026: a
            # clash came only after "book it anyway"), but after a refusal (a free time
            # picked for a booking that could not be made at all).
            slot.lock_the_slot(
                practitioner_id=practitioner.pk, room_id=room_id, patient_id=patient.pk
            )
            found = slot.refusals(
                patient=patient,
                appointment_type=appointment_type,
                indication=indication,
                product=product,
                starts_at=starts_at,
                practitioner=practitioner,
            )
            slot.refuse_a_clash(
                practitioner_id=practitioner.pk,
                room_id=room_id,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            found = slot.flags(
                found,
                patient=patient,
                starts_at=starts_at,
                ends_at=ends_at,
                acknowledge=acknowledge_flags,
                practitioner=practitioner,
                hours=hours,
            )
            appointment = Appointment(
                patient=patient,
                practitioner=practitioner,
                appointment_type=appointment_type,
                room_id=room_id,
                room_chosen=room is not None,
                indication=indication,
                product=product,
                starts_at=starts_at,
                ends_at=ends_at,
                notes=(notes or "").strip()[:300],
                booking_flags=[c.as_record() for c in found],
                booked_by=booked_by,
            )
            appointment.full_clean(exclude=["booking_flags"])
            appointment._history_user = booked_by
            appointment.save()
            reminder_schedule(appointment=appointment)  # issue 15.5
            waiting_list_booked(appointment=appointment)  # issue 15.6
            return appointment
    except BookingNeedsAcknowledgement as exc:
        if any(check.earliest_on for check in exc.checks):
            # Too soon: the free times from the eligible date, for the page to offer
            # (reception review 07/12/2026: a link away from the form lost what was typed).
            exc.free, exc.eligible_on = slot.free_times(
                minutes=minutes,
                practitioner_id=practitioner.pk,
                after=starts_at,
                room_id=room.pk if room else None,
                found=exc.checks,
            )
        raise
    except DoubleBooking as exc:
        raise slot.with_free_slots(
            exc,
            minutes=minutes,
            practitioner_id=practitioner.pk,
            after=starts_at,
            room_id=room.pk if room else None,
            found=found,
        ) from None
    except IntegrityError as exc:
        if "appointment_no_overlap" not in str(exc):
            raise
        raise slot.with_free_slots(
            DoubleBooking(clash=None),
            minutes=minutes,
            practitioner_id=practitioner.pk,
            after=starts_at,
            room_id=room.pk if room else None,
            found=found,
        ) from None


def appointment_move(
    *,
    appointment: Appointment,
    starts_at,
    moved_by,
    expected_version: int | None = None,
    practitioner=None,
    room=None,
    acknowledge_flags: bool | Collection[str] = False,
) -> Appointment:
    """Move to a new time (and practitioner or room); the checks run again for the new
    date, the length is kept. Already there (a replayed form): returned as it is, with
    `replayed` set."""
    _bookable(starts_at)
    minutes = appointment.minutes
    practitioner_id = practitioner.pk if practitioner else appointment.practitioner_id
    chosen_room = room.pk if room else None

    def done_already(current: Appointment) -> bool:
        return (
            current.is_open
            and current.starts_at == starts_at
            and (practitioner is None or current.practitioner_id == practitioner.pk)
            and (room is None or current.room_id == room.pk)
        )

    found = []  # as for a booking
    try:
        with transaction.atomic():
            current = locked_for_edit(
                appointment,
                expected_version,
                conflict=AppointmentConflict,
                done_already=done_already,
            )
            if current.replayed:
                return current
            if not current.is_open:
                raise ValidationError("Only an appointment still to happen can be moved.")
            practitioner_id = practitioner.pk if practitioner else current.practitioner_id
            # Their hours that day, read once: for the room and the hours flag.
            hours = availability.hours_of(
                practitioner_id=practitioner_id, day=timezone.localdate(starts_at)
            )
            room_id, chosen_room = _room_for_move(
                current, room=room, hours=hours, starts_at=starts_at
            )
            ends_at = starts_at + timedelta(minutes=minutes)
            # As for a booking: the locks, a refusal, the slot, then the flags.
            slot.lock_the_slot(
                practitioner_id=practitioner_id, room_id=room_id, patient_id=current.patient_id
            )
            found = slot.refusals(
                patient=current.patient,
                appointment_type=current.appointment_type,
                indication=current.indication,
                product=current.product,
                starts_at=starts_at,
                practitioner=practitioner or current.practitioner,
                exclude_pk=current.pk,
            )
            slot.refuse_a_clash(
                practitioner_id=practitioner_id,
                room_id=room_id,
                starts_at=starts_at,
                ends_at=ends_at,
                exclude_pk=current.pk,
            )
            found = slot.flags(
                found,
                patient=current.patient,
                starts_at=starts_at,
                ends_at=ends_at,
                acknowledge=acknowledge_flags,
                practitioner=practitioner or current.practitioner,
                hours=hours,
                exclude_pk=current.pk,
                doing="move it there",
            )
            current.starts_at, current.ends_at = starts_at, ends_at
            current.practitioner_id, current.room_id = practitioner_id, room_id
            current.room_chosen = chosen_room is not None
            current.booking_flags = [c.as_record() for c in found]
            current.status = AppointmentStatus.BOOKED
            current.confirmed_at = None
            current.version += 1
            current._history_user = moved_by
            current.save()
            reminder_reschedule(appointment=current)  # issue 15.5
            return current
    except DoubleBooking as exc:
        raise slot.with_free_slots(
            exc,
            minutes=minutes,
            practitioner_id=practitioner_id,
            after=starts_at,
            room_id=chosen_room,
            found=found,
        ) from None
    except IntegrityError as exc:
        if "appointment_no_overlap" not in str(exc):
            raise
        raise slot.with_free_slots(
            DoubleBooking(clash=None),
            minutes=minutes,
            practitioner_id=practitioner_id,
            after=starts_at,
            room_id=chosen_room,
            found=found,
        ) from None


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, cancelled_by: str, reason: str, user, expected_version=None
) -> Appointment:
    """Cancel with who asked and why; a patient's cancellation within
    DIARY_LATE_CANCELLATION_HOURS of the start is flagged late (practice policy), unless it
    comes within DIARY_LATE_CANCELLATION_GRACE_MINUTES of the booking. The same
    cancellation sent twice: returned as it is, with `replayed` set."""
    reason = (reason or "").strip()[:200]

    def done_already(current: Appointment) -> bool:
        return (
            current.status == AppointmentStatus.CANCELLED
            and current.cancelled_by == cancelled_by
            and current.cancel_reason == reason
        )

    current = locked_for_edit(
        appointment, expected_version, conflict=AppointmentConflict, done_already=done_already
    )
    if current.replayed:
        current.waiting_list_offers = []  # offered when it was cancelled
        return current
    if not current.is_open:
        raise ValidationError("This appointment is no longer open.")
    if not reason:
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    now = timezone.now()
    late_window = timedelta(hours=settings.DIARY_LATE_CANCELLATION_HOURS)
    current.status = AppointmentStatus.CANCELLED
    current.cancelled_at = now
    current.cancelled_by = cancelled_by
    current.cancel_reason = reason
    # Not late within DIARY_LATE_CANCELLATION_GRACE_MINUTES of the booking: a booking
    # undone at once (a mistake, the patient changing their mind on the phone) is no late
    # cancellation (browser review 07/12/2026); one booked yesterday for tomorrow and
    # cancelled an hour before still is.
    grace = timedelta(minutes=settings.DIARY_LATE_CANCELLATION_GRACE_MINUTES)
    current.is_late_cancellation = (
        cancelled_by == CancelledBy.PATIENT
        and current.starts_at - now < late_window
        and now - current.created_at >= grace
    )
    current.version += 1
    current._history_user = user
    current.save()
    # Issue 15.5-15.6: no reminder for it; the waiting list is offered the slot (the view
    # shows `waiting_list_offers`).
    reminders_withdraw(appointment=current, reason="The appointment was cancelled")
    current.waiting_list_offers = offer_cancelled_slot(appointment=current)
    return current
