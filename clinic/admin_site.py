"""The admin site opens by role, not by Django's `is_staff` flag.

Staff status is not a role here (clinic/roles.py is): a manager made on the staff page
can keep reference data from the first day, and someone moved from Manager to
Reception loses the admin with the role, with no superuser needed either way (issue 10).
Superusers keep it for support. What each person sees inside still follows their model
permissions: patient and clinical rows are superusers' only (clinic.admin_mixins).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404
from django.urls import path

from clinic.roles import ADMIN_SITE_PERMISSION


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic reference data"
    site_title = "Clinic admin"
    index_title = "Reference data"
    # No navigation sidebar: on an iPad (820 px) it left a list such as the access log
    # about 210 px, its columns scrolled out of sight. The breadcrumbs and the index lead
    # everywhere it did.
    enable_nav_sidebar = False

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm(ADMIN_SITE_PERMISSION))

    def get_urls(self):
        """Django's "view on site" redirect (r/<content type>/<id>/) only for a model the
        user may view here: it turned any row number into the record's address, a
        patient's or a side effect's included (security review 07/12/2026)."""
        urls = [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType  # not while apps load
        from django.contrib.contenttypes.views import shortcut

        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            raise Http404
        return shortcut(request, content_type_id, object_id)


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin_site.ClinicAdminSite"
