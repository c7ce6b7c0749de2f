"""The access log in the admin: read-only for those holding clinic.view_accessevent.
No add, change or delete, whoever asks (the database refuses them too on PostgreSQL)."""

from django.contrib import admin

from clinic.admin_mixins import ReadOnlyAdminMixin
from clinic.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "username", "role", "action", "patient", "ip_address")
    list_filter = ("action", "role")
    search_fields = ("username", "action", "path")
    date_hierarchy = "occurred_at"
    list_select_related = ("patient",)
    raw_id_fields = ("patient", "user")
