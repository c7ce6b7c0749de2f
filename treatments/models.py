"""Reference data for treatment: products, indications, anatomical sites, outcome instruments.

Every row carries its DOMAIN.md source keys and a verified-on date (clinic.models.
SourcedReferenceModel). Clinical thresholds live in these rows, never as literals in code.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models import SourcedReferenceModel, TimeStampedModel
from treatments.choices import (
    BodyRegion,
    IndicationCategory,
    InstrumentDirection,
    ProductForm,
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
