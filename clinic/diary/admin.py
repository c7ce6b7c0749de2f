"""The diary's settings in the admin (managers): rooms, appointment types, working hours
and exceptions. Appointments are shown to superusers only, read-only and audited: staff
work them through the diary."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_mixins import (
    AuditedAdminMixin,
    ChangedSinceOpenedForm,
    ReadOnlyAdminMixin,
    SuperuserOnlyAdminMixin,
)
from clinic.diary.models import Appointment, AppointmentType, Room, WorkingException, WorkingPattern


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("name", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # rooms are referenced by appointments: retire them instead


@admin.register(AppointmentType)
class AppointmentTypeAdmin(SimpleHistoryAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("name", "kind", "default_minutes", "indication", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("indication",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkingPattern)
class WorkingPatternAdmin(admin.ModelAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("practitioner", "weekday", "starts", "ends", "room")
    list_filter = ("weekday", "practitioner")
    list_select_related = ("practitioner", "room")


@admin.register(WorkingException)
class WorkingExceptionAdmin(admin.ModelAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("practitioner", "on", "kind", "starts", "ends", "note")
    list_filter = ("kind",)
    date_hierarchy = "on"
    list_select_related = ("practitioner",)


@admin.register(Appointment)
class AppointmentAdmin(
    AuditedAdminMixin, SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    list_display = ("starts_at", "practitioner", "appointment_type", "status")
    list_filter = ("status", "appointment_type")
    list_select_related = ("practitioner", "appointment_type")
    show_full_result_count = False
