"""The outbox: one row per message to a patient on one channel (issue 15.5).

Append-mostly: a row is recorded queued or skipped, and the worker moves a queued row to
sent, failed or skipped once; nothing is deleted (it is the history shown on the
patient's page). The text is stored as sent. Managers' "recalls sent and booked" reads
`kind=recall`, `patient`, `indication`, `sent_at`, `status`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from patients.validators import format_phone


class PatientMessage(models.Model):
    """A reminder, recall, aftercare advice or waiting-list offer to one patient by one
    channel, and what became of it."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(max_length=15, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=MessageChannel.choices)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=200, blank=True)
    failure = models.CharField(
        max_length=200, blank=True, help_text="The error's class only: never its message"
    )
    # What it is about: the appointment reminded of or offered, the indication recalled,
    # the session whose aftercare advice it is.
    appointment = models.ForeignKey(
        "diary.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    appointment_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="The start reminded of: a moved appointment is skipped"
    )
    indication = models.ForeignKey(
        "treatments.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    waiting_entry = models.ForeignKey(
        "diary.WaitingListEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    to = models.CharField("sent to", max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, help_text="As sent")
    provider_reference = models.CharField(max_length=100, blank=True)
    send_after = models.DateTimeField(help_text="Not before this time (reminders)")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for messages the diary scheduled itself",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_outbox", "Can see the messages sent to patients"),
            ("send_recall", "Can send recall messages to patients due for re-treatment"),
            ("send_aftercare", "Can send aftercare advice after a signed session"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="message_newest_idx"),
            models.Index(fields=["patient", "-created_at"], name="message_patient_idx"),
            models.Index(fields=["kind", "status", "sent_at"], name="message_kind_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=MessageChannel.values), name="message_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SKIPPED) | ~Q(skip_reason=""),
                name="message_skip_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()}: {self.status}"

    @property
    def to_display(self) -> str:
        """Where it went, as staff read it: a UK phone number in its usual groups (07700
        900753, as on the patient's page), an email address as it is."""
        return format_phone(self.to) if self.channel == MessageChannel.SMS else self.to
