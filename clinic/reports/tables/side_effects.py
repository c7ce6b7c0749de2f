"""The side-effects report's table (the Yellow Card fields)."""

import django_tables2 as tables
from django.utils.html import format_html

from clinic.reports.tables.base import (
    DASH,
    FigureColumn,
    ReportTable,
    age_on,
    label_of,
    lots,
    reaction,
    seriousness,
)
from patients.choices import Sex
from treatments.choices import (
    Causality,
    RegulatorDecision,
    Severity,
    SideEffectOutcome,
    SideEffectStatus,
)


class SideEffectTable(ReportTable):
    onset_date = tables.DateColumn(verbose_name="Onset", format="d/m/Y")
    record_number = tables.Column("Record")
    patient_initials = tables.Column("Initials", orderable=False)
    age = tables.Column("Age", accessor="patient_dob", orderable=False)
    patient_sex = tables.Column("Sex", orderable=False)
    reaction = tables.Column(
        "Reaction", accessor="term_name", order_by=("term_name",), empty_values=()
    )
    severity = tables.Column("Severity")
    is_serious = tables.Column("Serious")
    outcome = tables.Column("Outcome")
    causality = tables.Column("Causality", orderable=False)
    brand = tables.Column("Brand", order_by=("brand",))
    batch = tables.Column("Batch", orderable=False)
    dose_units = FigureColumn("Dose (U)", orderable=False, attrs={})
    regulator_decision = tables.Column("Yellow Card")

    class Meta(ReportTable.Meta):
        order_by = ("-onset_date",)

    def render_age(self, record):
        age = age_on(record["patient_dob"], record["onset_date"])
        return DASH if age is None else age

    def render_patient_sex(self, value):
        return label_of(Sex, value)

    def render_reaction(self, record):
        # A report a practitioner has not reviewed has no coded reaction yet: it says so
        # rather than a dash (manager review, 07/12/2026: rows of dashes read as blanks).
        if record["status"] == SideEffectStatus.UNREVIEWED and reaction(record) == DASH:
            return format_html(
                '<span class="badge text-bg-warning">{}</span>', SideEffectStatus.UNREVIEWED.label
            )
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
