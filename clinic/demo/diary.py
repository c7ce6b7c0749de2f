"""The diary (issue 15): working hours for the two demo practitioners and a believable
week around today: today's diary full, with arrivals, one patient late, one who did not
attend and a late cancellation; last week's appointments done; the coming week booked.

Appointments are laid end to end per practitioner, and none overlaps another in its room
(PostgreSQL's exclusion constraints would refuse either). On Wednesday afternoons the
nurse works in the practitioner's room (SHARED_ROOM): the first hour there is hers
(SHARED_FIRST, booked before anyone's day, so it is there whatever the hour the demo is
seeded), her later bookings fill the practitioner's gaps, and the day view shows the room
in use, not free, in each one's column while the other has it. Patients come from those
already treated, with the treatment they are having (its indication and product); some
visits are reviews and consultations. Today is a working day whatever the weekday: an
extra clinic is added when the weekly pattern has none.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

WEEKLY = {
    # username: (weekdays, starts, ends, room name)
    "practitioner": (range(0, 5), time(9), time(17), "Treatment room 1"),
    "nurse": (range(0, 6), time(9), time(17), "Treatment room 2"),
}
# (username, weekday, from, room name): from then on that weekday, in that room.
SHARED_ROOM = ("nurse", 2, time(13), "Treatment room 1")
# The first hour of it booked for the nurse before anyone's day is: left to chance, the
# practitioner's afternoon there and the patients already booked that day left her nothing
# at some hours of seeding (the statuses read the clock, so the draws differ by the hour).
SHARED_FIRST = timedelta(hours=1)
LENGTH_CHOICES = (15, 20, 30, 30, 45)


def stretches(name: str, weekday: int, starts: time, ends: time, room: str):
    """(starts, ends, room name) of `name`'s hours that weekday: one stretch, or two where
    SHARED_ROOM moves them into another room for the rest of the day."""
    who, shared_day, moves_at, shared = SHARED_ROOM
    if (name, weekday) != (who, shared_day) or not starts < moves_at < ends:
        return [(starts, ends, room)]
    return [(starts, moves_at, room), (moves_at, ends, shared)]


class DiarySeeder:
    """Working hours, rooms and a week of appointments."""

    def record_diary(self) -> int:
        from clinic.diary.models import (
            Appointment,
            AppointmentType,
            Room,
            WorkingException,
            WorkingPattern,
        )
        from treatments.models import TreatmentSession

        rng = random.Random(self.rng.random())
        people = {name: self.staff.get(name) for name in WEEKLY}
        if None in people.values() or WorkingPattern.objects.exists():
            return 0
        rooms = {room.name: room for room in Room.objects.all()}
        today = timezone.localdate()
        for name, (weekdays, starts, ends, room) in WEEKLY.items():
            WorkingPattern.objects.bulk_create(
                WorkingPattern(
                    practitioner=people[name], weekday=day, starts=s, ends=e, room=rooms.get(r)
                )
                for day in weekdays
                for s, e, r in stretches(name, day, starts, ends if day < 5 else time(13), room)
            )
            if today.weekday() not in weekdays:
                WorkingException.objects.create(
                    practitioner=people[name],
                    on=today,
                    kind="extra",
                    starts=starts,
                    ends=time(13),
                    room=rooms.get(room),
                    note="Extra clinic",
                )
        # Priya Shah's annual leave next Thursday: nobody is booked with her that day (a
        # reception review, 07/12/2026: the week view said "Not working" over 13 bookings).
        leave = (people["nurse"], today + timedelta(days=(3 - today.weekday()) % 7 or 7))
        WorkingException.objects.create(
            practitioner=leave[0], on=leave[1], kind="leave", note="Annual leave"
        )
        types = {t.slug: t for t in AppointmentType.objects.select_related("indication")}
        by_indication = {t.indication_id: t for t in types.values() if t.indication_id}
        latest = {}
        for session in (
            # Not an archived record's: it takes no visit (the booking checks refuse one), and
            # one archived in February came in December (review 07/12/2026).
            TreatmentSession.objects.filter(status="signed", patient__archived_at__isnull=True)
            .select_related("indication", "product", "patient")
            .order_by("-performed_at")[:600]
        ):
            latest.setdefault(session.patient_id, session)
        treated = list(latest.values())
        rng.shuffle(treated)
        made = []
        # A patient is booked once a day whoever they see (two practitioners at once was
        # the review's finding; a second visit the same day is rare enough to leave out).
        # A room holds one booking at a time, whoever's: what each day's rooms hold so far.
        seen_on, held_on = {}, {}
        reception = self.staff.get("reception") or people["practitioner"]
        who, shared_day, moves_at, shared = SHARED_ROOM
        first_hour_ends = (datetime.combine(today, moves_at) + SHARED_FIRST).time()
        for offset in range(-7, 8):
            day = today + timedelta(days=offset)
            # Not today: its one late, one missed and one late cancellation stay one each.
            if (
                day.weekday() == shared_day
                and shared_day in WEEKLY[who][0]
                and day != today
                and (people[who], day) != leave
            ):
                made += self._day(
                    rng, day, people[who], [(moves_at, rooms.get(shared))], moves_at,
                    first_hour_ends, treated, types, by_indication, reception,
                    seen_on.setdefault(day, set()), held_on.setdefault(day, {}), gaps=False,
                )  # fmt: skip
        for name, person in people.items():
            weekdays, starts, ends, room = WEEKLY[name]
            for offset in range(-7, 8):
                day = today + timedelta(days=offset)
                if (day.weekday() not in weekdays and day != today) or (person, day) == leave:
                    continue
                day_end = ends if day.weekday() < 5 and day.weekday() in weekdays else time(13)
                hours = [
                    (s, rooms.get(r))
                    for s, _, r in stretches(name, day.weekday(), starts, day_end, room)
                ]
                made += self._day(
                    rng, day, person, hours, starts, day_end, treated, types, by_indication,
                    reception, seen_on.setdefault(day, set()), held_on.setdefault(day, {}),
                )  # fmt: skip
        Appointment.objects.bulk_create(made)
        return len(made)

    def _day(
        self, rng, day, person, hours, starts, ends, treated, types, by_indication, desk,
        seen_today, held, gaps=True,
    ):  # fmt: skip
        """One practitioner's day. `hours`: (from, room) of each stretch, the room a
        booking takes being the one of its start; `seen_today`: the patients booked that
        day already, with anyone; `held`: {room id: [(start, end)]} booked that day already,
        by anyone, and {("practitioner", id): [...]} each one's own (all added to).
        `gaps`: a free time sometimes left free (no: booked end to end)."""
        from clinic.diary.models import Appointment

        now = timezone.now()
        moment = timezone.make_aware(datetime.combine(day, starts))
        closing = timezone.make_aware(datetime.combine(day, ends))
        today = day == timezone.localdate()
        booked = []
        late_done = dna_done = cancel_done = False
        while treated:
            minutes = rng.choice(LENGTH_CHOICES)
            if moment + timedelta(minutes=minutes) > closing:
                break
            room = [r for s, r in hours if s <= timezone.localtime(moment).time()][-1]
            spans = held.setdefault(room.pk, []) if room is not None else []
            # The practitioner's own bookings that day too (the nurse's first shared hour is
            # booked before her day: one running on from the morning must not overlap it,
            # as PostgreSQL's exclusion constraint refuses).
            mine = held.setdefault(("practitioner", person.pk), [])
            if (gaps and rng.random() < (0.1 if today else 0.3)) or any(  # a gap, room in use
                s < moment + timedelta(minutes=minutes) and moment < e for s, e in spans + mine
            ):
                moment += timedelta(minutes=15)
                continue
            if len(seen_today) >= len(treated):  # everyone is booked today already
                break
            session = rng.choice(treated)
            if session.patient_id in seen_today:
                continue
            kind = rng.random()
            if kind < 0.7:
                appointment_type = by_indication.get(session.indication_id) or types["review"]
                indication, product = session.indication, session.product
            elif kind < 0.85:
                appointment_type, indication, product = types["review"], None, None
            else:
                appointment_type, indication, product = types["consultation"], None, None
            length = appointment_type.default_minutes if rng.random() < 0.7 else minutes
            ends_at = moment + timedelta(minutes=length)
            if any(s < ends_at and moment < e for s, e in spans + mine):  # longer than free
                moment += timedelta(minutes=15)
                continue
            seen_today.add(session.patient_id)
            spans.append((moment, ends_at))
            mine.append((moment, ends_at))
            status, arrived, cancelled = self._status(
                rng, moment, ends_at, now, today, late_done, dna_done, cancel_done
            )
            late_done |= status == "booked" and today and moment < now
            dna_done |= status == "dna" and today
            cancel_done |= status == "cancelled" and today
            booked.append(
                Appointment(
                    patient=session.patient,
                    practitioner=person,
                    room=room,
                    appointment_type=appointment_type,
                    indication=indication,
                    product=product,
                    starts_at=moment,
                    ends_at=ends_at,
                    status=status,
                    booked_by=desk,
                    created_at=moment - timedelta(days=rng.randint(3, 60)),
                    arrived_at=arrived,
                    confirmed_at=moment - timedelta(days=2) if status == "confirmed" else None,
                    cancelled_at=cancelled,
                    cancelled_by="patient" if cancelled else "",
                    cancel_reason="Unwell, will call to rebook" if cancelled else "",
                    is_late_cancellation=bool(cancelled),
                )
            )
            moment = ends_at
        return booked

    @staticmethod
    def _status(rng, starts_at, ends_at, now, today, late_done, dna_done, cancel_done):
        """What a receptionist would see: done in the past (a few missed), arrived or in
        the room now, one late, one missed and one late cancellation today, booked or
        confirmed ahead."""
        if today and not cancel_done and starts_at > now and rng.random() < 0.3:
            return "cancelled", None, now - timedelta(hours=rng.randint(2, 20))
        if ends_at <= now:
            if today and not dna_done and rng.random() < 0.4:
                return "dna", None, None
            if not today and rng.random() < 0.06:
                return "dna", None, None
            return "completed", starts_at - timedelta(minutes=rng.randint(2, 12)), None
        if starts_at <= now:
            if today and not late_done and now - starts_at > timedelta(minutes=10):
                return "booked", None, None  # late: not here yet
            return "in-treatment", starts_at - timedelta(minutes=5), None
        if starts_at - now < timedelta(minutes=30) and rng.random() < 0.5:
            return "arrived", now - timedelta(minutes=rng.randint(1, 9)), None
        return ("confirmed" if rng.random() < 0.5 else "booked"), None, None
