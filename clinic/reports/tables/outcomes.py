"""The outcomes (responder rates) report's table."""

import django_tables2 as tables

from clinic.reports.tables.base import DASH, NUMBER, FigureColumn, ReportTable


class OutcomeTable(ReportTable):
    indication = tables.Column("Indication")
    instrument = tables.Column("Measure")
    series = FigureColumn("Patients")
    mean_baseline = tables.Column("Mean baseline", attrs=NUMBER)
    mean_latest = tables.Column("Mean latest", attrs=NUMBER)
    mean_improvement = tables.Column("Mean improvement", attrs=NUMBER)
    good = FigureColumn("Good")
    partial = FigureColumn("Partial")
    none = FigureColumn("Not responding")
    responder_percent = tables.Column("Responders", attrs=NUMBER)

    def render_mean_improvement(self, value):
        return DASH if value is None else f"{value}%"

    def render_responder_percent(self, value):
        return DASH if value is None else f"{value}%"

    def render_instrument(self, record):
        unit = record.get("unit")
        return f"{record['instrument']} ({unit})" if unit else record["instrument"]
