"""A read-only changelist of treatment sessions in the Django admin, for superusers.

treatments/admin.py (owned by the treatments app) registers reference data only; the
session changelist is what the report benchmark compares the reports with (bench/).
Managers read sessions through the reports and the change-history pages, never through
the admin (issue 10); every admin page of it writes an access event. Nothing can be
added, changed or deleted through it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_mixins import AuditedAdminMixin, ReadOnlyAdminMixin, SuperuserOnlyAdminMixin
from treatments.models import TreatmentSession


class TreatmentSessionReadOnlyAdmin(
    AuditedAdminMixin, SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    list_display = (
        "performed_at", "patient_record", "practitioner", "indication", "product", "status",
        "consent_taken", "signed_at",
    )  # fmt: skip
    list_filter = ("status", "indication", "product", "consent_taken")
    list_select_related = ("patient", "practitioner", "indication", "product")
    search_fields = ("patient__record_number",)
    show_full_result_count = False  # no COUNT(*) over every session on each page
    ordering = ("-performed_at", "-id")
    # Pseudonymised for managers (DOMAIN §7.3): the record number, never the name.
    fields = readonly_fields = (
        "patient_record", "practitioner", "indication", "product", "performed_at", "status",
        "signed_at", "consent_taken", "off_label_consent", "is_off_label",
    )  # fmt: skip

    @admin.display(description="Record", ordering="patient__record_number")
    def patient_record(self, obj):
        return obj.patient.record_number


admin.site.register(TreatmentSession, TreatmentSessionReadOnlyAdmin)
