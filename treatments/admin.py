"""Reference data is edited by managers here; every change is kept by simple-history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_mixins import ChangedSinceOpenedForm
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
    Source,
)


class ReferenceAdmin(SimpleHistoryAdmin):
    form = ChangedSinceOpenedForm
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
    list_display = ("name", "slug", "spread_alarm", "hypersensitivity", "source", "verified_on")
    list_filter = ("spread_alarm", "hypersensitivity")
    search_fields = ("name", "slug")


@admin.register(Source)
class SourceAdmin(ReferenceAdmin):
    list_display = ("code", "title")
    search_fields = ("code", "title")
