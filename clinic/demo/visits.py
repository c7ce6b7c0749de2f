"""The history's last week as the diary shows it (a part of TreatmentHistory): a session
given in the seven days before today, or earlier today, is given at a visit booked in
the diary (clinic/demo/diary.py books it: same patient, practitioner and time, completed,
with the session), within that practitioner's hours, in a time nobody else holds.

A plan whose next visit falls in that week has it moved to the first time free in its
practitioner's hours; a plan due by today (its minimum interval passed) whose next visit
would come later is, one time in two, treated in that week instead (a third of them
today, the day the demo opens on), the interval still kept; the rest are the diary's
patients due in the coming week.
Today's visits end, and their sessions are signed, an hour before the seed's hour at the
latest, so they are completed whatever the hour of seeding. A plan with no diary visit
type for a follow-up treatment (paediatric spasticity, TMD) is not treated in that week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.demo.clock import aware
from clinic.demo.diary import SHARED_FIRST, SHARED_ROOM, WEEKLY, stretches

DIARY_PAST_DAYS = 7  # the diary's past week (clinic/demo/diary.py: offsets -7 to 7)
PULL_DUE = 0.5  # share of the plans due by today treated in the diary's week
PULL_TODAY = 0.35  # of those, the share treated today
STEP = timedelta(minutes=15)
SIGNED_BY = timedelta(minutes=60)  # today's visits end this long before the hour, at the latest


@dataclass
class DiaryVisit:
    """A treatment visit of the diary's past week and the sessions given at it."""

    patient: object
    practitioner: object
    starts_at: datetime
    minutes: int
    type_slug: str
    indication_slug: str
    product_slug: str
    sessions: list = field(default_factory=list)


class DiaryWeek:
    """Booking the history's last week in the practitioners' hours (see the module)."""

    def diary_week_setup(self) -> None:
        from clinic.diary.models import AppointmentType

        self.diary_from = self.today - timedelta(days=DIARY_PAST_DAYS)
        # Before this, today: a visit then has ended and its session is signed by now (on
        # the hour: the same in two seeds run a few seconds apart).
        self.diary_until = (
            timezone.localtime(self.now).replace(minute=0, second=0, microsecond=0) - SIGNED_BY
        )
        self.diary_visits: list[DiaryVisit] = []
        self.draft_session = None  # today's draft, in treatment (signing.today_draft)
        self.visit_types = {
            t.indication.slug: t
            for t in AppointmentType.objects.select_related("indication").filter(
                is_active=True, indication__isnull=False
            )
        }
        self.visit_minutes = dict(
            AppointmentType.objects.filter(slug__in=("first-treatment", "review")).values_list(
                "slug", "default_minutes"
            )
        )
        self.held: dict = {}  # (day, "person" or "room", key) -> [(start, end)]
        who, weekday, moves_at, room = SHARED_ROOM
        day = self.diary_from
        while day <= self.today:  # the nurse's first hour in the shared room: hers
            if day.weekday() == weekday and self.staff.get(who) is not None:
                start = aware(day, moves_at.hour, moves_at.minute)
                self.held.setdefault((day, "room", room), []).append((start, start + SHARED_FIRST))
            day += timedelta(days=1)
        # Today's draft session, in treatment now: its time kept for it (today_draft).
        at = self.draft_at()
        end = at + timedelta(minutes=30)
        self.held.setdefault((self.today, "person", self.staff["practitioner"].pk), []).append(
            (at, end)
        )

    def draft_at(self) -> datetime:
        """When today's draft session was started (20 minutes ago, today)."""
        at = max(self.now - timedelta(minutes=20), aware(self.today, 0, 1))
        return at.replace(second=0, microsecond=0)

    def in_diary_week(self, day: date) -> bool:
        return self.diary_from <= day <= self.today

    def pull_due(self, plan, last_day: date, interval: int, day: date) -> date | None:
        """The day to look for a visit from when `plan`, last treated on `last_day`, is due
        by today but its next visit (`day`) falls after it: one in two is treated in
        the diary's week, a third of those today (the day the demo opens on: its morning
        a treatment clinic's), the others from a day drawn between the due day and
        yesterday (book_visit looks earlier when today has no time left)."""
        due = last_day + timedelta(days=interval)
        if day < plan.end or due > self.today or plan.end < self.today:
            return None
        if self.rng.random() >= PULL_DUE:
            return None
        first = max(due, self.diary_from)
        if first == self.today or self.rng.random() < PULL_TODAY:
            return self.today
        return first + timedelta(days=self.rng.randrange((self.today - first).days))

    def book_visit(self, plan, day: date, *, earliest: date, latest: date, first: bool,
                   top_up: bool = False):  # fmt: skip
        """A visit in the diary's week on `day` or after (by `latest`), else before it (not
        before `earliest`): (day, DiaryVisit), the time held; or None (no visit type for
        it, the patient archived, or no free time)."""
        indication = plan.kind.indication
        if top_up:
            type_slug, minutes = "review", self.visit_minutes.get("review", 15)
        elif first:
            type_slug, minutes = "first-treatment", self.visit_minutes.get("first-treatment", 45)
        elif indication in self.visit_types:
            kind = self.visit_types[indication]
            type_slug, minutes = kind.slug, kind.default_minutes
        else:
            return None
        if plan.patient.archived_at is not None:
            return None
        practitioner = plan.practitioner
        if plan.kind.nurse_share and self.rng.random() < 0.1:  # the other one covered
            practitioner = self.staff[
                "practitioner" if practitioner == self.staff["nurse"] else "nurse"
            ]
        latest = min(latest, self.today)
        days = [day + timedelta(days=n) for n in range((latest - day).days + 1)]
        earliest = max(earliest, self.diary_from)
        days += [day - timedelta(days=n) for n in range(1, (day - earliest).days + 1)]
        for on in days:
            starts = self.free_times(practitioner, on, timedelta(minutes=minutes))
            if starts:
                at, room = self.rng.choice(starts)
                end = at + timedelta(minutes=minutes)
                self.held.setdefault((on, "person", practitioner.pk), []).append((at, end))
                if room:
                    self.held.setdefault((on, "room", room), []).append((at, end))
                visit = DiaryVisit(
                    plan.patient, practitioner, at, minutes, type_slug, indication,
                    plan.kind.product,
                )  # fmt: skip
                self.diary_visits.append(visit)
                return on, visit
        return None

    def free_times(self, person, day: date, length: timedelta) -> list:
        """(start, room name) of each quarter hour from which `person` is free for `length`
        on `day`, within their hours and their room's free time."""
        name = next((n for n, user in self.staff.items() if user == person), None)
        if name not in WEEKLY:
            return []
        weekdays, starts, ends, room = WEEKLY[name]
        if day.weekday() in weekdays:
            ends = ends if day.weekday() < 5 else time(13)
        elif day == self.today:  # the extra clinic (clinic/demo/diary.py)
            ends = time(13)
        else:
            return []
        mine = self.held.get((day, "person", person.pk), [])
        free = []
        for begins, finishes, where in stretches(name, day.weekday(), starts, ends, room):
            at, close = aware(day, begins.hour, begins.minute), aware(day, finishes.hour)
            spans = mine + self.held.get((day, "room", where), [])
            while at + length <= close:
                if day == self.today and at + length > self.diary_until:
                    break
                if not any(s < at + length and at < e for s, e in spans):
                    free.append((at, where))
                at += STEP
        return free
