"""The diary: rooms, appointment types, practitioners' working hours and the
appointments themselves (issue 15).

No double booking: the booking service checks under a per-practitioner lock, and on
PostgreSQL exclusion constraints (migration 0002) refuse two occupying appointments
whose times overlap for the same practitioner or the same room, whoever writes them.
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.diary.choices import AppointmentKind, AppointmentStatus, CancelledBy, ExceptionKind
from clinic.inputs import EARLIEST_DATE, LATEST_DATE
from clinic.models import TimeStampedModel

BADGE_CLASSES = {
    AppointmentStatus.CONFIRMED: "text-bg-primary",
    AppointmentStatus.ARRIVED: "text-bg-success",
    AppointmentStatus.IN_TREATMENT: "text-bg-success",
    AppointmentStatus.COMPLETED: "text-bg-secondary",
    AppointmentStatus.DID_NOT_ATTEND: "text-bg-danger",
}

# A patient not arrived this long after the start shows as late (practice policy).
LATE_AFTER = timedelta(minutes=10)


def passed_before(now=None):
    """The moment before which a start has passed: LATE_AFTER ago. An appointment starting
    earlier would show "Late" the moment it was booked; one starting since is still now (a
    walk-in booked at 10:05 for 10:00). The day view offers no Book on such a time and a
    booking or move to it is a check to acknowledge (browser review 07/12/2026)."""
    return (now or timezone.now()) - LATE_AFTER


def has_passed(starts_at, now=None) -> bool:
    """A start that has passed (`passed_before`): what the diary shows late at once."""
    return starts_at < passed_before(now)


# The days the diary can show (an address asking for another day shows today).
EARLIEST_DAY, LATEST_DAY = EARLIEST_DATE, LATEST_DATE
# How far ahead an appointment can be booked or moved: a clinic books repeat treatments
# months ahead (botulinum toxin every 3 months, yearly reviews), not years; a date further
# out is almost always a mistyped year, and the consent, eligibility and working-pattern
# checks mean little that far ahead.
BOOKING_HORIZON_YEARS = 2


def booking_day_problem(day: date) -> str:
    """Why an appointment cannot be booked or moved to `day` ("" when it can)."""
    today = timezone.localdate()
    try:
        latest = today.replace(year=today.year + BOOKING_HORIZON_YEARS)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + BOOKING_HORIZON_YEARS, day=28)
    if day > latest:
        return (
            f"Appointments can be booked up to {BOOKING_HORIZON_YEARS} years ahead, until "
            f"{latest:%d/%m/%Y}: check the year."
        )
    if day < EARLIEST_DAY:
        return "That date is too far in the past: check the year."
    return ""


class Room(models.Model):
    """A treatment or consulting room; appointments in it may not overlap."""

    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField(default=True)
    # When a manager last changed it: the admin refuses a save from a form opened before.
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppointmentType(models.Model):
    """What can be booked: its default length and what it is for (the booking checks
    read `kind`, and `indication` for a treatment of one indication)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    default_minutes = models.PositiveSmallIntegerField()
    indication = models.ForeignKey(
        "treatments.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    # When a manager last changed it: the admin refuses a save from a form opened before.
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_minutes__gte=5) & Q(default_minutes__lte=240),
                name="appointment_type_length_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_treatment(self) -> bool:
        return self.kind in AppointmentKind.treatments()


class WorkingPattern(models.Model):
    """A practitioner's weekly hours: one row per weekday block (e.g. Tue 09:00-17:00)."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_pattern"
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    starts = models.TimeField()
    ends = models.TimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    # When a manager last changed it: the admin refuses a save from a form opened before.
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        ordering = ["practitioner_id", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="pattern_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class WorkingException(models.Model):
    """A change to the pattern on one date: leave (all day, or hours) or an extra clinic."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_exceptions"
    )
    on = models.DateField()
    kind = models.CharField(max_length=10, choices=ExceptionKind.choices)
    starts = models.TimeField(null=True, blank=True, help_text="Empty for the whole day")
    ends = models.TimeField(null=True, blank=True)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField(max_length=120, blank=True)
    # When a manager last changed it: the admin refuses a save from a form opened before.
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        ordering = ["on", "starts"]
        indexes = [models.Index(fields=["on", "practitioner"], name="exception_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(starts__isnull=True) & Q(ends__isnull=True))
                | (Q(starts__isnull=False) & Q(ends__gt=F("starts"))),
                name="exception_hours_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ExceptionKind.EXTRA) | Q(starts__isnull=False),
                name="extra_clinic_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


class Appointment(TimeStampedModel):
    """One booking of a patient with a practitioner (and a room, where rooms are used)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    # The booker (or a move) named the room: it stays when the appointment moves. False: the
    # room came from the practitioner's hours, and a move takes the hours' room at the new
    # time (services._room_for_move).
    room_chosen = models.BooleanField(default=False)
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    indication = models.ForeignKey(
        "treatments.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        "treatments.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=15, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    notes = models.CharField(max_length=300, blank=True)
    booking_flags = models.JSONField(
        default=list, blank=True, help_text="What the booking checks said when it was booked"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    is_late_cancellation = models.BooleanField(default=False)
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_at", "id"]
        permissions = [
            # The recall list (patients due for re-treatment) is the front desk's to book
            # from: clinic.reports shows it, clinic-wide for reception (issue 15).
            ("view_recall_list", "Can see patients due for re-treatment, to book them"),
        ]
        indexes = [
            models.Index(fields=["starts_at", "practitioner"], name="appointment_day_idx"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.CANCELLED)
                | (Q(cancelled_at__isnull=False) & ~Q(cancelled_by="")),
                name="appointment_cancel_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("diary:appointment", kwargs={"public_id": self.public_id})

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status in AppointmentStatus.open()

    @property
    def badge(self) -> tuple[str, str]:
        """The status as staff read it, with its badge colour: (label, CSS classes)."""
        if self.status == AppointmentStatus.CANCELLED:
            return ("Cancelled late" if self.is_late_cancellation else "Cancelled"), "text-bg-dark"
        if self.is_late:
            return "Late", "text-bg-warning"
        return self.get_status_display(), BADGE_CLASSES.get(self.status, "text-bg-light border")

    @property
    def is_late(self) -> bool:
        """Booked or confirmed and not arrived 10 minutes after the start."""
        waiting = self.status in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
        return waiting and has_passed(self.starts_at)


class CalendarFeed(models.Model):
    """A practitioner's private calendar feed (iCalendar): a secret link their phone's
    calendar subscribes to. Revoking it makes the link answer 404; a new one gets a new
    secret. The feed shows patient initials and the appointment type only."""

    practitioner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["practitioner_id"]

    def __str__(self) -> str:
        return f"Calendar feed ({'revoked' if self.revoked_at else 'active'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# The outbox and the waiting list live in their own modules (issue 15.5, 15.6); imported
# here so that Django finds them as the diary's models.
from clinic.diary.messaging.models import PatientMessage  # noqa: E402, F401
from clinic.diary.waiting_list.models import WaitingListEntry  # noqa: E402, F401
