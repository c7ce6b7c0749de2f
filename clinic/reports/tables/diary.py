"""The diary's attendance and utilisation report table (issue 15)."""

import django_tables2 as tables

from clinic.reports.tables.base import DASH, ReportTable

RIGHT = {"td": {"class": "text-end"}}


def percent(value) -> str:
    return DASH if value is None else f"{value:.0%}"


class AttendanceTable(ReportTable):
    who = tables.Column("Practitioner or room", orderable=False)
    kind = tables.Column("", orderable=False)
    working_hours = tables.Column("Working hours", attrs=RIGHT, orderable=False)
    booked_hours = tables.Column("Booked hours", attrs=RIGHT, orderable=False)
    utilisation = tables.Column("Utilisation", attrs=RIGHT, orderable=False)
    appointments = tables.Column("Appointments", attrs=RIGHT, orderable=False)
    did_not_attend = tables.Column("Did not attend", attrs=RIGHT, orderable=False)
    dna_rate = tables.Column("DNA rate", attrs=RIGHT, orderable=False)
    late_cancellations = tables.Column("Late cancellations", attrs=RIGHT, orderable=False)
    late_rate = tables.Column("Late cancellation rate", attrs=RIGHT, orderable=False)
    lead_days = tables.Column("Days booked ahead (treatments)", attrs=RIGHT, orderable=False)
    recall_lead_days = tables.Column("Days from recall to treatment", attrs=RIGHT, orderable=False)
    after_recall = tables.Column("Treated after a recall", attrs=RIGHT, orderable=False)

    def render_utilisation(self, value):
        return percent(value)

    def render_dna_rate(self, value):
        return percent(value)

    def render_late_rate(self, value):
        return percent(value)

    def render_lead_days(self, value):
        return DASH if value is None else f"{value:.1f}"

    def render_recall_lead_days(self, value):
        return DASH if value is None else f"{value:.1f}"
