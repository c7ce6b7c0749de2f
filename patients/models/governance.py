"""Subject access requests (UK GDPR Art. 15) and the copies produced for them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from patients.choices import (
    SubjectAccessCopyKind,
    SubjectAccessStatus,
)
from patients.models.records import Patient


class SubjectAccessRequest(TimeStampedModel):
    """A request by a patient (or someone with their authority) for a copy of every
    record held about them (UK GDPR Art. 15, DOMAIN §7.4, rule 42).

    The deadline runs one calendar month from the later of receipt and identity
    verification (`patients.retention.sar_due_on`); it may run to three months only when
    the request is marked complex and the patient was told so within the first month.
    Managers record it from the patient page; the export itself is
    patients.selectors.patient_subject_access_export.
    """

    # What the manager records and edits (the form, and the services that save it).
    EDITABLE_FIELDS = (
        "requester",
        "received_on",
        "identity_verified_on",
        "is_complex",
        "extension_notified_on",
        "extension_reason",
        "status",
        "completed_on",
        "notes",
    )

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester = models.CharField(
        max_length=150,
        default="The patient",
        help_text="Who asked: the patient, or a third party with their written authority",
    )
    received_on = models.DateField("received on")
    identity_verified_on = models.DateField("identity verified on", null=True, blank=True)
    is_complex = models.BooleanField(
        "complex or one of several requests",
        default=False,
        help_text="Allows an extension by two further months, if the patient is told in time",
    )
    extension_notified_on = models.DateField(
        "patient told of the extension on", null=True, blank=True
    )
    extension_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.OPEN
    )
    completed_on = models.DateField("copy sent on", null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Raised by each saved edit: two managers never overwrite each other's changes
    # (patients.services.subject_access_request_update, as for the patient's details).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [
            ("export_patient_record", "Can produce a patient's subject access copy"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubjectAccessStatus.values),
                name="sar_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_verified_on__isnull=True)
                | models.Q(identity_verified_on__gte=models.F("received_on")),
                name="sar_verified_after_received",
                violation_error_message="Identity cannot be verified before the request came.",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(completed_on__gte=models.F("received_on")),
                name="sar_completed_after_received",
                violation_error_message="The copy cannot be sent before the request came.",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request of {self.received_on:%d/%m/%Y}"

    @property
    def clock_starts_on(self) -> date:
        """The deadline counts from receipt, or from the ID check if that came later."""
        return max(self.received_on, self.identity_verified_on or self.received_on)

    @property
    def due_on(self) -> date:
        from patients.retention import sar_due_on

        return sar_due_on(self)

    @property
    def extension_allowed(self) -> bool:
        from patients.retention import sar_extension_allowed

        return sar_extension_allowed(self)

    @property
    def is_open(self) -> bool:
        return self.status == SubjectAccessStatus.OPEN


class SubjectAccessCopy(models.Model):
    """One copy of the record produced for a subject access request: who made it, when,
    in which form. A copy is only made against a request whose identity check is
    recorded (patients.services.subject_access_copy_record); the rows are never changed."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="copies", editable=False
    )
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    produced_at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=10, choices=SubjectAccessCopyKind.choices, editable=False)

    class Meta:
        ordering = ["-produced_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SubjectAccessCopyKind.values),
                name="sar_copy_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.produced_at:%d/%m/%Y %H:%M}"
