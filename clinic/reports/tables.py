"""Report tables (django-tables2) over the rows the selectors return (dicts).

Sorting is allow-listed by django-tables2: only orderable columns sort, an unknown
`?sort=` is ignored. Columns whose sort would make the database compute a subquery for
every row of the period (units of each session) are not orderable.
"""

from datetime import date, timedelta

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.reports.selectors import staff_label
from patients.choices import Sex
from treatments.choices import (
    Causality,
    FollowUpKind,
    RegulatorDecision,
    SessionStatus,
    Severity,
    SideEffectOutcome,
    UnitFamily,
)

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle report-table"}
DASH = "—"


def units(value) -> str:
    if value is None:
        return DASH
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def yes_no(value) -> str:
    return "Yes" if value else "No"


def age_on(born: date | None, on: date | None) -> int | None:
    if born is None or on is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def family_label(value) -> str:
    try:
        return UnitFamily(value).label
    except ValueError:
        return value or DASH


def label_of(choices, value) -> str:
    if value in (None, ""):
        return DASH
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def local_dt(value) -> str:
    if value is None:
        return DASH
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"


def seriousness(row) -> str:
    reasons = [
        label
        for key, label in (
            ("serious_death", "death"),
            ("serious_life_threatening", "life-threatening"),
            ("serious_hospitalisation", "hospitalisation"),
            ("serious_disability", "disability"),
            ("serious_congenital", "congenital anomaly"),
            ("serious_medically_important", "medically important"),
        )
        if row.get(key)
    ]
    return "Yes: " + ", ".join(reasons) if row.get("is_serious") else "No"


def reaction(row) -> str:
    """The coded term, or what was described when the term is "Other"."""
    return row.get("term_other") or row.get("term_name") or DASH


def lots(row, first="lot", second="second_lot") -> str:
    values = [v for v in (row.get(first), row.get(second)) if v]
    return " + ".join(values) or DASH


class ReportTable(tables.Table):
    class Meta:
        attrs = TABLE_ATTRS
        empty_text = "Nothing matches these filters in this period."
        template_name = "django_tables2/bootstrap5.html"

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class SessionTable(ReportTable):
    performed_at = tables.Column("Date", order_by=("performed_at",))
    record_number = tables.Column("Record")
    practitioner = tables.Column(
        "Practitioner", accessor="practitioner_last", order_by=("practitioner_last",)
    )
    indication_name = tables.Column("Indication")
    product_brand = tables.Column("Product")
    total_units = tables.Column("Units", orderable=False, attrs={"td": {"class": "text-end"}})
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

    def render_total_units(self, value):
        return units(value)

    def render_lot(self, record):
        return lots(record)

    def render_status(self, value):
        css = "text-bg-success" if value == SessionStatus.SIGNED else "text-bg-warning"
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


class SideEffectTable(ReportTable):
    onset_date = tables.DateColumn(verbose_name="Onset", format="d/m/Y")
    record_number = tables.Column("Record")
    patient_initials = tables.Column("Initials", orderable=False)
    age = tables.Column("Age", accessor="patient_dob", orderable=False)
    patient_sex = tables.Column("Sex", orderable=False)
    reaction = tables.Column("Reaction", accessor="term_name", order_by=("term_name",))
    severity = tables.Column("Severity")
    is_serious = tables.Column("Serious")
    outcome = tables.Column("Outcome")
    causality = tables.Column("Causality", orderable=False)
    brand = tables.Column("Brand", order_by=("brand",))
    batch = tables.Column("Batch", orderable=False)
    dose_units = tables.Column("Dose (U)", orderable=False)
    regulator_decision = tables.Column("Yellow Card")

    class Meta(ReportTable.Meta):
        order_by = ("-onset_date",)

    def render_age(self, record):
        age = age_on(record["patient_dob"], record["onset_date"])
        return DASH if age is None else age

    def render_patient_sex(self, value):
        return label_of(Sex, value)

    def render_reaction(self, record):
        return reaction(record)

    def render_severity(self, value):
        return label_of(Severity, value)

    def render_is_serious(self, record):
        return seriousness(record)

    def render_outcome(self, value):
        return label_of(SideEffectOutcome, value)

    def render_causality(self, value):
        return label_of(Causality, value)

    def render_batch(self, record):
        return lots(record, "batch", "second_batch")

    def render_dose_units(self, value):
        return units(value)

    def render_regulator_decision(self, record):
        decision = record["regulator_decision"]
        if not decision:
            css = "text-bg-danger" if record["is_serious"] else "text-bg-secondary"
            return format_html('<span class="badge {}">Not decided</span>', css)
        if decision == RegulatorDecision.REPORTED:
            return format_html("Reported <code>{}</code>", record["yellow_card_reference"])
        return format_html(
            '<span title="{}">Not reported</span>', record["not_reported_reason"] or ""
        )


class UnitsWastageTable(ReportTable):
    product = tables.Column("Product", accessor="product__brand")
    family = tables.Column("Unit family", accessor="product__unit_family", orderable=False)
    lot = tables.Column("Lot")
    expiry = tables.DateColumn(verbose_name="Expiry", format="d/m/Y")
    vials = tables.Column("Vials", attrs={"td": {"class": "text-end"}})
    presentation = tables.Column("Units in vials", attrs={"td": {"class": "text-end"}})
    drawn = tables.Column("Units drawn", attrs={"td": {"class": "text-end"}})
    wasted = tables.Column("Units wasted", attrs={"td": {"class": "text-end"}})
    wasted_percent = tables.Column(
        "Wasted", accessor="wasted", orderable=False, attrs={"td": {"class": "text-end"}}
    )

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


class PractitionerActivityTable(ReportTable):
    practitioner = tables.Column(
        "Practitioner",
        accessor="practitioner__last_name",
        order_by=("practitioner__last_name", "practitioner__first_name"),
    )
    product = tables.Column("Product", accessor="product__brand")
    family = tables.Column("Unit family", accessor="product__unit_family", orderable=False)
    sessions = tables.Column("Sessions", attrs={"td": {"class": "text-end"}})
    patients = tables.Column("Patients", attrs={"td": {"class": "text-end"}})
    units = tables.Column("Units", attrs={"td": {"class": "text-end"}})
    signed_late = tables.Column("Signed late", attrs={"td": {"class": "text-end"}})
    without_consent = tables.Column("No consent", attrs={"td": {"class": "text-end"}})

    def render_practitioner(self, record):
        return staff_label(
            record["practitioner__first_name"],
            record["practitioner__last_name"],
            record["practitioner__username"],
        )

    def render_family(self, value):
        return family_label(value)

    def render_units(self, value):
        return units(value)


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

    class Meta(ReportTable.Meta):
        order_by = ("performed_at",)

    def __init__(self, *args, intervals=None, **kwargs):
        self.intervals = intervals or ({}, {})
        super().__init__(*args, **kwargs)

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

    def render_contact(self, record):
        return contact_text(record) or format_html(
            '<span class="text-body-secondary">{}</span>', "No consent to contact"
        )


def eligible_on(record, intervals) -> date:
    guided, defaults = intervals
    days = guided.get((record["product_id"], record["indication_id"])) or defaults.get(
        record["indication_id"], 0
    )
    return timezone.localdate(record["performed_at"]) + timedelta(days=days)


def contact_text(record) -> str:
    parts = []
    if record["patient__consent_contact_sms"]:
        parts.append(f"SMS {record['patient__phone']}")
    if record["patient__consent_contact_email"] and record["patient__email"]:
        parts.append(f"email {record['patient__email']}")
    return "; ".join(parts)


class FollowUpTable(ReportTable):
    due_on = tables.DateColumn(verbose_name="Due", format="d/m/Y")
    record_number = tables.Column("Record", accessor="patient__record_number")
    kind = tables.Column("Kind")
    title = tables.Column("Task", orderable=False)
    indication = tables.Column("Indication", accessor="session__indication__name")
    assigned = tables.Column(
        "Assigned to", accessor="assigned_to__last_name", order_by=("assigned_to__last_name",)
    )

    class Meta(ReportTable.Meta):
        order_by = ("due_on",)

    def render_due_on(self, value):
        if value < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger">overdue</span>', f"{value:%d/%m/%Y}"
            )
        return f"{value:%d/%m/%Y}"

    def render_kind(self, value):
        return label_of(FollowUpKind, value)

    def render_assigned(self, record):
        if not record["assigned_to__username"]:
            return "Anyone"
        return staff_label(
            record["assigned_to__first_name"],
            record["assigned_to__last_name"],
            record["assigned_to__username"],
        )


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
