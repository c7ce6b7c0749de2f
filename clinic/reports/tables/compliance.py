"""The questionnaires-awaiting-review report's table."""

import django_tables2 as tables
from django.utils import timezone

from clinic.reports.selectors import staff_label
from clinic.reports.tables.base import ReportTable


class QuestionnaireTable(ReportTable):
    completed_on = tables.DateColumn(verbose_name="Answered", format="d/m/Y")
    record_number = tables.Column("Record", accessor="patient__record_number")
    waiting = tables.Column("Waiting", accessor="completed_on", orderable=False)
    entered_by = tables.Column(
        "Entered by", accessor="entered_by__last_name", order_by=("entered_by__last_name",)
    )

    class Meta(ReportTable.Meta):
        order_by = ("completed_on",)

    def render_waiting(self, value):
        days = (timezone.localdate() - value).days
        return f"{days} day{'s' if days != 1 else ''}"

    def render_entered_by(self, record):
        return staff_label(
            record["entered_by__first_name"],
            record["entered_by__last_name"],
            record["entered_by__username"],
        )
