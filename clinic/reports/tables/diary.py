"""The diary's attendance and utilisation report table (issue 15)."""

import django_tables2 as tables

from clinic.reports.tables.base import DASH, NUMBER, FigureColumn, ReportTable


def percent(value) -> str:
    return DASH if value is None else f"{value:.0%}"


class AttendanceTable(ReportTable):
    who = tables.Column("Practitioner or room", orderable=False)
    kind = tables.Column("", orderable=False)
    working_hours = FigureColumn("Working hours", orderable=False)
    booked_hours = FigureColumn("Booked hours", orderable=False)
    utilisation = tables.Column("Utilisation", attrs=NUMBER, orderable=False)
    # The rate's parts beside it (manager review 07/12/2026: "7 of 125 appointments" read
    # as 11% could not be checked: the appointments include those still to come).
    appointments = FigureColumn("Appointments (to come included)", orderable=False)
    attended = FigureColumn("Attended", orderable=False)
    did_not_attend = FigureColumn("Did not attend", orderable=False)
    dna_rate = tables.Column(
        "DNA rate (of attended + did not attend)", attrs=NUMBER, orderable=False
    )
    late_cancellations = FigureColumn("Late cancellations", orderable=False)
    late_rate = tables.Column("Late cancellation rate", attrs=NUMBER, orderable=False)
    lead_days = tables.Column("Days booked ahead (treatments)", attrs=NUMBER, orderable=False)
    recall_lead_days = tables.Column("Days from recall to treatment", attrs=NUMBER, orderable=False)
    after_recall = FigureColumn("Treated after a recall", orderable=False)

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
