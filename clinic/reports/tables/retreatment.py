"""The recall report's table: next eligible date and the contact a patient agreed to."""

from datetime import date, timedelta
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.reports.tables.base import WIDE_ONLY, ReportTable


class RecallTable(ReportTable):
    # The tick box for "Send recall messages" sits in the first column, beside the
    # patient's name (browser review, 07/12/2026: as a last column it was off the screen
    # of an iPad upright, while the button sent to every box ticked there).
    name = tables.Column(
        "Name", accessor="patient__family_name", order_by=("patient__family_name",)
    )
    record_number = tables.Column("Record", accessor="patient__record_number")
    indication = tables.Column("Indication", accessor="indication__name")
    product = tables.Column("Product", accessor="product__brand")
    # Left out on an iPad upright, so that Book stays on the screen: the eligible date
    # follows from it.
    performed_at = tables.Column("Last treated", attrs=WIDE_ONLY)
    eligible_on = tables.Column("Eligible from", accessor="performed_at", orderable=False)
    # Its heading wraps and an email address breaks across lines, rather than push Book
    # off an iPad's screen.
    contact = tables.Column(
        "Contact (as consented)",
        accessor="patient__phone",
        orderable=False,
        attrs={"th": {"class": "text-wrap"}, "td": {"class": "text-break"}},
    )
    book = tables.Column(
        "Book", accessor="patient__public_id", orderable=False, exclude_from_export=True
    )

    class Meta(ReportTable.Meta):
        order_by = ("performed_at",)

    def __init__(self, *args, intervals=None, **kwargs):
        self.intervals = intervals or ({}, {})
        super().__init__(*args, **kwargs)
        # Issue 15.5: ticked rows get a recall message (the form is diary's recall_send_form).
        self.sends_recalls = self.user is not None and self.user.has_perm("diary.send_recall")

    @property
    def ticked(self) -> int:
        """How many boxes of the rows shown come ticked: what the Send button says before
        a box is changed (reports.js keeps it up to date after)."""
        if not self.sends_recalls:
            return 0
        rows = self.page.object_list if hasattr(self, "page") else self.rows
        return sum(1 for row in rows if recall_ticked(row.record))

    def render_name(self, record):
        name = f"{record['patient__family_name'].upper()}, {record['patient__given_names']}"
        name = f"{name}, {record['patient__title']}" if record["patient__title"] else name
        if not self.sends_recalls:
            return name
        return recall_box(record, name)

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
        (issue 15: the recall list leads to a booking); for a patient booked already, when."""
        if record.get("booked_at"):
            return format_html(
                '<span class="badge text-bg-secondary">Booked</span> {}',
                f"{timezone.localtime(record['booked_at']):%a %d/%m/%Y %H:%M}",
            )
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

    def render_contact(self, record):
        return contact_text(record) or format_html(
            '<span class="text-body-secondary">{}</span>', "No consent to recalls"
        )


def agreed_to_recalls(record) -> bool:
    return bool(
        record["patient__consent_marketing_sms"] or record["patient__consent_marketing_email"]
    )


def recall_ticked(record) -> bool:
    """A row's box comes ticked for a patient who agreed to recalls and is not booked for
    the treatment already (recall_rows' booked_at)."""
    return agreed_to_recalls(record) and not record.get("booked_at")


def recall_box(record, name: str):
    """The name as the label of its box for "Send recall messages". The box comes ticked
    for those who agreed to recalls by a channel: the list is who is due (issue 15.5),
    and the others would only be recorded as skipped (marketing, rule 37), unless they
    are booked for it already (recall_ticked); a second
    press within RECALL_REPEAT_DAYS is skipped, not sent again. The Send button says
    how many are ticked. The indication, for the label alone, tells apart a patient due
    for two."""
    box_id = f"recall-{record['patient__public_id']}-{record['indication_id']}"
    return format_html(
        '<div class="form-check mb-0"><input class="form-check-input" type="checkbox" '
        'name="recall" value="{}:{}" id="{}" form="recall-send"{}>'
        '<label class="form-check-label" for="{}">{}'
        '<span class="visually-hidden">, recall for {}</span></label></div>',
        record["patient__public_id"],
        record["indication_id"],
        box_id,
        " checked" if recall_ticked(record) else "",
        box_id,
        name,
        record["indication__name"],
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
