"""Tables for patient lists (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html

from clinic.audit import ACTIONS
from clinic.models import AccessEvent
from patients.models import Patient


class PatientTable(tables.Table):
    record_number = tables.Column(verbose_name="Record", linkify=True)
    name = tables.Column(
        verbose_name="Name",
        accessor="family_name",
        order_by=("family_name", "given_names"),
        linkify=True,
    )
    date_of_birth = tables.DateColumn(verbose_name="Date of birth", format="d/m/Y")
    nhs_number = tables.Column(verbose_name="NHS number", orderable=False)
    phone = tables.Column(verbose_name="Phone", orderable=False)
    postcode = tables.Column(verbose_name="Postcode", orderable=False)
    status = tables.Column(verbose_name="Status")

    class Meta:
        model = Patient
        fields = (
            "record_number",
            "name",
            "date_of_birth",
            "nhs_number",
            "phone",
            "postcode",
            "status",
        )
        attrs = {"class": "table table-hover table-sm align-middle patient-table"}
        empty_text = "No patients match. Check the spelling, or try a date of birth or phone."
        order_by = ("name",)

    def __init__(self, *args, show_nhs_number: bool = True, **kwargs):
        exclude = () if show_nhs_number else ("nhs_number",)
        super().__init__(*args, exclude=exclude, **kwargs)

    def render_name(self, record):
        return record.display_name

    def render_nhs_number(self, record):
        return record.nhs_number_display or "—"

    def render_phone(self, record):
        return record.phone_display

    def render_status(self, record):
        css = "text-bg-secondary" if record.is_archived else "text-bg-success"
        return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())


class AccessEventTable(tables.Table):
    """Who viewed a patient's record. Not sortable: newest first is the only order (no
    sort parameter reaches the query)."""

    occurred_at = tables.DateTimeColumn(verbose_name="When", format="d/m/Y H:i:s")
    username = tables.Column(verbose_name="Staff")
    role = tables.Column(verbose_name="Role")
    action = tables.Column(verbose_name="What")
    path = tables.Column(verbose_name="Page")
    ip_address = tables.Column(verbose_name="IP address")

    class Meta:
        model = AccessEvent
        fields = ("occurred_at", "username", "role", "action", "path", "ip_address")
        orderable = False
        attrs = {"class": "table table-sm align-middle access-log-table"}
        empty_text = "Nobody viewed this record in that period."

    def render_username(self, record):
        name = record.user.get_full_name() if record.user else ""
        return f"{name} ({record.username})" if name else record.username

    def render_action(self, value):
        return ACTIONS.get(value, value)
