"""The recall report's table: next eligible date and the contact a patient agreed to."""

from datetime import date, timedelta
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.reports.tables.base import ReportTable


class RecallTable(ReportTable):
    record_number = tables.Column("Record", accessor="patient__record_number")
    name = tables.Column(
        "Name", accessor="patient__family_name", order_by=("patient__family_name",)
    )
    indication = tables.Column("Indication", accessor="indication__name")
    product = tables.Column("Product", accessor="product__brand")
    performed_at = tables.Column("Last treated")
    eligible_on = tables.Column("Eligible from", accessor="performed_at", orderable=False)
    contact = tables.Column("Contact (as consented)", accessor="patient__phone", orderable=False)
    book = tables.Column(
        "Book", accessor="patient__public_id", orderable=False, exclude_from_export=True
    )
    # Issue 15.5: ticked rows get a recall message (the form is diary's recall_send_form).
    recall = tables.Column(
        "Recall", accessor="patient__public_id", orderable=False, exclude_from_export=True
    )

    class Meta(ReportTable.Meta):
        order_by = ("performed_at",)

    def __init__(self, *args, intervals=None, **kwargs):
        self.intervals = intervals or ({}, {})
        super().__init__(*args, **kwargs)
        if not (self.user is not None and self.user.has_perm("diary.send_recall")):
            self.columns.hide("recall")

    def render_name(self, record):
        name = f"{record['patient__family_name'].upper()}, {record['patient__given_names']}"
        return f"{name}, {record['patient__title']}" if record["patient__title"] else name

    def render_performed_at(self, value):
        return f"{timezone.localdate(value):%d/%m/%Y}"

    def render_eligible_on(self, record):
        eligible = eligible_on(record, self.intervals)
        if eligible < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger">overdue</span>', f"{eligible:%d/%m/%Y}"
            )
        return f"{eligible:%d/%m/%Y}"

    def render_book(self, record):
        """Straight to the diary's free times for this treatment, from the eligible date
        (issue 15: the recall list leads to a booking)."""
        eligible = max(eligible_on(record, self.intervals), timezone.localdate())
        query = urlencode(
            {
                "patient": record["patient__public_id"],
                "indication": record["indication_id"],
                "product": record["product_id"],
                "from": f"{eligible:%Y-%m-%d}",
            }
        )
        return format_html(
            '<a class="btn btn-sm btn-outline-success" href="{}?{}">Book</a>',
            reverse("diary:free_slots"),
            query,
        )

    def render_recall(self, record):
        """A box for "Send recall messages": ticked for those who agreed to recalls by a
        channel (marketing, rule 37; the others would only be recorded as skipped)."""
        consented = (
            record["patient__consent_marketing_sms"] or record["patient__consent_marketing_email"]
        )
        return format_html(
            '<input class="form-check-input" type="checkbox" name="recall" value="{}:{}" '
            'form="recall-send"{} aria-label="Send a recall message to {}">',
            record["patient__public_id"],
            record["indication_id"],
            " checked" if consented else "",
            record["patient__record_number"],
        )

    def render_contact(self, record):
        return contact_text(record) or format_html(
            '<span class="text-body-secondary">{}</span>', "No consent to recalls"
        )


def eligible_on(record, intervals) -> date:
    guided, defaults = intervals
    days = guided.get((record["product_id"], record["indication_id"])) or defaults.get(
        record["indication_id"], 0
    )
    return timezone.localdate(record["performed_at"]) + timedelta(days=days)


def contact_text(record) -> str:
    parts = []
    if record["patient__consent_marketing_sms"]:
        parts.append(f"SMS {record['patient__phone']}")
    if record["patient__consent_marketing_email"] and record["patient__email"]:
        parts.append(f"email {record['patient__email']}")
    return "; ".join(parts)
