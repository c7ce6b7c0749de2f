"""Reference data is edited by managers here; every change is kept by simple-history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from treatments.models import AnatomicalSite, Indication, OutcomeInstrument, Product


class ReferenceAdmin(SimpleHistoryAdmin):
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
