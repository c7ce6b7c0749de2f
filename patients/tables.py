"""Tables for patient lists. The access log: django-tables2. The patient list: one page
from clinic.listing, its rows written here (patient_rows) into
templates/patients/includes/patient_table.html (issue 14.2)."""

import re
import uuid

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from clinic.audit import ACTIONS
from clinic.models import AccessEvent


class AccessEventTable(tables.Table):
    """Who viewed a patient's record. Not sortable: newest first is the only order (no
    sort parameter reaches the query)."""

    occurred_at = tables.DateTimeColumn(verbose_name="When", format="d/m/Y H:i:s")
    username = tables.Column(verbose_name="Staff")
    role = tables.Column(verbose_name="Role")
    action = tables.Column(verbose_name="What")
    path = tables.Column(verbose_name="Page", accessor="page")
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

    def render_path(self, value):
        """The page with its record ids shortened ("/diary/appointments/…/move/"), the
        whole path on hover and in the CSV: a 36-character id wrapped each row over four
        or five lines on an iPad (browser review, 07/12/2026)."""
        return format_html('<span title="{}">{}</span>', value, _UUID.sub("…", value))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NO_ID = uuid.UUID(int=0)
_NONE = "\u2014"  # an em dash, for an empty cell


def patient_rows(patients, *, show_nhs: bool) -> SafeString:
    """The patient list's rows, one string: record number and name linking to the record,
    date of birth, [NHS number], phone, postcode, a status badge; rows striped even/odd.

    Written in Python rather than by a template loop: about 240 variable lookups and 25
    URL reversals per page were half of the page's CPU (issue 14.2, bench/README.md). Every
    value is escaped; tests/patients/test_patient_rows.py checks the markup equals the
    template loop it replaced."""
    detail = reverse("patients:detail", kwargs={"public_id": _NO_ID})
    head, _, tail = detail.partition(str(_NO_ID))
    out = []
    for index, patient in enumerate(patients):
        url = escape(f"{head}{patient.public_id}{tail}")
        nhs = f"<td>{escape(patient.nhs_number_display or _NONE)}</td>\n" if show_nhs else ""
        badge = "text-bg-secondary" if patient.is_archived else "text-bg-success"
        out.append(
            f'\n<tr class="{"odd" if index % 2 else "even"}">\n'
            f'<td><a href="{url}">{escape(patient.record_number)}</a></td>\n'
            f'<td><a href="{url}">{escape(patient.display_name)}</a></td>\n'
            f"<td>{patient.date_of_birth.strftime('%d/%m/%Y')}</td>\n"
            f"{nhs}<td>{escape(patient.phone_display or _NONE)}</td>\n"
            f"<td>{escape(patient.postcode or _NONE)}</td>\n"
            f'<td><span class="badge {badge}">{escape(patient.get_status_display())}</span>'
            "</td>\n</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
