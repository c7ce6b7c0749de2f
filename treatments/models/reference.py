"""Reference data for treatment: products, outcome instruments, indications, anatomical
sites, safety parameters, dose guidelines and limits, site templates, reaction terms.

Every row carries its DOMAIN.md source keys and a verified-on date (clinic.models.
SourcedReferenceModel). Clinical thresholds live in these rows, never as literals in code.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models import SourcedReferenceModel, TimeStampedModel
from treatments.choices import (
    BodyRegion,
    IndicationCategory,
    InstrumentDirection,
    Laterality,
    LimitScope,
    Population,
    ProductForm,
    SafetyLevel,
    SafetyProfile,
    Side,
    UnitFamily,
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
    # The label's dilution tables as a strength range (DOMAIN §1.4): a reconstitution outside
    # it (25 mL for 2.5 mL in a 100 U vial) is recorded only once confirmed as intended.
    # Empty: no table on file, no check.
    dilution_min_units_per_ml = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Weakest labelled reconstitution, in units per mL (e.g. 100 U in 8 mL: 12.5)",
    )
    dilution_max_units_per_ml = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Strongest labelled reconstitution, in units per mL (100 U in 0.5 mL: 200)",
    )
    dilution_source = models.CharField(
        max_length=200, blank=True, help_text="Where the dilution range comes from (DOMAIN §1.4)"
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


class SideEffectTerm(SourcedReferenceModel, TimeStampedModel):
    """A coded reaction term from the seeded list (DOMAIN §4.1), e.g. "Eyelid ptosis".
    `spread_alarm` marks the distant-spread signs (swallowing, speech, breathing) that
    need urgent assessment (DOMAIN §3.3); `hypersensitivity` the allergic reactions
    that, once recorded after a toxin, contraindicate any toxin (rule 21)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    spread_alarm = models.BooleanField(
        default=False, help_text="A sign of distant spread of toxin effect (DOMAIN §3.3)"
    )
    hypersensitivity = models.BooleanField(
        default=False,
        help_text="A hypersensitivity reaction (DOMAIN §4.1, S109): recorded after a toxin, "
        "a documented hypersensitivity to botulinum toxin (§10 rule 21)",
    )
    notes = models.CharField(max_length=250, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def web_addresses(value) -> None:
    """A source's `urls`: a list of http(s) addresses (shown to every member of staff as
    links: never a `javascript:` one, nor a bare string read letter by letter)."""
    if not isinstance(value, list) or not all(
        isinstance(url, str) and url.startswith(("https://", "http://")) for url in value
    ):
        raise ValidationError(
            'A list of web addresses, each starting https:// or http://, e.g. ["https://..."].'
        )


class Source(TimeStampedModel):
    """A document the reference data cites (DOMAIN §9): a label (SmPC, prescribing
    information), a guideline, a safety notice, or a page quoting one. Its `code` is what
    the other rows' `source` keys and every safety finding name ("S89"); the sources page
    lists them, and each finding's keys link to it."""

    code = models.CharField(max_length=10, unique=True)  # "S89", "S3b"
    position = models.PositiveIntegerField(help_text="Its place in DOMAIN §9's list")
    title = models.CharField(max_length=300)
    urls = models.JSONField(
        default=list, blank=True, validators=[web_addresses], help_text="Where it is read"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def links(self) -> list[tuple[str, str]]:
        """Each address with the site it is on ("www.medicines.org.uk"), as the page shows it."""
        return [(url, urlsplit(url).netloc or url) for url in self.urls]
