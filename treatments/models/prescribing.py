"""What a prescriber recorded about a patient before cosmetic treatment (DOMAIN §10 rule
34): the face-to-face assessment."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class PrescriberAssessment(models.Model):
    """A prescriber's face-to-face assessment of a patient: who, when. A cosmetic first
    treatment is blocked without one (rule 34: no remote prescribing of cosmetic POMs)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="prescriber_assessments"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField("assessed face to face on", default=timezone.localdate)
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "-assessed_on"], name="assessment_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"Face-to-face assessment on {self.assessed_on:%d/%m/%Y}"
