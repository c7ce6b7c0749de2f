"""A patient waiting for an earlier appointment (issue 15.6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.diary.waiting_list.choices import (
    EVERY_DAY,
    TimeOfDay,
    WaitingStatus,
    weekdays_said,
)


class WaitingListEntry(models.Model):
    """A patient waiting for a type of appointment, with a practitioner (or anyone), on or
    after `from_date`, at the times of day and on the weekdays they can come
    (`time_of_day`, `weekdays`: a bit per day, Monday the lowest); `offered_appointment`
    is the cancelled booking whose slot was offered, `booked_appointment` the booking that
    took them off the list."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="waiting_list_entries"
    )
    appointment_type = models.ForeignKey("diary.AppointmentType", on_delete=models.PROTECT)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: anyone",
    )
    from_date = models.DateField()
    time_of_day = models.CharField(max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.ANY)
    weekdays = models.PositiveSmallIntegerField(
        default=EVERY_DAY, help_text="The days they can come: a bit each, Monday = 1"
    )
    notes = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    offered_appointment = models.ForeignKey(
        "diary.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    booked_appointment = models.ForeignKey(
        "diary.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waiting list entries"
        indexes = [
            models.Index(fields=["status", "appointment_type"], name="waiting_match_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WaitingStatus.values), name="waiting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(time_of_day__in=TimeOfDay.values), name="waiting_time_of_day_valid"
            ),
            # At least one day, and no bit past Sunday.
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=EVERY_DAY),
                name="waiting_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=WaitingStatus.OFFERED) | Q(offered_appointment__isnull=False),
                name="waiting_offer_names_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} from {self.from_date:%d/%m/%Y}: {self.status}"

    @property
    def availability_parts(self) -> tuple[str, str]:
        """When they can come, as the list page says it: ("Mornings", "Mon, Tue, Thu"),
        ("Any time", "any day"), shown "Mornings · Mon, Tue, Thu"."""
        return TimeOfDay(self.time_of_day).short, weekdays_said(self.weekdays)

    @property
    def as_shown(self) -> str:
        """What a change form is opened on (its from date, times, days and notes): saved
        only while the entry still reads so (services.waiting_list_change)."""
        return f"{self.from_date:%Y-%m-%d}|{self.time_of_day}|{self.weekdays}|{self.notes}"

    @property
    def availability_said(self) -> str:
        return " · ".join(self.availability_parts)

    @property
    def availability_limited(self) -> bool:
        return self.time_of_day != TimeOfDay.ANY or self.weekdays != EVERY_DAY
