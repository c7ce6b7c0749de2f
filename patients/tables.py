"""Tables for patient lists (django-tables2). The patient list itself is a plain template
(clinic.listing, templates/patients/includes/patient_table.html: issue 14.2)."""

import django_tables2 as tables

from clinic.audit import ACTIONS
from clinic.models import AccessEvent


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
