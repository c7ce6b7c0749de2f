"""Reference data is edited by managers here; every change is kept by simple-history."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from treatments.models import (
    AnatomicalSite,
    DoseGuideline,
    DoseLimit,
    Indication,
    OutcomeInstrument,
    Product,
    SafetyParameter,
    SideEffectTerm,
    SiteTemplate,
    SiteTemplateRow,
)


class ReferenceForm(forms.ModelForm):
    """Two managers never silently overwrite each other: the form carries when the row was
    last changed as it was opened, and a save is refused when the row has changed since
    (a stale form would put back every value it shows, a safety threshold among them)."""

    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # As stored now (the history's "revert" page shows an older copy).
            self.initial["opened_at"] = _stamp(self._stored_updated_at())

    def _stored_updated_at(self, *, lock: bool = False):
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            rows = rows.select_for_update()  # the admin saves in this transaction
        return rows.values_list("updated_at", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        stored = self._stored_updated_at(lock=True)
        if stored is not None and cleaned.get("opened_at") != _stamp(stored):
            when = timezone.localtime(stored)
            raise forms.ValidationError(
                f"Someone else changed this record at {when:%H:%M} on {when:%d/%m/%Y}, "
                "after you opened it, and nothing was saved. Your entries are still below: "
                "reload the page to see their change, then make yours again."
            )
        return cleaned


def _stamp(value) -> str:
    return value.isoformat() if value is not None else ""


class ReferenceAdmin(SimpleHistoryAdmin):
    form = ReferenceForm
    readonly_fields = ("created_at", "updated_at")

    def has_delete_permission(self, request, obj=None):
        # Reference rows are referenced by clinical history: retire them, never delete.
        return False


@admin.register(Product)
class ProductAdmin(ReferenceAdmin):
    list_display = ("brand", "generic_name", "unit_family", "uk_licensed", "on_formulary")
    list_filter = ("unit_family", "uk_licensed", "on_formulary", "form")
    search_fields = ("brand", "generic_name", "slug")


@admin.register(Indication)
class IndicationAdmin(ReferenceAdmin):
    list_display = ("name", "category", "min_interval_days", "min_age_years", "verified_on")
    list_filter = ("category",)
    search_fields = ("name", "slug")
    filter_horizontal = ("uk_licensed_products", "us_licensed_products", "outcome_instruments")


@admin.register(AnatomicalSite)
class AnatomicalSiteAdmin(ReferenceAdmin):
    list_display = ("name", "region", "muscle_group", "paired")
    list_filter = ("region", "paired")
    search_fields = ("name", "slug", "muscle_group")


@admin.register(OutcomeInstrument)
class OutcomeInstrumentAdmin(ReferenceAdmin):
    list_display = ("name", "unit", "min_value", "max_value", "direction", "per_muscle")
    list_filter = ("direction", "per_muscle")
    search_fields = ("name", "slug")


@admin.register(DoseGuideline)
class DoseGuidelineAdmin(ReferenceAdmin):
    list_display = (
        "indication", "product", "licensed_uk", "expected_min_units", "expected_max_units",
        "min_interval_days", "verified_on",
    )  # fmt: skip
    list_filter = ("licensed_uk", "product", "indication__category")
    list_select_related = ("indication", "product")
    search_fields = ("indication__name", "product__brand")


@admin.register(DoseLimit)
class DoseLimitAdmin(ReferenceAdmin):
    list_display = (
        "label", "code", "unit_family", "product", "indication", "scope", "population",
        "max_units", "max_units_per_kg", "max_volume_ml", "level",
    )  # fmt: skip
    list_filter = ("unit_family", "scope", "population", "level")
    list_select_related = ("product", "indication")
    search_fields = ("label", "code")


class SiteTemplateRowInline(admin.TabularInline):
    model = SiteTemplateRow
    extra = 0
    autocomplete_fields = ("site",)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("treatments.change_sitetemplate")


@admin.register(SiteTemplate)
class SiteTemplateAdmin(ReferenceAdmin):
    list_display = ("name", "indication", "product", "protocol_min_units", "protocol_max_units")
    list_select_related = ("indication", "product")
    inlines = (SiteTemplateRowInline,)


@admin.register(SafetyParameter)
class SafetyParameterAdmin(ReferenceAdmin):
    list_display = ("key", "value", "unit", "description", "verified_on")
    search_fields = ("key", "description")


@admin.register(SideEffectTerm)
class SideEffectTermAdmin(ReferenceAdmin):
    list_display = ("name", "slug", "spread_alarm", "source", "verified_on")
    list_filter = ("spread_alarm",)
    search_fields = ("name", "slug")
