"""The admin site opens by role, not by Django's `is_staff` flag.

Staff status is not a role here (clinic/roles.py is): a manager made on the staff page
can keep reference data from the first day, and someone moved from Manager to
Reception loses the admin with the role, with no superuser needed either way (issue 10).
Superusers keep it for support. What each person sees inside still follows their model
permissions: patient and clinical rows are superusers' only (clinic.admin_mixins).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from clinic.roles import ADMIN_SITE_PERMISSION


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic reference data"
    site_title = "Clinic admin"
    index_title = "Reference data"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm(ADMIN_SITE_PERMISSION))


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin_site.ClinicAdminSite"
