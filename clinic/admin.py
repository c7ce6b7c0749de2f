"""The access log in the admin: read-only for those holding clinic.view_accessevent.
No add, change or delete, whoever asks (the database refuses them too on PostgreSQL)."""

from django.contrib import admin

from clinic.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "username", "role", "action", "patient", "ip_address")
    list_filter = ("action", "role")
    search_fields = ("username", "action", "path")
    date_hierarchy = "occurred_at"
    list_select_related = ("patient",)
    raw_id_fields = ("patient", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
