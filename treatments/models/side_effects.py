"""Suspected adverse reactions to a session and the regulator decision on each."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    SIDE_EFFECT_ENDED_OUTCOMES,
    Causality,
    RegulatorDecision,
    Reporter,
    Severity,
    SideEffectAction,
    SideEffectOutcome,
    SideEffectStatus,
)
from treatments.models.reference import SideEffectTerm
from treatments.models.sessions import TreatmentSession


class SideEffect(TimeStampedModel):
    """A suspected adverse reaction to a treatment session (DOMAIN §4, rules 38-39).

    Reception may log a phoned-in report (status "unreviewed", description and onset
    only); a practitioner completes it: term, severity and seriousness (stored apart),
    outcome, WHO-UMC causality, action. Every reviewed reaction gets a regulator
    decision: reported to the MHRA Yellow Card scheme with its reference, or not
    reported with a reason. Written only by treatments.services; never deleted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="side_effects"
    )
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="side_effects",
        help_text="The suspected treatment (and so its product, batch and sites)",
    )
    term = models.ForeignKey(
        SideEffectTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    term_other = models.CharField("other reaction (describe)", max_length=200, blank=True)
    description = models.TextField(help_text="What happened, in the reporter's words")
    onset_date = models.DateField()
    resolution_date = models.DateField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    serious_death = models.BooleanField(SERIOUSNESS_CRITERIA[0][1], default=False)
    serious_life_threatening = models.BooleanField(SERIOUSNESS_CRITERIA[1][1], default=False)
    serious_hospitalisation = models.BooleanField(SERIOUSNESS_CRITERIA[2][1], default=False)
    serious_disability = models.BooleanField(SERIOUSNESS_CRITERIA[3][1], default=False)
    serious_congenital = models.BooleanField(SERIOUSNESS_CRITERIA[4][1], default=False)
    serious_medically_important = models.BooleanField(SERIOUSNESS_CRITERIA[5][1], default=False)
    is_serious = models.BooleanField(
        default=False, editable=False, help_text="Any of the six criteria (kept for queries)"
    )
    outcome = models.CharField(max_length=12, choices=SideEffectOutcome.choices, blank=True)
    causality = models.CharField(max_length=12, choices=Causality.choices, blank=True)
    action_taken = models.CharField(max_length=15, choices=SideEffectAction.choices, blank=True)
    treatment_given = models.CharField(max_length=250, blank=True)
    reporter = models.CharField(max_length=10, choices=Reporter.choices)
    reporter_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=12, choices=SideEffectStatus.choices, default=SideEffectStatus.UNREVIEWED
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    regulator_decision = models.CharField(
        max_length=12, choices=RegulatorDecision.choices, blank=True
    )
    yellow_card_reference = models.CharField(max_length=40, blank=True)
    not_reported_reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-onset_date", "-id"]
        permissions = [
            ("review_sideeffect", "Can complete and review side-effect reports"),
            ("view_serious_sideeffects", "Can see the serious side-effect governance list"),
        ]
        indexes = [
            models.Index(fields=["patient", "-onset_date"], name="sideeffect_patient_idx"),
            models.Index(fields=["onset_date"], name="sideeffect_onset_idx"),
            models.Index(
                fields=["status"],
                name="sideeffect_unreviewed_idx",
                condition=models.Q(status="unreviewed"),
            ),
            models.Index(
                fields=["onset_date"],
                name="sideeffect_undecided_idx",
                condition=models.Q(regulator_decision=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__isnull=True)
                | models.Q(severity__gte=1, severity__lte=5),
                name="sideeffect_severity_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_date__isnull=True)
                | models.Q(resolution_date__gte=models.F("onset_date")),
                name="sideeffect_resolves_after_onset",
            ),
            # An outcome that says the reaction has ended has the date it ended, and a
            # resolution date comes only with such an outcome.
            models.CheckConstraint(
                condition=~models.Q(outcome__in=SIDE_EFFECT_ENDED_OUTCOMES)
                | models.Q(resolution_date__isnull=False),
                name="sideeffect_ended_has_resolution_date",
                violation_error_message="An outcome that says the reaction has ended needs "
                "the date it resolved.",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_date__isnull=True)
                | models.Q(outcome__in=SIDE_EFFECT_ENDED_OUTCOMES),
                name="sideeffect_resolution_date_means_ended",
                violation_error_message="A resolution date needs an outcome that says the "
                "reaction has ended.",
            ),
            models.CheckConstraint(
                condition=~models.Q(regulator_decision="reported")
                | ~models.Q(yellow_card_reference=""),
                name="sideeffect_reported_has_reference",
            ),
            models.CheckConstraint(
                condition=~models.Q(regulator_decision="not-reported")
                | ~models.Q(not_reported_reason=""),
                name="sideeffect_not_reported_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reaction} from {self.onset_date:%d/%m/%Y}"

    @property
    def reaction(self) -> str:
        if self.term_id and self.term.slug != "other":
            return self.term.name
        # A report not yet reviewed has no term: its description, cut with an ellipsis
        # (a cut mid-word read as the whole text: "...aching and she finds").
        return self.term_other or Truncator(self.description).chars(60)

    @property
    def seriousness_reasons(self) -> list[str]:
        return [label for field, label in SERIOUSNESS_CRITERIA if getattr(self, field)]

    @property
    def is_open(self) -> bool:
        """Still going on: not resolved and not recovered."""
        return self.resolution_date is None and self.outcome not in SIDE_EFFECT_ENDED_OUTCOMES

    @property
    def days_after_treatment(self) -> int | None:
        if self.session_id is None:
            return None
        return (self.onset_date - timezone.localdate(self.session.performed_at)).days

    @property
    def needs_decision(self) -> bool:
        return not self.regulator_decision

    @property
    def responsible_practitioner(self):
        """Whom to ask for the Yellow Card decision (rule 39): the practitioner who
        reviewed the reaction, or recorded it reviewed, and so judged it serious; the
        decision is the last step of that review (the same form). Set on every serious
        report: seriousness comes only with a review. The treating practitioner (the
        session's) only for a report without a reviewer."""
        if self.reviewed_by_id:
            return self.reviewed_by
        return self.session.practitioner if self.session_id else None

    @property
    def days_awaiting_decision(self) -> int | None:
        """Whole days since the clinic learnt of the reaction (the report was logged,
        before any review) with no Yellow Card decision; None once one is recorded."""
        if self.regulator_decision:
            return None
        return (timezone.localdate() - timezone.localdate(self.created_at)).days

    def get_absolute_url(self) -> str:
        return reverse("treatments:side_effect_detail", args=[self.public_id])
