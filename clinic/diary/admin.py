"""The diary's settings in the admin (managers): rooms, appointment types, working hours
and exceptions. Appointments are shown to superusers only, read-only and audited: staff
work them through the diary."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_mixins import (
    AuditedAdminMixin,
    ChangedSinceOpenedForm,
    ReadOnlyAdminMixin,
    SuperuserOnlyAdminMixin,
)
from clinic.diary import selectors
from clinic.diary.choices import ExceptionKind
from clinic.diary.models import Appointment, AppointmentType, Room, WorkingException, WorkingPattern
from patients.selectors import staff_name


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


class PractitionerFilter(admin.RelatedFieldListFilter):
    """The practitioner filter by name, as the list shows them."""

    def field_choices(self, field, request, model_admin):
        users = field.related_model.objects.filter(
            pk__in=model_admin.get_queryset(request).values("practitioner")
        ).order_by("first_name", "last_name", "username")
        return [(user.pk, staff_name(user)) for user in users]


class PractitionerByNameMixin:
    """The practitioner by name in the list, its filter and the form's choice, not by
    username (manager review 07/12/2026: Priya Shah's leave listed as "nurse")."""

    @admin.display(description="Practitioner", ordering="practitioner__first_name")
    def practitioner_name(self, obj) -> str:
        return staff_name(obj.practitioner)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "practitioner" and field is not None:
            field.label_from_instance = staff_name
        return field


@admin.register(WorkingPattern)
class WorkingPatternAdmin(PractitionerByNameMixin, admin.ModelAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("practitioner_name", "weekday", "starts", "ends", "room")
    list_filter = ("weekday", ("practitioner", PractitionerFilter))
    list_select_related = ("practitioner", "room")


@admin.register(WorkingException)
class WorkingExceptionAdmin(PractitionerByNameMixin, admin.ModelAdmin):
    form = ChangedSinceOpenedForm  # two managers never overwrite each other
    list_display = ("practitioner_name", "on", "kind", "starts", "ends", "note")
    list_filter = ("kind", ("practitioner", PractitionerFilter))
    date_hierarchy = "on"
    list_select_related = ("practitioner",)

    def save_model(self, request, obj, form, change):
        """Leave recorded over appointments already booked says how many, and where the
        front desk moves them (reception review 07/12/2026: 13 bookings sat on a day the
        week view called "Not working", and nothing had said so)."""
        super().save_model(request, obj, form, change)
        if obj.kind != ExceptionKind.LEAVE:
            return
        held = selectors.appointments_during_leave(leave=obj)
        if held:
            who = staff_name(obj.practitioner)
            week = reverse("diary:week", args=[obj.practitioner_id])
            messages.warning(
                request,
                format_html(
                    "{} still has {} appointment{} booked during this leave on {}: move or "
                    'cancel {} from <a href="{}?day={}">the diary</a>, and tell the '
                    "patient{}.",
                    who,
                    held,
                    "" if held == 1 else "s",
                    obj.on.strftime("%d/%m/%Y"),
                    "it" if held == 1 else "them",
                    week,
                    obj.on.isoformat(),
                    "" if held == 1 else "s",
                ),
            )


@admin.register(Appointment)
class AppointmentAdmin(
    AuditedAdminMixin, SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    list_display = ("starts_at", "practitioner", "appointment_type", "status")
    list_filter = ("status", "appointment_type")
    list_select_related = ("practitioner", "appointment_type")
    show_full_result_count = False
