"""The access log in the admin: read-only for those holding clinic.view_accessevent.
No add, change or delete, whoever asks (the database refuses them too on PostgreSQL).
Patients appear by record number only, and reading the log is itself logged."""

from django.contrib import admin

from clinic.admin_mixins import AuditedAdminMixin, ReadOnlyAdminMixin
from clinic.audit import ACTIONS
from clinic.models import AccessEvent


class WhatFilter(admin.SimpleListFilter):
    """The sidebar's filter in the same words as the "What" column (manager review,
    07/12/2026: the column read "Viewed a report", its filter "report.view")."""

    title = "what was done"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AccessEvent.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((a, ACTIONS.get(a, a)) for a in actions), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AccessEvent)
class AccessEventAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # What was done in words (the managers' log read "patient.sar_print": review 07/12/2026).
    list_display = ("occurred_at", "username", "role", "what", "patient_record", "ip_address")
    list_filter = (WhatFilter, "role")
    # Not by path: older events keep the query string, a search's terms among it.
    search_fields = ("username", "action")
    date_hierarchy = "occurred_at"
    list_select_related = ("patient",)
    fields = readonly_fields = (
        "occurred_at", "username", "role", "action", "patient_record", "object_ref", "method",
        "page", "ip_address", "status_code", "chain_seq", "prev_hash", "row_hash",
    )  # fmt: skip

    @admin.display(description="What", ordering="action")
    def what(self, obj):
        return ACTIONS.get(obj.action, obj.action)

    @admin.display(description="Page")
    def page(self, obj):
        return obj.page

    @admin.display(description="Patient (record number)", ordering="patient__record_number")
    def patient_record(self, obj):
        return obj.patient.record_number if obj.patient_id else "—"
