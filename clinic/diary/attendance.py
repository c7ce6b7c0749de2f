"""The diary's figures for managers (issue 15, point 7): utilisation per practitioner
and per room, did-not-attend and late-cancellation rates, how far ahead treatments are
booked, and the lead time from recall to treatment. Read by the dashboard tile and the
"Diary: attendance and utilisation" report (clinic.reports), over a period and
optionally one practitioner.

Lead time from recall to treatment, per signed session performed in the period: from the
first recall message sent for that patient and indication since their previous session
of it (rule 37's recalls, clinic.diary.messaging). Sessions no recall led to are not
counted. Lead time from referral is not measured: the patient record holds no referral
date, and the registration date is no stand-in (records registered or imported years
before a first treatment here gave leads of years in the demo).

Utilisation = minutes booked (appointments that held their slot) / minutes of working
time in the period (weekly pattern, less leave, plus extra clinics). A room's working
time is that of the pattern blocks that name it. Rates are over appointments that were
due in the period: DNA / (attended + DNA); late cancellations / all appointments.
Recalls sent in the period and how many of those patients booked since come from
clinic.diary.messaging. Six queries, whatever the length of the period or the number of
appointments and sessions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Subquery
from django.utils import timezone

from clinic.diary.choices import AppointmentStatus, ExceptionKind
from clinic.diary.models import Appointment, WorkingException, WorkingPattern

ATTENDED = {AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT, AppointmentStatus.COMPLETED}


def _hours(minutes: int) -> Decimal:
    """Hours to one decimal, as the report and the dashboard show them."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class Line:
    """One practitioner's (or one room's) figures."""

    label: str
    working_minutes: int = 0
    booked_minutes: int = 0
    appointments: int = 0
    attended: int = 0
    did_not_attend: int = 0
    cancelled: int = 0
    late_cancellations: int = 0
    lead_days: list[float] = field(default_factory=list)
    # Days from the recall message to the treated session (see the module's docstring).
    recall_lead_days: list[float] = field(default_factory=list)

    @property
    def working_hours(self) -> Decimal:
        return _hours(self.working_minutes)

    @property
    def booked_hours(self) -> Decimal:
        return _hours(self.booked_minutes)

    @property
    def utilisation(self) -> float | None:
        return self.booked_minutes / self.working_minutes if self.working_minutes else None

    @property
    def dna_rate(self) -> float | None:
        due = self.attended + self.did_not_attend
        return self.did_not_attend / due if due else None

    @property
    def late_cancellation_rate(self) -> float | None:
        return self.late_cancellations / self.appointments if self.appointments else None

    @property
    def utilisation_text(self) -> str:
        return "—" if self.utilisation is None else f"{self.utilisation:.0%}"

    @property
    def dna_text(self) -> str:
        return "—" if self.dna_rate is None else f"{self.dna_rate:.0%}"

    @property
    def mean_lead_days(self) -> float | None:
        return sum(self.lead_days) / len(self.lead_days) if self.lead_days else None

    @property
    def mean_recall_lead_days(self) -> float | None:
        days = self.recall_lead_days
        return sum(days) / len(days) if days else None

    @property
    def recall_lead_text(self) -> str:
        mean = self.mean_recall_lead_days
        return "—" if mean is None else f"{mean:.0f} days"

    @property
    def recall_lead_note(self) -> str:
        count = len(self.recall_lead_days)
        return f"Mean over {count} treatment{'s' if count != 1 else ''} after a recall"


@dataclass
class Attendance:
    practitioners: list[Line]
    rooms: list[Line]
    total: Line
    recalls: dict = field(default_factory=dict)  # {"sent": n, "booked": n} in the period
    # The diary's first booking, when working time is counted from it rather than from the
    # period's start (_working_minutes).
    working_counted_from: date | None = None

    @property
    def recalls_text(self) -> str:
        return f"{self.recalls.get('booked', 0)} of {self.recalls.get('sent', 0)}"

    @property
    def working_note(self) -> str:
        """What the working hours are counted over, when not the whole period."""
        if self.working_counted_from is None:
            return ""
        return f"Working hours from {self.working_counted_from:%d/%m/%Y}, the diary's first booking"


def _minutes(starts: time, ends: time) -> int:
    return (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)


def _working_minutes(start: date, end: date, practitioner_id=None):
    """Minutes of working time per practitioner and per room, day by day (two queries),
    and the day they are counted from: `start`, or the diary's first booking when that is
    later (manager review 07/12/2026: a year's working hours against the fortnight the
    diary had been used read as 2% utilisation; a clinic that starts the diary mid-year
    would see the same). Read with the patterns, not a query of its own."""
    first_booking = Appointment.objects.order_by("starts_at").values("starts_at")[:1]
    patterns = list(
        WorkingPattern.objects.select_related("room", "practitioner")
        .annotate(first_booking=Subquery(first_booking))
        .filter(**({"practitioner_id": practitioner_id} if practitioner_id is not None else {}))
    )
    if patterns and patterns[0].first_booking is not None:
        start = max(start, timezone.localdate(patterns[0].first_booking))
    exceptions = WorkingException.objects.filter(on__gte=start, on__lte=end).select_related("room")
    if practitioner_id is not None:
        exceptions = exceptions.filter(practitioner_id=practitioner_id)
    by_weekday = defaultdict(list)
    people = {}
    for row in patterns:
        by_weekday[row.weekday].append(row)
        people[row.practitioner_id] = row.practitioner
    by_day = defaultdict(list)
    for row in exceptions:
        by_day[(row.practitioner_id, row.on)].append(row)
    per_person, per_room = defaultdict(int), defaultdict(int)
    day = start
    while day <= end:
        for row in by_weekday[day.weekday()]:
            minutes = _minutes(row.starts, row.ends)
            for change in by_day.get((row.practitioner_id, day), []):
                if change.kind == ExceptionKind.LEAVE:
                    if change.starts is None:
                        minutes = 0
                    else:  # the overlap of the leave with this block
                        overlap_start = max(change.starts, row.starts)
                        overlap_end = min(change.ends, row.ends)
                        if overlap_end > overlap_start:
                            minutes -= _minutes(overlap_start, overlap_end)
            per_person[row.practitioner_id] += minutes
            if row.room_id:
                per_room[row.room_id] += minutes
        day += timedelta(days=1)
    for (practitioner_id_, _on), changes in by_day.items():
        for change in changes:
            if change.kind == ExceptionKind.EXTRA:
                minutes = _minutes(change.starts, change.ends)
                per_person[practitioner_id_] += minutes
                if change.room_id:
                    per_room[change.room_id] += minutes
    return people, per_person, per_room, start


def attendance(*, start: date, end: date, practitioner_id: int | None = None) -> Attendance:
    """The period's figures per practitioner, per room and in all."""
    people, working, room_working, counted_from = _working_minutes(start, end, practitioner_id)
    qs = Appointment.objects.filter(
        starts_at__gte=timezone.make_aware(datetime.combine(start, time.min)),
        starts_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    ).select_related("practitioner", "room", "appointment_type")
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    lines: dict[int, Line] = {}
    rooms: dict[int, Line] = {}
    total = Line("All")

    def line_for(person) -> Line:
        return line_for_id(person.pk, person.get_full_name() or person.get_username())

    def line_for_id(pk: int, label: str) -> Line:
        if pk not in lines:
            lines[pk] = Line(label)
        return lines[pk]

    for person_id, person in people.items():
        line_for(person).working_minutes = working.get(person_id, 0)
    for appt in qs.iterator(chunk_size=2000):
        targets = [line_for(appt.practitioner), total]
        if appt.room_id:
            if appt.room_id not in rooms:
                rooms[appt.room_id] = Line(appt.room.name, room_working.get(appt.room_id, 0))
            targets.append(rooms[appt.room_id])
        for line in targets:
            line.appointments += 1
            if appt.status in AppointmentStatus.occupying():
                line.booked_minutes += appt.minutes
            if appt.status in ATTENDED:
                line.attended += 1
            elif appt.status == AppointmentStatus.DID_NOT_ATTEND:
                line.did_not_attend += 1
            elif appt.status == AppointmentStatus.CANCELLED:
                line.cancelled += 1
                line.late_cancellations += appt.is_late_cancellation
            if appt.appointment_type.is_treatment and appt.status != AppointmentStatus.CANCELLED:
                line.lead_days.append((appt.starts_at - appt.created_at).total_seconds() / 86400)
    for row in _recall_leads(start, end, practitioner_id):
        label = f"{row['first']} {row['last']}".strip() or row["username"]
        for line in (line_for_id(row["practitioner_id"], label), total):
            line.recall_lead_days.append(row["days"])
    total.working_minutes = sum(line.working_minutes for line in lines.values())
    from clinic.diary.messaging.selectors import recall_counts

    return Attendance(
        working_counted_from=counted_from if counted_from > start else None,
        practitioners=sorted(lines.values(), key=lambda line: line.label),
        rooms=sorted(rooms.values(), key=lambda line: line.label),
        total=total,
        # Patients recalled in the period, and those of them who booked since (rule 37's
        # recall messages, clinic.diary.messaging).
        recalls=recall_counts(
            since=timezone.make_aware(datetime.combine(start, time.min)),
            until=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
        ),
    )


def _recall_leads(start: date, end: date, practitioner_id=None) -> list[dict]:
    """Each signed session performed in the period that followed a recall: its
    practitioner and the days from the first recall sent since the patient's previous
    session of that indication. One query (the previous session and the first recall
    since are subqueries)."""
    from django.db.models import OuterRef, Subquery

    from clinic.diary.messaging.choices import MessageKind, MessageStatus
    from clinic.diary.messaging.models import PatientMessage
    from treatments.choices import SessionStatus
    from treatments.models import TreatmentSession

    signed = TreatmentSession.objects.filter(status=SessionStatus.SIGNED)
    previous = signed.filter(
        patient_id=OuterRef("patient_id"),
        indication_id=OuterRef("indication_id"),
        performed_at__lt=OuterRef("performed_at"),
    ).order_by("-performed_at")
    first_recall = PatientMessage.objects.filter(
        patient_id=OuterRef("patient_id"),
        indication_id=OuterRef("indication_id"),
        kind=MessageKind.RECALL,
        status=MessageStatus.SENT,
        sent_at__gt=OuterRef("previous"),  # recalls follow a treatment for the indication
        sent_at__lte=OuterRef("performed_at"),
    ).order_by("sent_at")
    sessions = signed.filter(
        performed_at__gte=timezone.make_aware(datetime.combine(start, time.min)),
        performed_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )
    if practitioner_id is not None:
        sessions = sessions.filter(practitioner_id=practitioner_id)
    # Only patients some recall was sent to by the period's end can have a lead time: a
    # semi-join on the recalls first, so the per-session subqueries run for those alone
    # (a 12-month period at 5M sessions read every session's previous one: 2 s).
    recalled = PatientMessage.objects.filter(
        kind=MessageKind.RECALL,
        status=MessageStatus.SENT,
        sent_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    ).values("patient_id")
    sessions = sessions.filter(patient_id__in=recalled)
    rows = (
        sessions.annotate(previous=Subquery(previous.values("performed_at")[:1]))
        .annotate(recalled_at=Subquery(first_recall.values("sent_at")[:1]))
        .filter(recalled_at__isnull=False)
        .values_list(
            "practitioner_id",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
            "performed_at",
            "recalled_at",
        )
        .order_by("performed_at", "id")
    )
    return [
        {
            "practitioner_id": pid,
            "first": first,
            "last": last,
            "username": username,
            "days": (performed_at - recalled_at).total_seconds() / 86400,
        }
        for pid, first, last, username, performed_at, recalled_at in rows
    ]
