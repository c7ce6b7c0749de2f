"""Follow-up tasks after a session (reviews, calls) or made by hand."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from treatments.choices import FollowUpKind
from treatments.models.sessions import TreatmentSession


class FollowUp(TimeStampedModel):
    """A task: created by a rule after a session (e.g. the 2-week bladder review) or by hand."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_ups"
    )
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    kind = models.CharField(max_length=25, choices=FollowUpKind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule_code = models.CharField(max_length=60, blank=True, help_text="Set when a rule made it")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="followup_open_due_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_on:%d/%m/%Y})"
