"""Django's user and group admin, for superusers only; the staff history, read-only.

Managers hold staff.manage_staff and use the staff page (clinic.staff.views), which can
set one role and nothing else. The stock UserAdmin can set is_superuser, is_staff,
permissions and anyone's password, so here it answers 403 to everyone but superusers,
whatever permissions they hold. Nobody deletes an account here: it is deactivated.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from clinic.admin_mixins import ReadOnlyAdminMixin
from clinic.staff.models import StaffChange


class SuperuserOnlyAdminMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


User = get_user_model()
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class SuperuserOnlyUserAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    def has_delete_permission(self, request, obj=None):
        """Never, even for superusers: an account is deactivated (the staff page), not
        deleted. A deletion blanked `history_user` (SET_NULL) on the change history's rows,
        losing who changed the record (security review 07/12/2026)."""
        return False


@admin.register(Group)
class SuperuserOnlyGroupAdmin(SuperuserOnlyAdminMixin, GroupAdmin):
    pass


@admin.register(StaffChange)
class StaffChangeAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Read-only (the mixin first: no add, change or delete even for superusers); seen by
    superusers only (managers read the history on the staff page)."""

    list_display = ("at", "subject", "kind", "from_role", "to_role", "actor")
    list_filter = ("kind",)
    search_fields = ("subject__username", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("subject", "actor")
    raw_id_fields = ("subject", "actor")
