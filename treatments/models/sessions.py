"""Treatment sessions with their injection points, vial draws, the safety findings
recorded at signing, and addenda to signed sessions."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from treatments.choices import SafetyLevel, SessionStatus, Side, WithdrawReason
from treatments.models.reference import AnatomicalSite, Indication, Product
from treatments.models.vials import Vial


class TreatmentSession(TimeStampedModel):
    """One treatment of one patient with one product for one indication.

    Drafts are edited freely; signing (treatments.services.session_sign) re-runs every
    safety rule and freezes the session. Corrections after signing are addenda.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    vial = models.ForeignKey(
        Vial,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        help_text="The first vial drawn from; further vials are SessionVial rows",
    )
    performed_at = models.DateTimeField(default=timezone.now)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_measured_on = models.DateField(null=True, blank=True)
    screening_reviewed = models.BooleanField(
        "today's screening answers reviewed with the patient", default=False
    )
    consent_taken = models.BooleanField("consent for this episode taken", default=False)
    off_label_consent = models.BooleanField("off-label use explained and consented", default=False)
    spread_advice_given = models.BooleanField(
        "advised to seek urgent care for swallowing, speech or breathing problems", default=False
    )
    antibiotic_prophylaxis = models.BooleanField(
        "antibiotic prophylaxis (not an aminoglycoside) given", default=False
    )
    pvr_ml = models.PositiveIntegerField("post-void residual (mL)", null=True, blank=True)
    performs_cic = models.BooleanField(
        "performs clean intermittent self-catheterisation", default=False
    )
    antiplatelet_stopped_days = models.PositiveSmallIntegerField(null=True, blank=True)
    is_off_label = models.BooleanField(default=False, editable=False)
    top_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="top_ups"
    )
    top_up_reason = models.CharField(max_length=250, blank=True)
    looks_young = models.BooleanField(
        "the patient may look under the age limit: age verified", default=False
    )
    age_evidence_seen = models.CharField(
        "what was seen to verify the age", max_length=120, blank=True
    )
    age_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Rule 29b: for a patient under 18, the registered medical practitioner on whose
    # directions a practitioner who is not one treats (Botulinum Toxin and Cosmetic
    # Fillers (Children) Act 2021 s1).
    directing_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="directing doctor",
    )
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_at", "-id"]
        permissions = [
            ("sign_treatmentsession", "Can sign treatment sessions"),
            ("add_sessionaddendum", "Can add an addendum to a signed session"),
        ]
        indexes = [
            models.Index(fields=["patient", "-performed_at"], name="session_patient_idx"),
            models.Index(fields=["status", "performed_at"], name="session_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_kg__isnull=True) | models.Q(weight_kg__gt=0),
                name="session_weight_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | models.Q(signed_at__isnull=False),
                name="session_signed_has_time",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.performed_at)
        return f"{self.product} for {self.indication} on {when:%d/%m/%Y}"

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == SessionStatus.WITHDRAWN

    @property
    def started_earlier(self):
        """The day it was started, when that is before today (London), else None: a draft
        left unsigned from an earlier day (the editor and the home page say so). Its
        start, not its performed-at, which the editor changes (review 07/12/2026): a record
        typed today of an earlier treatment is not a forgotten draft, and a forgotten
        draft whose date is moved to today still is."""
        day = timezone.localdate(self.created_at)
        return day if day < timezone.localdate() else None

    @property
    def keeps_discarded_vial(self) -> bool:
        """Whether its own vial was discarded after the session's time: the vial it drew
        from, its rest thrown away before signing (DOMAIN §1.3), still offered as its own
        (a warning to check it, not a block: treatments.safety.rules.vials_products). No
        query when the session comes with its vial (the editor's does)."""
        vial = self.vial if self.vial_id else None
        return bool(vial and vial.discarded_at and vial.discarded_at > self.performed_at)

    def all_vials(self) -> list[Vial]:
        """The first vial, then the further vials in order (prefetch `vial_links__vial`)."""
        further = [link.vial for link in self.vial_links.all()]
        return [v for v in (self.vial, *further) if v is not None]


class SessionWithdrawal(models.Model):
    """Why a draft session was withdrawn because the treatment was not given
    (services.session_withdraw): who (its practitioner, or a colleague for a forgotten
    draft), when and why. Written once, with the session's status; never changed or
    deleted (on PostgreSQL a trigger refuses it: treatments migration 0047). A table of
    its own, not columns of the session: the session's start is one statement that must
    stay within psycopg's parse cache (tests/treatments/test_session_write_queries.py)."""

    session = models.OneToOneField(
        TreatmentSession, on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("why it was withdrawn", max_length=20, choices=WithdrawReason.choices)
    note = models.CharField("details", max_length=250, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="sessionwithdrawal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.session_id} withdrawn: {self.why}"

    @property
    def why(self) -> str:
        """The reason as the record shows it: its label, with the details typed."""
        label = (
            "Other" if self.reason == WithdrawReason.OTHER else WithdrawReason(self.reason).label
        )
        return f"{label}: {self.note}" if self.note else label


class SessionVial(models.Model):
    """A further vial a session draws from when its first vial (TreatmentSession.vial) does
    not hold the dose: any number, in the order they are drawn from. What each vial gave
    is in VialDraw."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="vial_links"
    )
    vial = models.ForeignKey(Vial, on_delete=models.PROTECT, related_name="further_sessions")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "vial"], name="sessionvial_once_per_vial"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="sessionvial_after_first"
            ),
        ]

    def __str__(self) -> str:
        return f"Vial {self.vial_id} (#{self.position + 1}) of session {self.session_id}"


class InjectionPoint(models.Model):
    """Units given at one site on one side (possibly over several needle points)."""

    # What a row of the editor (and of a site template) gives; `order` is its place.
    ROW_FIELDS = ("site", "side", "units", "volume_ml", "points")

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="points")
    order = models.PositiveSmallIntegerField(default=0)
    site = models.ForeignKey(AnatomicalSite, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    units = models.DecimalField(max_digits=7, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    points = models.PositiveSmallIntegerField("number of points", default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gt=0), name="point_units_positive"),
            models.CheckConstraint(condition=models.Q(points__gte=1), name="point_points_min"),
            models.CheckConstraint(
                condition=models.Q(volume_ml__isnull=True) | models.Q(volume_ml__gt=0),
                name="point_volume_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.get_side_display()}: {self.units} U"


class VialDraw(models.Model):
    """Units a session drew from one vial: what vial reconciliation and recalls read.
    Written by the session services from the session's vial(s), first vial first."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="draws")
    vial = models.ForeignKey(Vial, on_delete=models.PROTECT, related_name="draws")
    units = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "vial"], name="vialdraw_once_per_vial"),
            models.CheckConstraint(condition=models.Q(units__gt=0), name="vialdraw_units"),
        ]

    def __str__(self) -> str:
        return f"{self.units} U from vial {self.vial_id}"


class SessionFinding(models.Model):
    """A safety finding as it stood when the session was signed, with the override reason
    (OVERRIDE) or acknowledgement (WARN) and who gave it. Written by session_sign."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="findings")
    code = models.CharField(max_length=60)
    level = models.CharField(max_length=10, choices=SafetyLevel.choices)
    message = models.TextField()
    source = models.CharField(max_length=200)
    override_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "level", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level="override") | ~models.Q(override_reason=""),
                name="finding_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="block"), name="finding_level_signable"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.level})"


class SessionAddendum(models.Model):
    """A correction or addition to a signed session. The session itself never changes."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    reason = models.CharField(max_length=250)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to {self.session_id}: {self.reason}"
