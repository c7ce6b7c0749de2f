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
        from patients.models import Patient
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
        # A patient is booked once a day whoever they see (two practitioners at once was
        # the review's finding; a second visit the same day is rare enough to leave out).
        # A room holds one booking at a time, whoever's: what each day's rooms hold so far.
        seen_on, held_on = {}, {}
        reception = self.staff.get("reception") or people["practitioner"]
        # The treatment visits of the past week and of earlier today: where the history
        # gave its sessions (clinic.demo.visits), first, as they happened; and today's
        # draft, in treatment now.
        made = self._history_visits(types, rooms, reception, seen_on, held_on)
        # One treatment booking a patient in the week ahead, for one due by then.
        self._diary_due = self._due_check(by_indication)
        # Consultations: most for people not treated here yet (considering treatment),
        # half of them (the others free for the waiting list: clinic/demo/messages.py).
        newcomers = list(
            Patient.objects.filter(
                archived_at__isnull=True,
                treatment_sessions__isnull=True,
                date_of_birth__lte=today.replace(year=today.year - 19),  # adults
            ).order_by("pk")
        )
        self._newcomers = rng.sample(newcomers, len(newcomers) // 2)
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
            # Free time here and there (the history's treatments fill a quiet day's part).
            if (gaps and rng.random() < (0.15 if today else 0.45)) or any(  # a gap, in use
                s < moment + timedelta(minutes=minutes) and moment < e for s, e in spans + mine
            ):
                moment += timedelta(minutes=15)
                continue
            if len(seen_today) >= len(treated):  # everyone is booked today already
                break
            kind = rng.random()
            # A treatment visit for a patient due by then, ahead only: one attended already
            # is the history's (booked above, with its session); none is in treatment
            # without one.
            due = [
                s
                for s in treated
                if s.patient_id not in seen_today and self._diary_due(s, day)
            ] if kind < 0.7 and moment >= now else []  # fmt: skip
            session = rng.choice(due or treated)
            patient, indication, product = session.patient, None, None
            if due:
                appointment_type = by_indication[session.indication_id]
                indication, product = session.indication, session.product
            elif rng.random() < 0.5:
                appointment_type = types["review"]
            else:  # a consultation: most often someone not treated here yet
                appointment_type = types["consultation"]
                if self._newcomers and rng.random() < 0.6:
                    patient = rng.choice(self._newcomers)
            if patient.pk in seen_today:
                continue
            length = appointment_type.default_minutes if rng.random() < 0.7 else minutes
            ends_at = moment + timedelta(minutes=length)
            if any(s < ends_at and moment < e for s, e in spans + mine):  # longer than free
                moment += timedelta(minutes=15)
                continue
            seen_today.add(patient.pk)
            if due:
                self._treatment_booked.add(patient.pk)
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
                    patient=patient,
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

    def _history_visits(self, types, rooms, desk, seen_on, held_on) -> list:
        """The history's visits of the past week and earlier today, completed, each with
        the session given at it (and today's draft session, in treatment); their times
        held, their patients seen that day."""
        from clinic.diary.models import Appointment

        history = self.treatment
        rng = random.Random(self.rng.random())
        visits = [(v, "completed") for v in history.diary_visits]
        draft = history.draft_session
        if draft is not None and draft.pk:
            visits.append((draft, "in-treatment"))
        made = []
        for visit, status in visits:
            if status == "in-treatment":  # today's draft: a visit of the migraine's length
                appointment_type = next(
                    (t for t in types.values() if t.indication_id == visit.indication_id),
                    types["first-treatment"],
                )
                session = type(visit).objects.select_related("patient").get(pk=visit.pk)
                person, performed = session.practitioner, timezone.localtime(session.performed_at)
                starts_at = performed - timedelta(minutes=performed.minute % 5)
                minutes = appointment_type.default_minutes
            else:
                signed = [s for s in visit.sessions if s.pk and s.status == "signed"]
                if not signed:  # refused at signing: no visit completed
                    continue
                appointment_type = types[visit.type_slug]
                session = next(
                    (s for s in signed if s.indication.slug == visit.indication_slug), signed[0]
                )
                person, starts_at, minutes = visit.practitioner, visit.starts_at, visit.minutes
            ends_at = starts_at + timedelta(minutes=minutes)
            day = timezone.localdate(starts_at)
            room = self._room_at(person, starts_at, rooms)
            last_minute = ends_at - timedelta(minutes=1)
            if room is False or self._room_at(person, last_minute, rooms) is False:
                continue  # outside their hours (today's draft, seeded at night)
            seen_on.setdefault(day, set()).add(session.patient_id)
            held = held_on.setdefault(day, {})
            held.setdefault(("practitioner", person.pk), []).append((starts_at, ends_at))
            if room is not None:
                held.setdefault(room.pk, []).append((starts_at, ends_at))
            arrived = starts_at - timedelta(minutes=rng.randint(2, 12))
            made.append(
                Appointment(
                    patient=session.patient,
                    practitioner=person,
                    room=room,
                    appointment_type=appointment_type,
                    indication=session.indication,
                    product=session.product,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=status,
                    booked_by=desk,
                    created_at=starts_at - timedelta(days=rng.randint(3, 60)),
                    arrived_at=arrived,
                    confirmed_at=starts_at - timedelta(days=2) if rng.random() < 0.5 else None,
                    session=session,
                )
            )
        return made

    def _room_at(self, person, at, rooms):
        """The room of `person`'s hours at `at` (None without one), False outside them."""
        name = next((n for n, user in self.staff.items() if user == person), None)
        if name not in WEEKLY:
            return False
        weekdays, starts, ends, room = WEEKLY[name]
        local = timezone.localtime(at)
        day = local.date()
        if day.weekday() in weekdays:
            ends = ends if day.weekday() < 5 else time(13)
        elif day == timezone.localdate():  # the extra clinic
            ends = time(13)
        else:
            return False
        for begins, finishes, where in stretches(name, day.weekday(), starts, ends, room):
            if begins <= local.time() < finishes:
                return rooms.get(where)
        return False

    def _due_check(self, by_indication):
        """(latest signed session, day) -> whether its patient is due a treatment of it by
        that day (its minimum interval passed), not booked for one this week already and
        not in the middle of one today (a draft, or one withdrawn)."""
        from treatments.models import TreatmentSession

        history = self.treatment
        busy = set(
            TreatmentSession.objects.filter(
                status__in=("draft", "withdrawn"), performed_at__date__gte=history.today
            ).values_list("patient_id", flat=True)
        )
        booked = self._treatment_booked = set()

        def due(session, day) -> bool:
            if session.indication_id not in by_indication or session.patient_id in busy:
                return False
            if session.patient_id in booked:
                return False
            interval = history.interval(session.indication.slug, session.product.slug)
            return timezone.localdate(session.performed_at) + timedelta(days=interval) <= day

        return due

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
