"""The units-and-wastage and lot-exposure reports' tables."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clinic.reports.selectors import staff_label
from clinic.reports.tables.base import DASH, ReportTable, family_label, local_dt, units

# Below 992 px (an iPad upright) the unit family is left out, so that the wasted share, the
# report's last column, is on the screen: each row is one product, whose brand names its
# family. Printed and from 992 px it shows.
WIDE_AND_PRINT = {"class": "d-none d-lg-table-cell d-print-table-cell"}
NUMBER = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}


class UnitsWastageTable(ReportTable):
    product = tables.Column("Product", accessor="product__brand")
    family = tables.Column(
        "Unit family",
        accessor="product__unit_family",
        orderable=False,
        attrs={"th": WIDE_AND_PRINT, "td": WIDE_AND_PRINT},
    )
    lot = tables.Column("Lot")
    expiry = tables.DateColumn(verbose_name="Expiry", format="d/m/Y")
    vials = tables.Column("Vials", attrs=NUMBER)
    presentation = tables.Column("Units in vials", attrs=NUMBER)
    drawn = tables.Column("Units drawn", attrs=NUMBER)
    wasted = tables.Column("Units wasted", attrs=NUMBER)
    wasted_percent = tables.Column("Wasted", accessor="wasted", orderable=False, attrs=NUMBER)

    def render_family(self, value):
        return family_label(value)

    def render_drawn(self, value):
        return units(value)

    def render_wasted(self, value):
        return units(value)

    def render_wasted_percent(self, record):
        if not record["presentation"]:
            return DASH
        return f"{record['wasted'] * 100 / record['presentation']:.1f}%"


class LotExposureTable(ReportTable):
    lot = tables.Column("Lot", accessor="vial__lot")
    product = tables.Column("Product", accessor="vial__product__brand")
    expiry = tables.DateColumn(verbose_name="Expiry", accessor="vial__expiry", format="d/m/Y")
    performed_at = tables.Column("Session", accessor="session__performed_at")
    record_number = tables.Column("Record", accessor="session__patient__record_number")
    indication = tables.Column("Indication", accessor="session__indication__name")
    practitioner = tables.Column(
        "Practitioner",
        accessor="session__practitioner__last_name",
        order_by=("session__practitioner__last_name",),
    )
    units = tables.Column("Units from lot", attrs={"td": {"class": "text-end"}})
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

    def render_units(self, value):
        return units(value)

    def render_vial(self, value):
        if self.user is not None and self.user.has_perm("reports.view_change_history"):
            url = reverse("reports:vial_history", args=[value])
            return format_html('<a href="{}" class="no-print">Vial history</a>', url)
        return ""
