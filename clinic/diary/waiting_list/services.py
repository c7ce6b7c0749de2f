"""Writes of the waiting list: add, withdraw, offer a cancelled slot, send the offer, and
take the patient off the list when they are booked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.diary.checks import archived_refusal
from clinic.diary.waiting_list.choices import EVERY_DAY, TimeOfDay, WaitingStatus, weekday_bit
from clinic.diary.waiting_list.models import WaitingListEntry
from patients.choices import PatientStatus


@transaction.atomic
def waiting_list_add(
    *,
    patient,
    appointment_type,
    from_date,
    created_by,
    practitioner=None,
    time_of_day: str = TimeOfDay.ANY,
    weekdays: int = EVERY_DAY,
    notes: str = "",
) -> WaitingListEntry:
    """Put the patient on the list for this kind of appointment, at the times of day and on
    the weekdays they can come (`weekdays`: a bit a day, choices.weekdays_mask): once. A
    patient already waiting (or offered a slot) for it is refused with who added them and
    when, so that two page loads never make two entries and two offers. Adds for one
    patient are taken one at a time (the patient's row locked), so two at once cannot
    both pass the check."""
    current = type(patient).objects.select_for_update().get(pk=patient.pk)
    if current.is_archived:
        # It could never be offered a slot: booking refuses an archived record (review
        # 07/12/2026).
        raise ValidationError(archived_refusal(current, before="adding them to the waiting list"))
    already = (
        WaitingListEntry.objects.filter(
            patient=patient, appointment_type=appointment_type, status__in=WaitingStatus.active()
        )
        .select_related("practitioner")
        .order_by("created_at")
        .first()
    )
    if already is not None:
        with_whom = f" with {already.practitioner.get_full_name()}" if already.practitioner else ""
        raise ValidationError(
            f"{patient.full_name} is already on the waiting list for {appointment_type}"
            f"{with_whom}, since {timezone.localtime(already.created_at):%d/%m/%Y}. Change "
            "or withdraw that entry rather than adding a second one."
        )
    entry = WaitingListEntry(
        patient=patient,
        appointment_type=appointment_type,
        practitioner=practitioner,
        from_date=from_date,
        time_of_day=time_of_day,
        weekdays=weekdays,
        notes=(notes or "").strip()[:300],
        created_by=created_by,
    )
    entry.full_clean(exclude=["patient", "appointment_type", "practitioner", "created_by"])
    entry.save()
    return entry


@transaction.atomic
def waiting_list_withdraw(*, entry: WaitingListEntry, user) -> WaitingListEntry:
    current = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status not in WaitingStatus.active():
        raise ValidationError("This patient is no longer waiting.")
    current.status = WaitingStatus.WITHDRAWN
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["status", "withdrawn_at"])
    return current


class EntryChangedMeanwhile(ValidationError):
    """The entry was changed by someone else after the change form was opened: nothing is
    written; `entry` is the entry as it is now."""

    def __init__(self, entry: WaitingListEntry):
        super().__init__(
            "Someone else changed this entry after you opened it: it is shown below as it is "
            "now, with what you typed. Check it, then save again."
        )
        self.entry = entry


@transaction.atomic
def waiting_list_change(
    *,
    entry: WaitingListEntry,
    shown: str,
    from_date,
    time_of_day: str,
    weekdays: int,
    notes: str = "",
) -> WaitingListEntry:
    """Change from when, at what times and on which days the patient can come, and the
    notes, in place: their place in the queue (created_at) stays. `shown`: the entry as the
    form was opened on (WaitingListEntry.as_shown); changed since, EntryChangedMeanwhile."""
    current = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status not in WaitingStatus.active():
        raise ValidationError("This patient is no longer waiting: nothing to change.")
    if current.as_shown != shown:
        raise EntryChangedMeanwhile(current)
    current.from_date, current.time_of_day, current.weekdays = from_date, time_of_day, weekdays
    current.notes = (notes or "").strip()[:300]
    current.full_clean(exclude=["patient", "appointment_type", "practitioner", "created_by"])
    current.save(update_fields=["from_date", "time_of_day", "weekdays", "notes"])
    return current


def matching_entries(*, appointment):
    """Who is waiting for this slot: the same type, with this practitioner or anyone, from
    a date on or before the slot's, able to come at its time of day and on its weekday
    (London time: a slot starting before 12:00 is a morning's); the longest waiting first.
    Not an archived record: booking refuses it (clinic.diary.slot.refusals), so it is
    offered no slot."""
    starts = timezone.localtime(appointment.starts_at)
    return (
        WaitingListEntry.objects.alias(
            on_the_day=F("weekdays").bitand(weekday_bit(starts.weekday()))
        )
        .filter(
            status__in=WaitingStatus.active(),
            appointment_type_id=appointment.appointment_type_id,
            from_date__lte=starts.date(),
            time_of_day__in=TimeOfDay.fitting(starts.time()),
            on_the_day__gt=0,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=appointment.practitioner_id))
        .exclude(patient_id=appointment.patient_id)
        .exclude(patient__status=PatientStatus.ARCHIVED)
        .select_related("patient", "appointment_type", "practitioner")
        .order_by("created_at", "id")
    )


def offer_cancelled_slot(*, appointment) -> list[WaitingListEntry]:
    """In the cancellation's transaction (clinic.diary.services.appointment_cancel): the
    matching entries are offered the freed slot (a slot already past is offered to none)."""
    if appointment.starts_at <= timezone.now():
        return []
    entries = list(matching_entries(appointment=appointment))
    now = timezone.now()
    for entry in entries:
        entry.status = WaitingStatus.OFFERED
        entry.offered_appointment = appointment
        entry.offered_at = now
        entry.save(update_fields=["status", "offered_appointment", "offered_at"])
    return entries


def waiting_list_booked(*, appointment) -> int:
    """In the booking's transaction: the patient's entries for this type are booked."""
    return WaitingListEntry.objects.filter(
        patient_id=appointment.patient_id,
        appointment_type_id=appointment.appointment_type_id,
        status__in=WaitingStatus.active(),
    ).update(status=WaitingStatus.BOOKED, booked_appointment=appointment)


@transaction.atomic
def waiting_list_send_offer(*, entry: WaitingListEntry, sent_by):
    """Tell the patient of the slot offered, by the channels they agreed to; asked again
    while the offer is still queued (a double-click, two people): no second message on
    that channel."""
    from clinic.diary.messaging.choices import MessageKind
    from clinic.diary.messaging.services import message_request

    current = (
        WaitingListEntry.objects.select_for_update(of=("self",))
        .select_related("patient", "offered_appointment")
        .get(pk=entry.pk)
    )
    if current.status != WaitingStatus.OFFERED:
        raise ValidationError("No slot is offered to this patient.")
    return message_request(
        patient=current.patient,
        kind=MessageKind.WAITING_LIST_OFFER,
        appointment=current.offered_appointment,
        waiting_entry=current,
        created_by=sent_by,
        unless_queued=True,
    )
