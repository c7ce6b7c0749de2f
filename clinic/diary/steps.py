"""The steps of an appointment on the day: confirm, arrived, did not attend, completed
and their undo (appointment_set_status, with which status may follow which), the
session started from an arrived appointment, the appointment completed when its
session is signed, and back to arrived when its draft is withdrawn (clinic.diary.signals).
Keyword-only, one transaction each; a page opened before a change raises
services.AppointmentConflict."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.diary import slot
from clinic.diary.choices import AppointmentStatus
from clinic.diary.models import Appointment
from clinic.diary.services import AppointmentConflict
from clinic.diary.slot import DoubleBooking
from clinic.history_writes import update_where_items, update_where_with_history
from clinic.idempotency import locked_for_edit

# Which status may follow which (the front desk's and the treatment room's steps).
NEXT = {
    AppointmentStatus.CONFIRMED: {AppointmentStatus.BOOKED},
    AppointmentStatus.ARRIVED: {AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED},
    AppointmentStatus.DID_NOT_ATTEND: {AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED},
    AppointmentStatus.COMPLETED: {AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT},
    # Undo a mis-tap (browser review, 07/12/2026): an arrival before any session was
    # started, or a did-not-attend, back to booked (confirmed, if it had been).
    AppointmentStatus.BOOKED: {AppointmentStatus.ARRIVED, AppointmentStatus.DID_NOT_ATTEND},
}
UNDONE = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, user, expected_version: int | None = None
) -> Appointment:
    """Confirm, mark arrived, did not attend, or completed (a visit with no session); or
    `booked`: undo an arrival (no session started from it) or a did-not-attend, back to
    booked, or confirmed if it had been. Repeating the same step (a double-click) changes
    nothing (returned with `replayed` set). A version other than the one the page showed
    (someone moved or changed it since) raises AppointmentConflict; only an appointment of
    today (the clinic's local date) can be marked arrived."""
    undo = status == AppointmentStatus.BOOKED
    current = locked_for_edit(
        appointment,
        expected_version,
        conflict=AppointmentConflict,
        done_already=lambda current: current.status in UNDONE if undo else current.status == status,
    )
    if current.replayed:
        return current
    if undo and current.session_id is not None:
        raise ValidationError(
            "A session was started from this appointment: it cannot go back to booked."
        )
    if undo and current.status not in NEXT[status]:
        raise ValidationError(
            "Only an arrival or a did-not-attend can be undone: this appointment is "
            f"{current.get_status_display().lower()}."
        )
    if current.status not in NEXT.get(status, set()):
        raise ValidationError(
            f"An appointment that is {current.get_status_display().lower()} cannot be marked "
            f"{AppointmentStatus(status).label.lower()}."
        )
    if status == AppointmentStatus.DID_NOT_ATTEND and timezone.now() < current.starts_at:
        raise ValidationError("An appointment cannot be missed before it starts.")
    starts_on = timezone.localdate(current.starts_at)
    if status == AppointmentStatus.ARRIVED and starts_on != timezone.localdate():
        raise ValidationError(
            f"This appointment is on {starts_on:%d/%m/%Y}, not today: only today's "
            "appointments can be marked arrived. Check the date, or move the appointment "
            "to today first."
        )
    if undo and current.status == AppointmentStatus.DID_NOT_ATTEND:
        # A missed appointment freed its slot, which may have been booked since: back to
        # booked only if the time is still free (the review: a silent double booking).
        try:
            slot.hold_the_slot(
                practitioner_id=current.practitioner_id,
                room_id=current.room_id,
                patient_id=current.patient_id,
                starts_at=current.starts_at,
                ends_at=current.ends_at,
                exclude_pk=current.pk,
            )
        except DoubleBooking:
            raise ValidationError(
                "This time was booked for someone else after the patient was marked as not "
                "attending: it cannot be undone. Book the patient a new time instead."
            ) from None
    now = timezone.now()
    current.status = status
    if undo:
        current.status = AppointmentStatus.CONFIRMED if current.confirmed_at else status
        current.arrived_at = None
    if status == AppointmentStatus.CONFIRMED:
        current.confirmed_at = now
    if status == AppointmentStatus.ARRIVED:
        current.arrived_at = now
    current.version += 1
    current._history_user = user
    current.save()
    return current


@transaction.atomic
def appointment_start_session(
    *, appointment: Appointment, practitioner, acknowledge_drafts: bool | Collection[str] = False
):
    """Open the session editor for an arrived patient, with the booking's indication and
    product and their template; repeating it returns the same draft. A patient with
    another unsigned session (anyone's, for any indication) gets a new one only with it
    acknowledged (`acknowledge_drafts`: treatments.services.session_start's), else
    treatments.services.OtherDraftsOpen is raised and nothing is written."""
    from treatments import selectors as treatment_selectors
    from treatments import services as treatment_services

    current = locked_for_edit(appointment, None, conflict=AppointmentConflict)
    if current.session_id is not None:
        return current.session
    if current.status not in (AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT):
        raise ValidationError("Mark the patient arrived before starting the session.")
    if current.indication is None or current.product is None:
        raise ValidationError(
            "The booking has no indication and product: start the session from the patient page."
        )
    template = treatment_selectors.site_template_for(
        indication=current.indication, product=current.product
    )
    session = treatment_services.session_start(
        patient=current.patient,
        practitioner=practitioner,
        indication=current.indication,
        product=current.product,
        template=template,
        other_drafts=treatment_selectors.open_drafts(patient_id=current.patient_id),
        acknowledge_drafts=acknowledge_drafts,
    )
    current.session = session
    current.status = AppointmentStatus.IN_TREATMENT
    current.version += 1
    current._history_user = practitioner
    current.save()
    return session


def complete_for_signed_session(*, session, also: list | None = None) -> None:
    """treatments.signals.session_signed: the appointment of the session is completed, at
    a new version (a page opened before cannot act on it as it was) and with its history
    row (completed by whoever signed, when they signed: a signature dated back would date
    the completion back too). With `also` (PostgreSQL), as WITH items appended to it, for
    the signed row's own statement; else one statement of its own on PostgreSQL."""
    when = session.signed_at or timezone.now()
    change = {
        "queryset": Appointment.objects.filter(session=session).exclude(
            status=AppointmentStatus.COMPLETED
        ),
        "values": {"status": AppointmentStatus.COMPLETED, "updated_at": when},
        "increment": ["version"],
        "user_id": session.signed_by_id,
        "when": when,
    }
    if also is not None:
        also += update_where_items(**change, name="appointment_completed")
    else:
        update_where_with_history(**change)


def release_for_withdrawn_session(*, session, by) -> None:
    """treatments.signals.session_withdrawn: the appointment in treatment with the draft
    just withdrawn (treatment not given) is arrived again, without the session, at a new
    version and with its history row (which keeps the session it had): the patient is
    still here, to be treated in a new session, or the visit completed or the
    appointment rebooked. An appointment already completed keeps its session."""
    update_where_with_history(
        Appointment.objects.filter(session=session, status=AppointmentStatus.IN_TREATMENT),
        values={
            "status": AppointmentStatus.ARRIVED,
            "session": None,
            "updated_at": session.withdrawal.withdrawn_at,
        },
        increment=["version"],
        user_id=by.pk,
        when=session.withdrawal.withdrawn_at,
    )
