"""Reading the diary: the day and week views, a patient's appointments and the
practitioner's day with its pre-flight lines. Each reader runs a fixed number of
queries, whatever the number of appointments. Working hours, rooms and free slots are
read by clinic.diary.availability."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from clinic.diary.availability import (
    SLOT_MINUTES,
    Block,
    Taken,
    floor_to_slot,
    local_at,
    practitioners,
    subtract,
    working_blocks,
)
from clinic.diary.choices import AppointmentStatus, ExceptionKind
from clinic.diary.models import Appointment, AppointmentType, WorkingException, WorkingPattern
from clinic.prepared import Prepared
from patients.models import Patient

# Reference data (treatments.SafetyParameter, seeded by migration diary 0007): how long a
# consent for an indication counts before "consent due" shows on the practitioner's day.
CONSENT_VALIDITY_KEY = "consent_validity_days"
DAY_STARTS, DAY_ENDS = time(8, 0), time(20, 0)


# The day and week views ------------------------------------------------------------------


@dataclass
class Column:
    practitioner_id: int
    name: str
    blocks: list[Block]
    appointments: list[Booked] = field(default_factory=list)


@dataclass
class DayView:
    day: date
    columns: list[Column]
    times: list[datetime]
    # The time the day's appointments hold, by practitioner and by room (the booking's
    # clash rule: availability.Taken), and the names of the rooms they are in.
    taken: Taken = field(default_factory=Taken)
    room_names: dict[int, str] = field(default_factory=dict)


def _with_relations(qs):
    return qs.select_related("patient", "appointment_type", "room", "practitioner", "session")


@dataclass(slots=True)
class Booked:
    """An appointment as the day view shows it, read as plain values (no model instance:
    building 240 appointments with their patient, type, room and practitioner as models
    cost several times the query itself)."""

    pk: int
    public_id: object
    practitioner_id: int
    patient_name: str
    type_name: str
    room_id: int | None
    room_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    flags: int  # how many booking checks spoke when it was booked


DAY_VIEW_VALUES = (
    "pk",
    "public_id",
    "practitioner_id",
    "practitioner__first_name",
    "practitioner__last_name",
    "practitioner__username",
    "patient__title",
    "patient__given_names",
    "patient__family_name",
    "patient__preferred_name",
    "appointment_type__name",
    "room_id",
    "room__name",
    "starts_at",
    "ends_at",
    "status",
    "booking_flags",
)


@dataclass(slots=True)
class _Names:
    """What Patient.display_name reads, for names read as values."""

    title: str
    given_names: str
    family_name: str
    preferred_name: str


_display_name = Patient.display_name.fget  # the patient's own wording, on _Names


def day_view(*, day: date) -> DayView:
    """Everyone working or booked on `day`, a column each, with their appointments
    (cancelled ones left out), and the time they hold in each room too (`taken`: a free
    cell is one the booking would take, clear of a colleague's booking in a shared room).
    Four queries, whatever the number of appointments."""
    people = {p.pk: p for p in practitioners()}
    blocks = working_blocks(day=day, practitioner_ids=list(people))
    rows = (
        Appointment.objects.filter(
            starts_at__gte=local_at(day, time.min),
            starts_at__lt=local_at(day + timedelta(days=1), time.min),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "id")
        .values_list(*DAY_VIEW_VALUES)
    )
    columns = {
        pid: Column(pid, person.get_full_name() or person.get_username(), blocks.get(pid, []))
        for pid, person in people.items()
    }
    appointments = []
    taken, room_names = Taken(), {}
    for row in rows:
        pk, public_id, practitioner_id, first, last, username, *names = row[:10]
        type_name, room_id, room_name, starts_at, ends_at, status, flags = row[10:]
        if practitioner_id not in columns:  # booked, with no working pattern (any more)
            columns[practitioner_id] = Column(
                practitioner_id, f"{first} {last}".strip() or username, []
            )
        name = _display_name(_Names(*names[:3], names[3] or ""))
        booked = Booked(
            pk,
            public_id,
            practitioner_id,
            name,
            type_name,
            room_id,
            room_name or "",
            starts_at,
            ends_at,
            status,
            len(flags or ()),
        )
        columns[practitioner_id].appointments.append(booked)
        appointments.append(booked)
        taken.add(
            practitioner_id=practitioner_id,
            room_id=room_id,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
        )
        if room_id is not None:
            room_names[room_id] = room_name
    shown = [c for c in columns.values() if c.blocks or c.appointments]
    # From the earliest start to the latest end of anyone's hours or bookings that day,
    # on the 15-minute grid (08:00-20:00 when nobody works).
    starts = [b.starts for c in shown for b in c.blocks] + [a.starts_at for a in appointments]
    ends = [b.ends for c in shown for b in c.blocks] + [a.ends_at for a in appointments]
    start = floor_to_slot(min(starts)) if starts else local_at(day, DAY_STARTS)
    end = max(ends) if ends else local_at(day, DAY_ENDS)
    times = []
    while start < end:
        times.append(start)
        start += timedelta(minutes=SLOT_MINUTES)
    return DayView(day=day, columns=shown, times=times, taken=taken, room_names=room_names)


def week_view(*, practitioner, monday: date) -> list[tuple[date, list[Block], list[Appointment]]]:
    """One practitioner's week: per day, working blocks and appointments. Eight queries
    (one pattern and one exception read per day would be 14: patterns are read once)."""
    patterns = list(WorkingPattern.objects.filter(practitioner=practitioner))
    exceptions = list(
        WorkingException.objects.filter(
            practitioner=practitioner, on__gte=monday, on__lt=monday + timedelta(days=7)
        )
    )
    appointments = list(
        _with_relations(
            Appointment.objects.filter(
                practitioner=practitioner,
                starts_at__gte=local_at(monday, time.min),
                starts_at__lt=local_at(monday + timedelta(days=7), time.min),
            ).exclude(status=AppointmentStatus.CANCELLED)
        ).order_by("starts_at", "id")
    )
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        blocks = [
            Block(local_at(day, p.starts), local_at(day, p.ends), p.room_id)
            for p in patterns
            if p.weekday == day.weekday()
        ]
        for row in (e for e in exceptions if e.on == day):
            if row.kind == ExceptionKind.EXTRA:
                blocks.append(
                    Block(local_at(day, row.starts), local_at(day, row.ends), row.room_id)
                )
            elif row.starts is None:
                blocks = []
            else:
                blocks = subtract(blocks, local_at(day, row.starts), local_at(day, row.ends))
        todays = [a for a in appointments if timezone.localdate(a.starts_at) == day]
        days.append((day, sorted(blocks, key=lambda b: b.starts), todays))
    return days


def appointment_get(*, public_id) -> Appointment:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(_with_relations(Appointment.objects.all()), public_id=public_id)


def appointment_last_changed_by(*, appointment: Appointment) -> str:
    """Who saved the appointment last (its history), for the conflict messages."""
    record = appointment.history.select_related("history_user").order_by("-history_id").first()
    user = record.history_user if record else None
    if user is None:
        return "Someone"
    return user.get_full_name() or user.username


def appointments_for_patient(*, patient, limit: int = 10) -> list[Appointment]:
    """The patient's appointments from today on, soonest first (cancelled ones too, so
    the front desk sees them). One query."""
    today = local_at(timezone.localdate(), time.min)
    return list(
        Appointment.objects.filter(patient=patient, starts_at__gte=today)
        .select_related("appointment_type", "practitioner")
        .order_by("starts_at", "id")[:limit]
    )


def appointments_during_leave(*, leave: WorkingException) -> int:
    """How many appointments still to happen (not done, cancelled or missed) with the
    practitioner during a leave: the whole day, or its hours. One query."""
    starts = local_at(leave.on, leave.starts or time.min)
    ends = (
        local_at(leave.on, leave.ends)
        if leave.ends
        else local_at(leave.on + timedelta(days=1), time.min)
    )
    return Appointment.objects.filter(
        practitioner_id=leave.practitioner_id,
        status__in=AppointmentStatus.open(),
        starts_at__lt=ends,
        ends_at__gt=starts,
    ).count()


def appointment_types():
    return list(AppointmentType.objects.filter(is_active=True).select_related("indication"))


# The day at the front desk and in the treatment room ---------------------------------------


@dataclass
class Visit:
    """One appointment of the day, with the practitioner's pre-flight lines (clinical
    roles only): what to sort out before the patient is treated."""

    appointment: Appointment
    lines: list[str] = field(default_factory=list)
    is_next: bool = False  # the practitioner's next patient (_mark_next)

    @property
    def needs_attention(self) -> bool:
        return bool(self.lines)


_WAITING = (AppointmentStatus.ARRIVED,)
_TO_COME = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


def _mark_next(visits: list[Visit], now) -> None:
    """Each practitioner's next patient, marked "Next" on the day's list (practitioner
    review 07/12/2026: nothing said who was next): the first who has arrived and waits,
    else the first booking not yet over. One each; none when the day is done."""
    marked = set()
    for statuses, still_to_come in ((_WAITING, False), (_TO_COME, True)):
        for visit in visits:
            appt = visit.appointment
            if appt.practitioner_id in marked or appt.status not in statuses:
                continue
            if still_to_come and appt.ends_at <= now:
                continue
            visit.is_next = True
            marked.add(appt.practitioner_id)


def _day_visits(start, end, practitioner_id=None):
    qs = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        status=AppointmentStatus.CANCELLED
    )
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    # The indication and product too: "Start session" reads them on each row.
    return _with_relations(qs).select_related("indication", "product").order_by("starts_at", "id")


# The home page's day, compiled once per process (clinic.prepared): everyone's at the
# front desk, one practitioner's in the treatment room.
_MOMENTS = {
    "start": (datetime(2001, 2, 3, tzinfo=UTC), datetime(2002, 3, 4, tzinfo=UTC)),
    "end": (datetime(2001, 2, 4, tzinfo=UTC), datetime(2002, 3, 5, tzinfo=UTC)),
}
_DAY_VISITS = Prepared(_day_visits, **_MOMENTS)
_DAY_VISITS_OF = Prepared(_day_visits, **_MOMENTS, practitioner_id=(-1, -2))


def todays_visits(*, day: date, practitioner=None, clinical: bool = False, now=None) -> list[Visit]:
    """The day's appointments in time order (one practitioner's, or everyone's), not
    cancelled, each practitioner's next patient marked (_mark_next, as of `now`: the
    clock's). With `clinical`, each gets its pre-flight lines: questionnaire missing or
    not reviewed, consent due for the booked indication, open side effects, and what the
    booking checks said (eligibility, PVR). One query, five with `clinical`, whatever the
    number of patients."""
    start, end = local_at(day, time.min), local_at(day + timedelta(days=1), time.min)
    if practitioner is None:
        appointments = _DAY_VISITS.list(start=start, end=end)
    else:
        appointments = _DAY_VISITS_OF.list(start=start, end=end, practitioner_id=practitioner.pk)
    visits = [Visit(a) for a in appointments]
    _mark_next(visits, now or timezone.now())
    if not clinical or not appointments:
        return visits
    from patients.models import IntakeQuestionnaire
    from treatments.choices import SideEffectStatus
    from treatments.models import SideEffect
    from treatments.selectors import OPEN_SIDE_EFFECT

    patient_ids = {a.patient_id for a in appointments}
    latest = {}
    for patient_id, completed_on, reviewed_at in (
        IntakeQuestionnaire.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "-completed_on", "-id")
        .values_list("patient_id", "completed_on", "reviewed_at")
    ):
        latest.setdefault(patient_id, (completed_on, reviewed_at))
    consent_due = _consent_due(appointments, day)
    open_reactions = defaultdict(int)
    for patient_id in (
        SideEffect.objects.filter(patient_id__in=patient_ids)
        .filter(OPEN_SIDE_EFFECT | Q(status=SideEffectStatus.UNREVIEWED))
        .values_list("patient_id", flat=True)
    ):
        open_reactions[patient_id] += 1
    for visit in visits:
        appt = visit.appointment
        questionnaire = latest.get(appt.patient_id)
        if questionnaire is None:
            visit.lines.append("No questionnaire on file: ask them to complete it on arrival.")
        elif questionnaire[1] is None:
            visit.lines.append(f"Questionnaire of {questionnaire[0]:%d/%m/%Y} not reviewed yet.")
        if appt.pk in consent_due:
            visit.lines.append(consent_due[appt.pk])
        if open_reactions[appt.patient_id]:
            count = open_reactions[appt.patient_id]
            visit.lines.append(
                f"{count} open side effect{'s' if count > 1 else ''}: review before treating."
            )
        visit.lines += [flag["message"] for flag in appt.booking_flags]
    return visits


def _consent_due(appointments, day: date) -> dict[int, str]:
    """{appointment id: line} for treatments booked for an indication whose consent is
    missing here, or older than the clinic's consent validity (the reference datum
    `consent_validity_days`) on `day`. Consent is recorded on each signed session (rule
    35): the latest signed session for that indication with consent taken. Two queries."""
    from django.db.models import Max

    from treatments.choices import SessionStatus
    from treatments.models import SafetyParameter, TreatmentSession

    booked = [a for a in appointments if a.indication_id and a.appointment_type.is_treatment]
    if not booked:
        return {}
    validity = (
        SafetyParameter.objects.filter(key=CONSENT_VALIDITY_KEY)
        .values_list("value", flat=True)
        .first()
    )
    last = {
        (row["patient_id"], row["indication_id"]): row["last"]
        for row in TreatmentSession.objects.filter(
            patient_id__in={a.patient_id for a in booked},
            indication_id__in={a.indication_id for a in booked},
            status=SessionStatus.SIGNED,
            consent_taken=True,
        )
        .values("patient_id", "indication_id")
        .annotate(last=Max("performed_at"))
    }
    lines = {}
    for appt in booked:
        taken = last.get((appt.patient_id, appt.indication_id))
        what = appt.indication.name
        if taken is None:
            lines[appt.pk] = f"Consent due for {what}: none recorded here yet."
            continue
        taken_on = timezone.localdate(taken)
        if validity is not None and (day - taken_on).days > int(validity):
            lines[appt.pk] = (
                f"Consent due for {what}: last taken {taken_on:%d/%m/%Y}, more than "
                f"{int(validity)} days ago."
            )
    return lines
