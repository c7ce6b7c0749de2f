"""Shared admin behaviour."""


class ReadOnlyAdminMixin:
    """Nothing added, changed or deleted through the admin, whoever asks: clinical rows
    are written by the services, the access log by clinic.audit. Viewing follows the
    usual view permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
