"""Patients are managed through the app's own pages (services, duplicate checks, history);
the admin shows them read-only to superusers, for support, never deletes them, and logs
every page that shows them in the access log (issue 10)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_mixins import AuditedAdminMixin, ReadOnlyAdminMixin, SuperuserOnlyAdminMixin
from patients.models import IntakeQuestionnaire, Patient


class ReadOnlyAdmin(
    AuditedAdminMixin, SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    pass


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    audit_patient_path = "pk"
    list_display = ("record_number", "family_name", "given_names", "date_of_birth", "status")
    list_filter = ("status",)
    search_fields = ("record_number", "family_name")
    show_full_result_count = False


@admin.register(IntakeQuestionnaire)
class IntakeQuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("patient", "completed_on", "reviewed_at")
    list_select_related = ("patient",)
    raw_id_fields = ("patient",)
    show_full_result_count = False
