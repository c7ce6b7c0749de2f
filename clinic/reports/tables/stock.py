"""The units-and-wastage and lot-exposure reports' tables."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clinic.reports.selectors import staff_label
from clinic.reports.tables.base import (
    DASH,
    NUMBER,
    WIDE_ONLY,
    FigureColumn,
    ReportTable,
    UnitFamilyColumn,
    local_dt,
)
from clinic.templatetags.figures import rate


class UnitsWastageTable(ReportTable):
    product = tables.Column("Product", accessor="product__brand")
    family = UnitFamilyColumn()
    lot = tables.Column("Lot")
    expiry = tables.DateColumn(verbose_name="Expiry", format="d/m/Y")
    vials = FigureColumn("Vials")
    presentation = FigureColumn("Units in vials")
    drawn = FigureColumn("Units drawn")
    wasted = FigureColumn("Units wasted")
    wasted_percent = tables.Column("Wasted", accessor="wasted", orderable=False, attrs=NUMBER)

    def render_wasted_percent(self, record):
        if not record["presentation"]:
            return DASH
        return rate(record["wasted"] * 100 / record["presentation"], "%")


class LotExposureTable(ReportTable):
    lot = tables.Column("Lot", accessor="vial__lot")
    product = tables.Column("Product", accessor="vial__product__brand")
    # The lot's expiry, the same on each of its rows: left out on an iPad upright, so that
    # the units and the vial's history stay on the screen.
    expiry = tables.DateColumn(
        verbose_name="Expiry", accessor="vial__expiry", format="d/m/Y", attrs=WIDE_ONLY
    )
    performed_at = tables.Column("Session", accessor="session__performed_at")
    record_number = tables.Column("Record", accessor="session__patient__record_number")
    indication = tables.Column("Indication", accessor="session__indication__name")
    practitioner = tables.Column(
        "Practitioner",
        accessor="session__practitioner__last_name",
        order_by=("session__practitioner__last_name",),
    )
    units = FigureColumn("Units from lot")
    vial = tables.Column("", accessor="vial_id", orderable=False)

    class Meta(ReportTable.Meta):
        order_by = ("-performed_at",)

    def render_performed_at(self, value):
        return local_dt(value)

    def render_practitioner(self, record):
        return staff_label(
            record["session__practitioner__first_name"],
            record["session__practitioner__last_name"],
            record["session__practitioner__username"],
        )

    def render_vial(self, value):
        if self.user is not None and self.user.has_perm("reports.view_change_history"):
            url = reverse("reports:vial_history", args=[value])
            return format_html('<a href="{}" class="no-print">Vial history</a>', url)
        return ""
