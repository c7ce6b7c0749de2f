"""Outcome assessments: an instrument's score for a patient and indication over time."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from treatments.models.reference import AnatomicalSite, Indication, OutcomeInstrument
from treatments.models.sessions import TreatmentSession


class OutcomeAssessment(TimeStampedModel):
    """One score on an outcome instrument for one patient and indication (DOMAIN §5), e.g.
    18 headache days a month at baseline. Per-muscle instruments (Modified Ashworth) name
    the muscle scored. Written by treatments.services.outcome_record."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="outcome_assessments"
    )
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey(
        OutcomeInstrument, on_delete=models.PROTECT, related_name="assessments"
    )
    value = models.DecimalField(max_digits=8, decimal_places=2)
    assessed_on = models.DateField()
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcome_assessments",
        help_text="The treatment this score relates to, when there is one",
    )
    muscle = models.ForeignKey(
        AnatomicalSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For per-muscle instruments such as the Modified Ashworth Scale",
    )
    is_baseline = models.BooleanField(
        "baseline", default=False, help_text="The score before the first treatment cycle"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "instrument", "assessed_on", "id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "assessed_on"], name="outcome_patient_instr_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.value} on {self.assessed_on:%d/%m/%Y}"
