"""The outcomes (responder rates) report's table."""

import django_tables2 as tables

from clinic.reports.tables.base import DASH, ReportTable


class OutcomeTable(ReportTable):
    indication = tables.Column("Indication")
    instrument = tables.Column("Measure")
    series = tables.Column("Patients", attrs={"td": {"class": "text-end"}})
    mean_baseline = tables.Column("Mean baseline", attrs={"td": {"class": "text-end"}})
    mean_latest = tables.Column("Mean latest", attrs={"td": {"class": "text-end"}})
    mean_improvement = tables.Column("Mean improvement", attrs={"td": {"class": "text-end"}})
    good = tables.Column("Good", attrs={"td": {"class": "text-end"}})
    partial = tables.Column("Partial", attrs={"td": {"class": "text-end"}})
    none = tables.Column("Not responding", attrs={"td": {"class": "text-end"}})
    responder_percent = tables.Column("Responders", attrs={"td": {"class": "text-end"}})

    def render_mean_improvement(self, value):
        return DASH if value is None else f"{value}%"

    def render_responder_percent(self, value):
        return DASH if value is None else f"{value}%"

    def render_instrument(self, record):
        unit = record.get("unit")
        return f"{record['instrument']} ({unit})" if unit else record["instrument"]
