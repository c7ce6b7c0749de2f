"""Reference data for treatment: products, indications, anatomical sites, outcome instruments.

Every row carries its DOMAIN.md source keys and a verified-on date (clinic.models.
SourcedReferenceModel). Clinical thresholds live in these rows, never as literals in code.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import SourcedReferenceModel, TimeStampedModel
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    BodyRegion,
    Causality,
    FollowUpKind,
    IndicationCategory,
    InstrumentDirection,
    Laterality,
    LimitScope,
    Population,
    ProductForm,
    RegulatorDecision,
    Reporter,
    SafetyLevel,
    SafetyProfile,
    SessionStatus,
    Severity,
    Side,
    SideEffectAction,
    SideEffectOutcome,
    SideEffectStatus,
    UnitFamily,
    VialState,
)


class Product(SourcedReferenceModel, TimeStampedModel):
    """A botulinum toxin brand. Its units belong to its unit family only (DOMAIN §1.2)."""

    slug = models.SlugField(max_length=50, unique=True)
    brand = models.CharField(max_length=100)
    generic_name = models.CharField(max_length=100)
    unit_family = models.CharField(max_length=20, choices=UnitFamily.choices)
    company = models.CharField(max_length=100, blank=True)
    presentations = models.JSONField(
        default=list, blank=True, help_text="Vial sizes in this product's units, e.g. [50, 100]"
    )
    form = models.CharField(max_length=10, choices=ProductForm.choices)
    uk_licensed = models.BooleanField()
    us_licensed = models.BooleanField()
    storage = models.CharField(max_length=200, blank=True, help_text="Unopened storage")
    in_use_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hours usable after reconstitution; empty when unknown"
    )
    on_formulary = models.BooleanField(
        default=False, help_text="Stocked and usable by this clinic (UK-licensed only)"
    )
    # Product-specific contraindications and cautions (DOMAIN §3.4, rules 22-24, 30).
    milk_protein_contraindicated = models.BooleanField(
        default=False, help_text="Contraindicated with cow's milk protein allergy (rule 23)"
    )
    cosmetic_neuromuscular_contraindicated = models.BooleanField(
        default=False,
        help_text="Cosmetic use contraindicated with myasthenia gravis / Lambert-Eaton (rule 24)",
    )
    inflammation_contraindicated = models.BooleanField(
        default=False, help_text="Inflammation at the site is a contraindication (rule 22)"
    )
    cosmetic_max_age_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Cosmetic licence upper age, e.g. under 65 (rule 30)"
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["brand"]

    def __str__(self) -> str:
        return self.brand


class OutcomeInstrument(SourcedReferenceModel, TimeStampedModel):
    """A scale or measure used to track response (DOMAIN §5)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text="e.g. days/month, points, mL")
    min_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=InstrumentDirection.choices)
    per_muscle = models.BooleanField(default=False, help_text="Scored per muscle (e.g. MAS)")
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="outcomeinstrument_min_lte_max",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indication(SourcedReferenceModel, TimeStampedModel):
    """A condition or cosmetic area treated, with its licensing and minimum interval."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=20, choices=IndicationCategory.choices)
    uk_licensed_products = models.ManyToManyField(
        Product, blank=True, related_name="uk_licensed_indications"
    )
    us_licensed_products = models.ManyToManyField(
        Product, blank=True, related_name="us_licensed_indications"
    )
    min_interval_days = models.PositiveSmallIntegerField(
        help_text="Default minimum days between sessions for this indication (DOMAIN §3.2)"
    )
    min_age_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minimum age for licensed use; empty = adults only rules"
    )
    max_age_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Upper age of the indication (e.g. paediatric ones)"
    )
    typical_sites = models.CharField(max_length=250, blank=True)
    default_dose = models.CharField(max_length=250, blank=True, help_text="Product: units, text")
    safety_profile = models.CharField(
        max_length=20,
        choices=SafetyProfile.choices,
        default=SafetyProfile.GENERAL,
        help_text="Indication-specific rule set of DOMAIN §10",
    )
    notes = models.TextField(blank=True)
    outcome_instruments = models.ManyToManyField(
        OutcomeInstrument, blank=True, related_name="indications"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class AnatomicalSite(SourcedReferenceModel, TimeStampedModel):
    """A muscle, gland or injection area, e.g. "Temporalis" or "Axilla (intradermal)"."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=20, choices=BodyRegion.choices)
    muscle_group = models.CharField(
        max_length=100, blank=True, help_text="Group used for per-muscle totals (e.g. PREEMPT)"
    )
    paired = models.BooleanField(default=True, help_text="Has a left and a right side")
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class SafetyParameter(SourcedReferenceModel, TimeStampedModel):
    """A named threshold the safety engine reads (e.g. other_family_window_days = 112),
    kept here with its source rather than as a literal in code."""

    key = models.SlugField(max_length=60, unique=True)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=30, blank=True)
    description = models.CharField(max_length=250)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} {self.unit}".strip()


class DoseGuideline(SourcedReferenceModel, TimeStampedModel):
    """What the label says for one product in one indication: licensing, expected dose,
    minimum interval and age. Per-session/site/kg maxima are DoseLimit rows."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="guidelines")
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="guidelines")
    licensed_uk = models.BooleanField(help_text="Licensed in a current UK SmPC (rule 32)")
    expected_min_units = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Labelled dose range, low end: a dose outside warns (rules 16-18)",
    )
    expected_max_units = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    min_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the indication's default interval"
    )
    min_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    min_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indication__name", "product__brand"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "indication"], name="doseguideline_product_indication_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(expected_min_units__isnull=True)
                | models.Q(expected_max_units__isnull=True)
                | models.Q(expected_min_units__lte=models.F("expected_max_units")),
                name="doseguideline_expected_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.indication}"


class DoseLimit(SourcedReferenceModel, TimeStampedModel):
    """One labelled maximum (DOMAIN §3.1, rules 8-15 and 17), evaluated by the engine.

    Applies to a product, or to a whole unit family when product is empty; to one
    indication or to all. The limit is the lower of max_units and max_units_per_kg x
    weight where both are set (e.g. "lower of 6 U/kg and 200 U").
    """

    code = models.SlugField(max_length=60, help_text="Stable finding code, e.g. dose-session-max")
    label = models.CharField(max_length=200, help_text="Shown to the practitioner")
    unit_family = models.CharField(max_length=20, choices=UnitFamily.choices)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="dose_limits"
    )
    indication = models.ForeignKey(
        Indication, on_delete=models.PROTECT, null=True, blank=True, related_name="dose_limits"
    )
    population = models.CharField(max_length=10, choices=Population.choices, default="any")
    scope = models.CharField(max_length=15, choices=LimitScope.choices)
    muscle_group = models.CharField(max_length=100, blank=True, help_text="For muscle-group scope")
    laterality = models.CharField(max_length=12, choices=Laterality.choices, default="any")
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    max_units = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_units_per_kg = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    first_treatment_only = models.BooleanField(
        default=False, help_text="Applies to a patient's first treatment with this product"
    )
    level = models.CharField(max_length=10, choices=SafetyLevel.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_family", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_units__isnull=False)
                | models.Q(max_units_per_kg__isnull=False)
                | models.Q(max_volume_ml__isnull=False),
                name="doselimit_has_a_maximum",
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="window") | models.Q(window_days__isnull=False),
                name="doselimit_window_has_days",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SiteTemplate(SourcedReferenceModel, TimeStampedModel):
    """Injection points pre-filled for an indication, e.g. PREEMPT (31 fixed + 8 optional).

    The protocol bounds (total units and sites) are what rule 16 checks a session against.
    """

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    indication = models.ForeignKey(
        Indication, on_delete=models.PROTECT, related_name="site_templates"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="site_templates"
    )
    description = models.TextField(blank=True)
    protocol_min_units = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    protocol_max_units = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    protocol_min_sites = models.PositiveSmallIntegerField(null=True, blank=True)
    protocol_max_sites = models.PositiveSmallIntegerField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indication__name", "name"]

    def __str__(self) -> str:
        return self.name


class SiteTemplateRow(models.Model):
    """One row of a template: a site on a side with its default dose."""

    template = models.ForeignKey(SiteTemplate, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField()
    site = models.ForeignKey(AnatomicalSite, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    units = models.DecimalField(max_digits=7, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    points = models.PositiveSmallIntegerField(default=1)
    optional = models.BooleanField(default=False, help_text="e.g. PREEMPT follow-the-pain sites")
    group_fixed_units = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Protocol dose of this row's muscle group (rule 16: changed fixed groups)",
    )
    group_max_units = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Protocol maximum of this row's muscle group, e.g. temporalis 50 U",
    )

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="sitetemplaterow_order"),
            models.CheckConstraint(condition=models.Q(units__gt=0), name="sitetemplaterow_units"),
        ]

    def __str__(self) -> str:
        return f"{self.site} ({self.get_side_display()}) {self.units} U"


class Vial(TimeStampedModel):
    """One vial from receipt to discard: lot, expiry, reconstitution, draws and waste.

    Reconciliation: units drawn into sessions + units wasted = the presentation.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="vials")
    presentation_units = models.PositiveIntegerField(help_text="Units in the vial, e.g. 100")
    lot = models.CharField("lot / batch number", max_length=40)
    expiry = models.DateField("expiry date")
    received_on = models.DateField(default=timezone.localdate)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reconstituted_at = models.DateTimeField(null=True, blank=True)
    diluent_ml = models.DecimalField(
        "diluent (mL)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    reconstituted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    use_by = models.DateTimeField(
        null=True, blank=True, help_text="Reconstitution time + the product's in-use hours"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discard_reason = models.CharField(max_length=200, blank=True)
    wasted_units = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("lookup_lot", "Can list the patients who received a lot (recall)")]
        indexes = [models.Index(fields=["lot"], name="vial_lot_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(presentation_units__gt=0), name="vial_presentation_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(expiry__gt=models.F("received_on")),
                name="vial_expiry_after_receipt",
                violation_error_message="The expiry date must be after the date received.",
            ),
            models.CheckConstraint(
                condition=models.Q(diluent_ml__isnull=True) | models.Q(diluent_ml__gt=0),
                name="vial_diluent_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(wasted_units__gte=0), name="vial_waste_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.presentation_units} U, lot {self.lot}"

    @property
    def state(self) -> str:
        if self.discarded_at:
            return VialState.DISCARDED
        if self.reconstituted_at:
            return VialState.IN_USE
        return VialState.UNOPENED

    @property
    def is_past_use_by(self) -> bool:
        return (
            self.discarded_at is None and self.use_by is not None and self.use_by < timezone.now()
        )

    @property
    def state_label(self) -> str:
        if self.is_past_use_by:
            return "Past its use-by: discard"
        return VialState(self.state).label

    @property
    def units_per_ml(self) -> Decimal | None:
        if not self.diluent_ml:
            return None
        return Decimal(self.presentation_units) / self.diluent_ml

    @property
    def units_per_0_1_ml(self) -> Decimal | None:
        per_ml = self.units_per_ml
        return None if per_ml is None else (per_ml / 10).quantize(Decimal("0.01"))


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
        Vial, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    second_vial = models.ForeignKey(
        Vial,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_sessions",
        help_text="When the dose needs more than one vial (e.g. 155 U from two 100 U vials)",
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


class InjectionPoint(models.Model):
    """Units given at one site on one side (possibly over several needle points)."""

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


class SideEffectTerm(SourcedReferenceModel, TimeStampedModel):
    """A coded reaction term from the seeded list (DOMAIN §4.1), e.g. "Eyelid ptosis".
    `spread_alarm` marks the distant-spread signs (swallowing, speech, breathing) that
    need urgent assessment (DOMAIN §3.3)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    spread_alarm = models.BooleanField(
        default=False, help_text="A sign of distant spread of toxin effect (DOMAIN §3.3)"
    )
    notes = models.CharField(max_length=250, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
        return self.term_other or self.description[:60]

    @property
    def seriousness_reasons(self) -> list[str]:
        return [label for field, label in SERIOUSNESS_CRITERIA if getattr(self, field)]

    @property
    def is_open(self) -> bool:
        """Still going on: not resolved and not recovered."""
        return self.resolution_date is None and self.outcome not in (
            SideEffectOutcome.RECOVERED,
            SideEffectOutcome.SEQUELAE,
            SideEffectOutcome.FATAL,
        )

    @property
    def days_after_treatment(self) -> int | None:
        if self.session_id is None:
            return None
        return (self.onset_date - timezone.localdate(self.session.performed_at)).days

    @property
    def needs_decision(self) -> bool:
        return not self.regulator_decision

    def get_absolute_url(self) -> str:
        return reverse("treatments:side_effect_detail", args=[self.public_id])
