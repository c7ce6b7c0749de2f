"""The sessions and practitioner-activity reports' tables."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clinic.reports.selectors import staff_label
from clinic.reports.tables.base import (
    FigureColumn,
    ReportTable,
    UnitFamilyColumn,
    family_label,
    label_of,
    local_dt,
    lots,
    yes_no,
)
from treatments.choices import SessionStatus

STATUS_BADGES = {SessionStatus.SIGNED: "text-bg-success", SessionStatus.WITHDRAWN: "text-bg-dark"}


class SessionTable(ReportTable):
    performed_at = tables.Column("Date", order_by=("performed_at",))
    record_number = tables.Column("Record")
    practitioner = tables.Column(
        "Practitioner", accessor="practitioner_last", order_by=("practitioner_last",)
    )
    indication_name = tables.Column("Indication")
    product_brand = tables.Column("Product")
    total_units = FigureColumn("Units", orderable=False)
    lot = tables.Column("Lot", orderable=False)
    status = tables.Column("Status")
    signed_at = tables.Column("Signed")
    consent_taken = tables.Column("Consent")
    links = tables.Column("", accessor="public_id", orderable=False, empty_values=())

    class Meta(ReportTable.Meta):
        order_by = ("-performed_at",)

    def render_performed_at(self, value):
        return local_dt(value)

    def render_signed_at(self, value):
        return local_dt(value)

    def render_practitioner(self, record):
        return staff_label(
            record["practitioner_first"],
            record["practitioner_last"],
            record["practitioner_username"],
        )

    def render_product_brand(self, record):
        return format_html(
            '{} <span class="small text-body-secondary">{}</span>',
            record["product_brand"],
            family_label(record["unit_family"]),
        )

    def render_lot(self, record):
        return lots(record)

    def render_status(self, value):
        css = {
            SessionStatus.SIGNED: "text-bg-success",
            SessionStatus.WITHDRAWN: "text-bg-dark",
        }.get(value, "text-bg-warning")
        return format_html('<span class="badge {}">{}</span>', css, label_of(SessionStatus, value))

    def render_consent_taken(self, value):
        return yes_no(value)

    def render_links(self, value):
        user = self.user
        if user is not None and user.has_perm("reports.view_change_history"):
            url = reverse("reports:session_history", args=[value])
            return format_html('<a href="{}" class="no-print">History</a>', url)
        if user is not None and user.has_perm("treatments.view_treatmentsession"):
            url = reverse("treatments:session_detail", args=[value])
            return format_html('<a href="{}" class="no-print">Open</a>', url)
        return ""


class PractitionerActivityTable(ReportTable):
    practitioner = tables.Column(
        "Practitioner",
        accessor="practitioner__last_name",
        order_by=("practitioner__last_name", "practitioner__first_name"),
    )
    product = tables.Column("Product", accessor="product__brand")
    family = UnitFamilyColumn()
    sessions = FigureColumn("Sessions")
    patients = FigureColumn("Patients")
    units = FigureColumn("Units")
    signed_late = FigureColumn("Signed late")
    without_consent = FigureColumn("No consent")

    def render_practitioner(self, record):
        return staff_label(
            record["practitioner__first_name"],
            record["practitioner__last_name"],
            record["practitioner__username"],
        )
