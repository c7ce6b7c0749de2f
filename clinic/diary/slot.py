"""Holding a slot for a booking or a move (clinic.diary.services): the locks, a refusal no
other time would fix, the clash, then the flags to acknowledge, in this order.

- The practitioner's, the room's and the patient's locks (an advisory lock each on
  PostgreSQL; SQLite runs one write transaction at a time), in this order everywhere.
- A refusal (BookingRefused: under age for cosmetic work, no consultation before a first
  cosmetic treatment, a child with someone who may not treat them) before the clash: no
  free time would make the booking possible (browser review 07/12/2026).
- The clash (DoubleBooking, with the free times to offer) before any flag: a taken time is
  said before "book it anyway" is asked for (browser review 07/12/2026). For a treatment
  too soon after the last, the free times offered start on the earliest eligible date.
- The flags (BookingNeedsAcknowledgement): a start already passed, the treatment's flags,
  the practitioner's hours, the patient's other appointments.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from clinic.diary import availability
from clinic.diary.checks import (
    BookingCheck,
    archived_check,
    booking_checks,
    hours_check,
    past_check,
    patient_overlap_check,
)
from clinic.diary.models import Appointment, passed_before

# Advisory-lock namespaces (two-integer form; registrations use 1001).
PRACTITIONER_LOCK, ROOM_LOCK, PATIENT_LOCK = 1002, 1003, 1004


@dataclass
class DoubleBooking(Exception):
    """The slot is taken: `clash` is what holds it (None when the database refused the
    overlap), `free` the next free slots of the same length, from `eligible_on` when the
    treatment would be too soon before it."""

    clash: Appointment | None
    free: list = field(default_factory=list)
    eligible_on: date | None = None

    def __str__(self) -> str:
        return "That time is already booked"


@dataclass
class BookingNeedsAcknowledgement(Exception):
    """Flags the booker must see and accept (e.g. before the earliest eligible date). A
    booking too soon carries the free times from the eligible date (`free`, from
    `eligible_on`), as a clash does."""

    checks: list[BookingCheck]
    free: list = field(default_factory=list)
    eligible_on: date | None = None


@dataclass
class BookingRefused(Exception):
    """A booking check that refuses the booking outright (e.g. cosmetic under 18)."""

    checks: list[BookingCheck]


def _lock(namespace: int, key: int | None) -> None:
    if key is None or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def lock_the_slot(*, practitioner_id, room_id, patient_id) -> None:
    """The practitioner's, the room's and the patient's locks, in this order everywhere
    (two desks at once are taken in turn: what the checks read of the patient's other
    appointments, a consultation or an overlap, is read under it)."""
    _lock(PRACTITIONER_LOCK, practitioner_id)
    _lock(ROOM_LOCK, room_id)
    _lock(PATIENT_LOCK, patient_id)


def refuse_a_clash(*, practitioner_id, room_id, starts_at, ends_at, exclude_pk=None) -> None:
    """The practitioner's or room's clash refused (DoubleBooking), under lock_the_slot."""
    clash = (
        availability.clashes(
            practitioner_id=practitioner_id,
            starts_at=starts_at,
            ends_at=ends_at,
            room_id=room_id,
            exclude_pk=exclude_pk,
        )
        .select_related("appointment_type")
        .first()
    )
    if clash is not None:
        raise DoubleBooking(clash=clash)


def hold_the_slot(
    *, practitioner_id, room_id, patient_id, starts_at, ends_at, exclude_pk=None
) -> None:
    """The locks (lock_the_slot), then the clash refused (refuse_a_clash)."""
    lock_the_slot(practitioner_id=practitioner_id, room_id=room_id, patient_id=patient_id)
    refuse_a_clash(
        practitioner_id=practitioner_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_pk=exclude_pk,
    )


def refusals(
    *, patient, appointment_type, indication, product, starts_at, practitioner, exclude_pk=None
) -> list[BookingCheck]:
    """The treatment's booking checks (checks.booking_checks); one that refuses the booking
    raises BookingRefused. Before the clash: another time would not make it bookable, so
    it is said before "that time is already booked" (browser review 07/12/2026: a receptionist
    picked a free time only to be told the booking could not be made at all). The flags
    are returned, to be asked about after the clash (flags)."""
    if patient.is_archived:
        # Any kind of visit: an archived record (moved away, a duplicate, deceased) is
        # restored first, or the visit would be kept against a record nobody reads
        # (security review 07/12/2026: a forged POST booked one).
        raise BookingRefused([archived_check(patient)])
    found = booking_checks(
        patient=patient,
        appointment_type=appointment_type,
        indication=indication,
        product=product,
        on=timezone.localdate(starts_at),
        starts_at=starts_at,
        exclude_pk=exclude_pk,
        practitioner=practitioner,  # rule 29b: a child is treated by a doctor
    )
    blocks = [c for c in found if c.is_block]
    if blocks:
        raise BookingRefused(blocks)
    return found


def flags(
    found: list[BookingCheck],
    *,
    patient,
    starts_at,
    ends_at,
    acknowledge,
    practitioner,
    hours,
    exclude_pk=None,
    doing: str = "book it",
) -> list[BookingCheck]:
    """The flags to acknowledge, after the clash: the treatment's (`found`, refusals), and
    for any kind of visit a start already passed, the whole appointment within the
    practitioner's hours (`hours`: availability.hours_of, the read the room came from),
    and not overlapping another of the patient's (read under the patient's lock,
    lock_the_slot). BookingNeedsAcknowledgement unless acknowledged."""
    found = list(found)
    passed = past_check(starts_at=starts_at, doing=doing)
    if passed is not None:
        found.insert(0, passed)  # first: the plainest reason not to book it
    outside = hours_check(
        practitioner=practitioner, starts_at=starts_at, ends_at=ends_at, blocks=hours
    )
    if outside is not None:
        found.append(outside)
    overlap = patient_overlap_check(
        patient=patient, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk
    )
    if overlap is not None:
        found.append(overlap)
    if found and not acknowledges(acknowledge, found):
        raise BookingNeedsAcknowledgement(found)
    return found


def acknowledges(acknowledge: bool | Collection[str], found: list[BookingCheck]) -> bool:
    """`acknowledge`: True (whatever is found), False, or the keys of the checks the booker
    was shown and ticked the box under (BookingCheck.key): a check that came up since
    (another booking of the patient made meanwhile, even a second overlap) is asked about,
    not booked past (the reviews, 07/12/2026)."""
    if isinstance(acknowledge, bool):
        return acknowledge
    return {check.key for check in found} <= set(acknowledge)


def with_free_slots(
    exc: DoubleBooking, *, minutes, practitioner_id, after, room_id=None, found=()
) -> DoubleBooking:
    """The clash's free times to offer instead (free_times)."""
    exc.free, exc.eligible_on = free_times(
        minutes=minutes, practitioner_id=practitioner_id, after=after, room_id=room_id, found=found
    )
    return exc


def free_times(
    *, minutes, practitioner_id, after, room_id=None, found=()
) -> tuple[list, date | None]:
    """Free times to offer instead of `after`, and the eligible date they start from when
    that is later: this practitioner's, else anyone's; in the room the booker chose
    (`room_id`), else in the room each one's hours give. None already passed
    (models.passed_before), as the day view offers none: a clash at a past time offers
    times from now on. None before the earliest eligible date of a treatment too soon
    (`found`: the checks read; reception review 07/12/2026: a clash offered times three
    days on for a patient eligible in eleven weeks, each one then flagged too soon)."""
    earliest = passed_before()
    whole = earliest.replace(second=0, microsecond=0)  # free_slots drops the seconds
    after = max(after, whole if whole == earliest else whole + timedelta(minutes=1))
    eligible_on = None
    eligible = max((c.earliest_on for c in found if c.earliest_on), default=None)
    if eligible is not None and eligible > timezone.localdate(after):
        eligible_on = eligible
        after = timezone.make_aware(datetime.combine(eligible, time.min))
    free = availability.free_slots(
        minutes=minutes, after=after, practitioner_id=practitioner_id, room_id=room_id
    )
    if not free:
        free = availability.free_slots(minutes=minutes, after=after, room_id=room_id)
    return free, eligible_on
