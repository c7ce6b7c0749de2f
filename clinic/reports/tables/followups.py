"""The follow-ups report's table."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from clinic.reports.selectors import staff_label
from clinic.reports.tables.base import ReportTable, label_of
from treatments.choices import FollowUpKind


class FollowUpTable(ReportTable):
    due_on = tables.DateColumn(verbose_name="Due", format="d/m/Y")
    record_number = tables.Column("Record", accessor="patient__record_number")
    kind = tables.Column("Kind")
    title = tables.Column("Task", orderable=False)
    indication = tables.Column("Indication", accessor="session__indication__name")
    assigned = tables.Column(
        "Assigned to", accessor="assigned_to__last_name", order_by=("assigned_to__last_name",)
    )

    class Meta(ReportTable.Meta):
        order_by = ("due_on",)

    def render_due_on(self, value):
        if value < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger">overdue</span>', f"{value:%d/%m/%Y}"
            )
        return f"{value:%d/%m/%Y}"

    def render_kind(self, value):
        return label_of(FollowUpKind, value)

    def render_assigned(self, record):
        if not record["assigned_to__username"]:
            return "Anyone"
        return staff_label(
            record["assigned_to__first_name"],
            record["assigned_to__last_name"],
            record["assigned_to__username"],
        )
