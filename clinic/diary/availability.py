"""When the diary is free: the practitioners who can be booked, their working hours
(weekly pattern, less leave, plus extra clinics) and the room of each stretch, what
already holds a time (occupying appointments, clashes; Taken, the same rule for a day
already read), and the free slots offered to a booker. Read by the booking checks, the
slot holding of clinic.diary.slot, the services (the room a booking takes) and the day
and week views (clinic.diary.selectors, clinic.diary.grid)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from clinic.diary.choices import AppointmentStatus, ExceptionKind
from clinic.diary.models import Appointment, WorkingException, WorkingPattern

SLOT_MINUTES = 15
OCCUPYING = frozenset(AppointmentStatus.occupying())  # what holds a time (a clash)


@dataclass(frozen=True)
class Block:
    """A stretch of working time: [starts, ends) in local time, with its room if any."""

    starts: datetime
    ends: datetime
    room_id: int | None = None


@dataclass(frozen=True)
class Slot:
    practitioner_id: int
    practitioner_name: str
    starts_at: datetime
    room_id: int | None = None


def local_at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def practitioners():
    """Everyone who can be booked: active users with a weekly pattern, by name."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, working_pattern__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "id")
    )


def working_blocks(*, day: date, practitioner_ids=None) -> dict[int, list[Block]]:
    """Working time per practitioner on `day`: the weekly pattern, less leave, plus
    extra clinics. Two queries."""
    patterns = WorkingPattern.objects.filter(weekday=day.weekday())
    exceptions = WorkingException.objects.filter(on=day)
    if practitioner_ids is not None:
        patterns = patterns.filter(practitioner_id__in=practitioner_ids)
        exceptions = exceptions.filter(practitioner_id__in=practitioner_ids)
    blocks: dict[int, list[Block]] = defaultdict(list)
    for row in patterns:
        blocks[row.practitioner_id].append(
            Block(local_at(day, row.starts), local_at(day, row.ends), row.room_id)
        )
    for row in exceptions:
        if row.kind == ExceptionKind.EXTRA:
            blocks[row.practitioner_id].append(
                Block(local_at(day, row.starts), local_at(day, row.ends), row.room_id)
            )
        elif row.starts is None:  # leave all day
            blocks[row.practitioner_id] = []
        else:
            blocks[row.practitioner_id] = subtract(
                blocks[row.practitioner_id], local_at(day, row.starts), local_at(day, row.ends)
            )
    return {pid: sorted(found, key=lambda b: b.starts) for pid, found in blocks.items()}


def subtract(blocks: list[Block], starts: datetime, ends: datetime) -> list[Block]:
    kept = []
    for block in blocks:
        if block.ends <= starts or block.starts >= ends:
            kept.append(block)
            continue
        if block.starts < starts:
            kept.append(Block(block.starts, starts, block.room_id))
        if block.ends > ends:
            kept.append(Block(ends, block.ends, block.room_id))
    return kept


def hours_of(*, practitioner_id: int, day: date) -> list[Block]:
    """One practitioner's working time on `day` (working_blocks): read once by a booking or
    a move, for the room it takes (room_at) and the hours flag (checks.hours_check). Two
    queries."""
    return working_blocks(day=day, practitioner_ids=[practitioner_id]).get(practitioner_id, [])


def room_at(blocks: list[Block], starts_at: datetime) -> int | None:
    """The room of the working hours `blocks` (one practitioner's that day: hours_of,
    working_blocks) at `starts_at` (the weekly pattern's or an extra clinic's), or None
    when that stretch names none or they are not working then: the room a booking takes
    when the booker leaves it to their hours, and so the room the free times and the day
    view's free cells keep clear of (free_slots, Taken). No query."""
    return next((b.room_id for b in blocks if b.starts <= starts_at < b.ends), None)


def occupying(qs=None):
    qs = Appointment.objects.all() if qs is None else qs
    return qs.filter(status__in=AppointmentStatus.occupying())


def overlapping(*, starts_at, ends_at, exclude_pk=None):
    """Occupying appointments overlapping [starts_at, ends_at) (but `exclude_pk`, the one
    being moved): what a practitioner's, a room's or a patient's clash is read from."""
    qs = occupying().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    return qs.exclude(pk=exclude_pk) if exclude_pk is not None else qs


def clashes(*, practitioner_id, starts_at, ends_at, room_id=None, exclude_pk=None):
    """Occupying appointments overlapping [starts_at, ends_at) for the practitioner or
    the room: what refuses a booking (clinic.diary.slot). Taken.clear is the same rule for
    appointments already read."""
    who = Q(practitioner_id=practitioner_id)
    if room_id is not None:
        who |= Q(room_id=room_id)
    return overlapping(starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk).filter(who)


def _overlaps(spans, starts: datetime, ends: datetime) -> bool:
    """Whether any of the (start, end) `spans` overlaps [starts, ends)."""
    return any(s < ends and e > starts for s, e in spans)


class Taken:
    """The time held on a day, from appointments read once (free_slots, the day view):
    each occupying appointment's (start, end) under its practitioner and its room.
    `clear` is the booking's clash rule (clashes, which the booking reads in SQL under its
    locks) for times already read: one definition of when the free times and the day
    view's free cells are free."""

    def __init__(self) -> None:
        self.practitioners: dict[int, list] = defaultdict(list)
        self.rooms: dict[int, list] = defaultdict(list)

    def add(self, *, practitioner_id, room_id, starts_at, ends_at, status) -> None:
        """An appointment; one that does not hold its time (cancelled, did not attend:
        AppointmentStatus.occupying) is left out."""
        if status not in OCCUPYING:
            return
        self.practitioners[practitioner_id].append((starts_at, ends_at))
        if room_id is not None:
            self.rooms[room_id].append((starts_at, ends_at))

    def clear(self, *, practitioner_id, room_id, starts: datetime, ends: datetime) -> bool:
        """Whether a booking of [starts, ends) with the practitioner, in `room_id` (None:
        no room), clashes with nothing held, the practitioner's or the room's by anyone."""
        if _overlaps(self.practitioners.get(practitioner_id, ()), starts, ends):
            return False
        return room_id is None or not _overlaps(self.rooms.get(room_id, ()), starts, ends)


def free_slots(
    *,
    minutes: int,
    after: datetime,
    practitioner_id: int | None = None,
    room_id: int | None = None,
    days: int = 21,
    limit: int = 6,
) -> list[Slot]:
    """The first free starts of `minutes` with this practitioner (or anyone), from
    `after`, on a 15-minute grid, within working hours and clear of bookings: the
    practitioner's, and the room's (`room_id` when the booker chose one, else the room of
    their hours then, as a booking takes it), whoever is booked in it. Two queries per
    day looked at, three for the practitioners, stopping at `limit` slots."""
    people = {p.pk: p for p in practitioners()}
    if practitioner_id is not None:
        people = {pid: p for pid, p in people.items() if pid == practitioner_id}
    if not people:
        return []
    found: list[Slot] = []
    length = timedelta(minutes=minutes)
    first_day = timezone.localdate(after)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        blocks = working_blocks(day=day, practitioner_ids=list(people))
        if not blocks:
            continue
        rooms = {room_id} if room_id is not None else set()
        rooms |= {b.room_id for day_blocks in blocks.values() for b in day_blocks}
        rooms.discard(None)
        taken = Taken()
        for values in (
            occupying()
            .filter(
                Q(practitioner_id__in=list(blocks)) | Q(room_id__in=rooms),
                starts_at__lt=local_at(day + timedelta(days=1), time.min),
                ends_at__gt=local_at(day, time.min),
            )
            .values("practitioner_id", "room_id", "starts_at", "ends_at", "status")
        ):
            taken.add(**values)
        candidates = []
        for pid, day_blocks in blocks.items():
            for block in day_blocks:
                start = _round_up(max(block.starts, after))
                while start + length <= block.ends:
                    end = start + length
                    room = room_id if room_id is not None else room_at(day_blocks, start)
                    if taken.clear(practitioner_id=pid, room_id=room, starts=start, ends=end):
                        candidates.append(Slot(pid, people[pid].get_full_name(), start, room))
                    start += timedelta(minutes=SLOT_MINUTES)
        for slot in sorted(candidates, key=lambda s: (s.starts_at, s.practitioner_name)):
            found.append(slot)
            if len(found) >= limit:
                return found
    return found


def floor_to_slot(moment: datetime) -> datetime:
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    return local - timedelta(minutes=local.minute % SLOT_MINUTES)


def _round_up(moment: datetime) -> datetime:
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    extra = (-local.minute) % SLOT_MINUTES
    return local + timedelta(minutes=extra)
