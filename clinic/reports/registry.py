"""The reports: for each, who may see it, its filters, its table, its rows and its CSV.

Practitioners (no `reports.view_clinic_reports`) see their own figures only, by report:

- sessions, side effects, outcomes, practitioner activity, recall, follow-ups: their own
  only (the scope pins the practitioner to the user);
- questionnaires awaiting review: the clinic's worklist (nobody's figures; they review
  them);
- units and wastage by product and lot, lot exposure: 403 (clinic stock; practitioners
  have the lot lookup at /lots/).

CSV downloads need `reports.export_reports` (managers).
"""

from collections.abc import Callable
from dataclasses import dataclass

from clinic.reports import filters, selectors, tables
from clinic.reports.tables import (
    age_on,
    family_label,
    label_of,
    reaction,
    seriousness,
)
from patients.choices import Sex
from treatments.choices import (
    Causality,
    FollowUpKind,
    RegulatorDecision,
    SessionStatus,
    Severity,
    SideEffectAction,
    SideEffectOutcome,
    SideEffectStatus,
)

OWN = "reports.view_reports"
CLINIC = "reports.view_clinic_reports"
# The recall list is also the front desk's, to book from (issue 15): its own permission.
RECALL = "diary.view_recall_list"


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    permission: str
    filterset: type[filters.ReportFilterSet]
    table: type[tables.ReportTable]
    rows: Callable  # (filterset, scope) -> QuerySet | list of dicts
    csv_columns: list[tuple[str, Callable]]
    period_field: str = "date"  # what the period filters, shown on the page
    table_kwargs: Callable | None = None  # (filterset, scope) -> extra Table kwargs
    # What a report without a period shows where the period would be: (filterset) -> str.
    cut_off: Callable | None = None
    # A sentence under the period from the report's rows: (rows) -> str ("" for none).
    note: Callable | None = None

    @property
    def url_name(self) -> str:
        return f"reports:{self.slug}"


def staff(prefix):
    return lambda r: selectors.staff_label(
        r[f"{prefix}first_name"], r[f"{prefix}last_name"], r[f"{prefix}username"]
    )


# Sessions ---------------------------------------------------------------------------------


def session_rows(fs, scope):
    # Unsigned sessions are open work whatever their date (as the dashboard counts them).
    any_date = fs.cleaned.get("compliance") == "unsigned-overdue"
    return selectors.session_rows(scope, any_date=any_date)


SESSION_CSV = [
    ("Performed", lambda r: r["performed_at"]),
    ("Record number", lambda r: r["record_number"]),
    (
        "Practitioner",
        lambda r: selectors.staff_label(
            r["practitioner_first"], r["practitioner_last"], r["practitioner_username"]
        ),
    ),
    ("Indication", lambda r: r["indication_name"]),
    ("Product", lambda r: r["product_brand"]),
    ("Unit family", lambda r: family_label(r["unit_family"])),
    ("Units (this product's)", lambda r: r["total_units"]),
    ("Lot(s)", lambda r: tables.lots(r)),
    ("Status", lambda r: label_of(SessionStatus, r["status"])),
    ("Signed at", lambda r: r["signed_at"]),
    ("Consent taken", lambda r: r["consent_taken"]),
    ("Off-label", lambda r: r["is_off_label"]),
]


# Side effects --------------------------------------------------------------------------------


def side_effect_rows(fs, scope):
    return selectors.side_effect_rows(scope, worklist=fs.cleaned.get("worklist"))


SIDE_EFFECT_CSV = [
    ("Onset date", lambda r: r["onset_date"]),
    ("Resolution date", lambda r: r["resolution_date"]),
    ("Local identification number", lambda r: r["record_number"]),
    ("Initials", lambda r: r["patient_initials"]),
    ("Age at reaction", lambda r: age_on(r["patient_dob"], r["onset_date"])),
    ("Sex", lambda r: label_of(Sex, r["patient_sex"])),
    ("Reaction", reaction),
    ("Severity", lambda r: label_of(Severity, r["severity"])),
    ("Serious", seriousness),
    ("Outcome", lambda r: label_of(SideEffectOutcome, r["outcome"])),
    ("Causality (WHO-UMC)", lambda r: label_of(Causality, r["causality"])),
    ("Action taken", lambda r: label_of(SideEffectAction, r["action_taken"])),
    ("Treatment given", lambda r: r["treatment_given"]),
    ("Brand", lambda r: r["brand"]),
    ("Generic name", lambda r: r["generic_name"]),
    ("Batch", lambda r: tables.lots(r, "batch", "second_batch")),
    ("Batch expiry", lambda r: r["batch_expiry"]),
    ("Route", lambda r: "Injection" if r["brand"] else ""),
    ("Dose (units of this product)", lambda r: r["dose_units"] if r["brand"] else None),
    ("Date given", lambda r: r["session_at"]),
    ("Prescribed for", lambda r: r["indication_name"]),
    ("Review status", lambda r: label_of(SideEffectStatus, r["status"])),
    ("Regulator decision", lambda r: label_of(RegulatorDecision, r["regulator_decision"])),
    ("Yellow Card reference", lambda r: r["yellow_card_reference"]),
    ("Reason not reported", lambda r: r["not_reported_reason"]),
]


# The others -------------------------------------------------------------------------------

UNITS_WASTAGE_CSV = [
    ("Product", lambda r: r["product__brand"]),
    ("Unit family", lambda r: family_label(r["product__unit_family"])),
    ("Lot", lambda r: r["lot"]),
    ("Expiry", lambda r: r["expiry"]),
    ("Vials", lambda r: r["vials"]),
    ("Units in vials", lambda r: r["presentation"]),
    ("Units drawn", lambda r: r["drawn"]),
    ("Units wasted", lambda r: r["wasted"]),
    (
        "Wasted %",
        lambda r: round(r["wasted"] * 100 / r["presentation"], 1) if r["presentation"] else None,
    ),
]

OUTCOME_CSV = [
    ("Indication", lambda r: r["indication"]),
    ("Measure", lambda r: r["instrument"]),
    ("Unit", lambda r: r["unit"]),
    ("Patients", lambda r: r["series"]),
    ("Mean baseline", lambda r: r["mean_baseline"]),
    ("Mean latest", lambda r: r["mean_latest"]),
    ("Mean improvement %", lambda r: r["mean_improvement"]),
    ("Good responders", lambda r: r["good"]),
    ("Partial responders", lambda r: r["partial"]),
    ("Not responding", lambda r: r["none"]),
    ("Responder %", lambda r: r["responder_percent"]),
]

ACTIVITY_CSV = [
    ("Practitioner", staff("practitioner__")),
    ("Product", lambda r: r["product__brand"]),
    ("Unit family", lambda r: family_label(r["product__unit_family"])),
    ("Sessions", lambda r: r["sessions"]),
    ("Patients", lambda r: r["patients"]),
    ("Units (this product's)", lambda r: r["units"]),
    ("Signed late", lambda r: r["signed_late"]),
    ("Without consent", lambda r: r["without_consent"]),
]


def _percent(value) -> str:
    return "" if value is None else f"{value:.1%}"


def _one_decimal(value) -> str:
    return "" if value is None else f"{value:.1f}"


ATTENDANCE_CSV = [
    ("Practitioner or room", lambda r: r["who"]),
    ("Kind", lambda r: r["kind"]),
    ("Working hours", lambda r: r["working_hours"]),
    ("Booked hours", lambda r: r["booked_hours"]),
    ("Utilisation", lambda r: _percent(r["utilisation"])),
    ("Appointments", lambda r: r["appointments"]),
    ("Attended", lambda r: r["attended"]),
    ("Did not attend", lambda r: r["did_not_attend"]),
    ("DNA rate", lambda r: _percent(r["dna_rate"])),
    ("Cancelled", lambda r: r["cancelled"]),
    ("Late cancellations", lambda r: r["late_cancellations"]),
    ("Late cancellation rate", lambda r: _percent(r["late_rate"])),
    (
        "Mean days booked ahead (treatments)",
        lambda r: "" if r["lead_days"] is None else f"{r['lead_days']:.1f}",
    ),
    (
        "Mean days from recall to treatment",
        lambda r: "" if r["recall_lead_days"] is None else f"{r['recall_lead_days']:.1f}",
    ),
    ("Treated after a recall", lambda r: r["after_recall"]),
]

LOT_CSV = [
    ("Lot", lambda r: r["vial__lot"]),
    ("Product", lambda r: r["vial__product__brand"]),
    ("Expiry", lambda r: r["vial__expiry"]),
    ("Session", lambda r: r["session__performed_at"]),
    ("Record number", lambda r: r["session__patient__record_number"]),
    ("Indication", lambda r: r["session__indication__name"]),
    ("Practitioner", staff("session__practitioner__")),
    ("Units from this lot", lambda r: r["units"]),
    ("Session status", lambda r: label_of(SessionStatus, r["session__status"])),
]


def recall_rows(fs, scope):
    low, high = fs.eligible_window()
    # Read once: the selector's windows and the table's eligible dates use the same.
    fs.intervals = selectors.retreatment_intervals()
    return selectors.recall_rows(scope, eligible_from=low, eligible_to=high, intervals=fs.intervals)


def recall_table_kwargs(fs, scope):
    return {"intervals": fs.intervals}


RECALL_CSV = [
    ("Record number", lambda r: r["patient__record_number"]),
    ("Title", lambda r: r["patient__title"]),
    ("Given names", lambda r: r["patient__given_names"]),
    ("Family name", lambda r: r["patient__family_name"]),
    ("Indication", lambda r: r["indication__name"]),
    ("Product", lambda r: r["product__brand"]),
    ("Last treated", lambda r: r["performed_at"]),
    ("Practitioner", staff("practitioner__")),
    ("Recalls by SMS agreed", lambda r: r["patient__consent_marketing_sms"]),
    ("Mobile (recalls by SMS agreed only)", lambda r: consented(r, "sms", "phone")),
    ("Recalls by email agreed", lambda r: r["patient__consent_marketing_email"]),
    ("Email (recalls by email agreed only)", lambda r: consented(r, "email", "email")),
]


def consented(row, channel: str, field: str) -> str:
    """A contact detail only when the patient agreed to recalls (marketing) by that
    channel (DOMAIN §6.1, §6.4, rule 37)."""
    return row[f"patient__{field}"] if row[f"patient__consent_marketing_{channel}"] else ""


FOLLOW_UP_CSV = [
    ("Due", lambda r: r["due_on"]),
    ("Record number", lambda r: r["patient__record_number"]),
    ("Kind", lambda r: label_of(FollowUpKind, r["kind"])),
    ("Task", lambda r: r["title"]),
    ("Indication", lambda r: r["session__indication__name"]),
    ("Assigned to", staff("assigned_to__")),
]

QUESTIONNAIRE_CSV = [
    ("Answered", lambda r: r["completed_on"]),
    ("Record number", lambda r: r["patient__record_number"]),
    ("Entered by", staff("entered_by__")),
]


REPORTS: list[Report] = [
    Report(
        slug="sessions",
        title="Sessions",
        summary="Every session in the period with its practitioner, product, units and lot; "
        "patients by record number.",
        permission=OWN,
        filterset=filters.SessionFilterSet,
        table=tables.SessionTable,
        rows=session_rows,
        csv_columns=SESSION_CSV,
        period_field="session date",
    ),
    Report(
        slug="units-wastage",
        title="Units and wastage by product and lot",
        summary="Vials closed in the period per product and lot: units held, and the units "
        "drawn into sessions and wasted as each vial was closed. Units are never added "
        "across products.",
        permission=CLINIC,
        filterset=filters.UnitsWastageFilterSet,
        table=tables.UnitsWastageTable,
        rows=lambda fs, scope: selectors.units_wastage_rows(scope),
        csv_columns=UNITS_WASTAGE_CSV,
        period_field="date the vial was discarded",
    ),
    Report(
        slug="side-effects",
        title="Side effects",
        summary="Suspected reactions with the Yellow Card fields, pseudonymised: record "
        "number, initials, age and sex; brand and batch from the session.",
        permission=OWN,
        filterset=filters.SideEffectFilterSet,
        table=tables.SideEffectTable,
        rows=side_effect_rows,
        csv_columns=SIDE_EFFECT_CSV,
        period_field="onset date",
    ),
    Report(
        slug="outcomes",
        title="Outcomes per indication",
        summary="Patients with a follow-up score in the period: mean baseline and latest "
        "score, and responder rates (lower-is-better measures).",
        permission=OWN,
        filterset=filters.OutcomeFilterSet,
        table=tables.OutcomeTable,
        rows=lambda fs, scope: selectors.outcome_responders(scope, per_instrument=True),
        csv_columns=OUTCOME_CSV,
        period_field="date of the follow-up score",
    ),
    Report(
        slug="recall",
        title="Due for re-treatment (recall list)",
        summary="Patients whose minimum interval has passed or soon will, not treated since, "
        "with the contact details they agreed to be contacted on.",
        permission=RECALL,
        filterset=filters.RecallFilterSet,
        table=tables.RecallTable,
        rows=recall_rows,
        csv_columns=RECALL_CSV,
        period_field="eligible date",
        table_kwargs=recall_table_kwargs,
    ),
    Report(
        slug="lot-exposure",
        title="Lot exposure",
        summary="Every session that drew from a lot (a recall), with the units from that "
        "lot; patients by record number.",
        permission=CLINIC,
        filterset=filters.LotExposureFilterSet,
        table=tables.LotExposureTable,
        rows=lambda fs, scope: selectors.lot_exposure_rows(scope, lot=fs.cleaned.get("lot")),
        csv_columns=LOT_CSV,
        period_field="session date",
    ),
    Report(
        slug="practitioner-activity",
        title="Practitioner activity",
        summary="Signed sessions, patients and units per practitioner and product, with "
        "late signatures and missing consent.",
        permission=OWN,
        filterset=filters.PractitionerActivityFilterSet,
        table=tables.PractitionerActivityTable,
        rows=lambda fs, scope: selectors.practitioner_activity_rows(scope),
        csv_columns=ACTIVITY_CSV,
        period_field="session date",
    ),
    Report(
        slug="diary-attendance",
        title="Diary: attendance and utilisation",
        summary="Working hours booked per practitioner and room, did-not-attend and late "
        "cancellation rates, how far ahead treatments are booked, and the days from a recall "
        "to treatment.",
        permission=CLINIC,
        filterset=filters.AttendanceFilterSet,
        table=tables.AttendanceTable,
        rows=lambda fs, scope: selectors.attendance_rows(scope),
        csv_columns=ATTENDANCE_CSV,
        period_field="appointment date",
        # Working time counted from the diary's first booking when that is later (manager
        # review 07/12/2026: a year of hours against a fortnight of bookings read as 2%).
        note=lambda rows: next((r["working_note"] for r in rows if r.get("working_note")), ""),
    ),
    Report(
        slug="follow-ups",
        title="Follow-ups due",
        summary="Open reviews, calls and diaries due by a date, overdue first.",
        permission=OWN,
        filterset=filters.FollowUpFilterSet,
        table=tables.FollowUpTable,
        rows=lambda fs, scope: selectors.follow_up_rows(scope, due_by=fs.due_by_date()),
        csv_columns=FOLLOW_UP_CSV,
        period_field="due date",
        # With "Due by" left empty, a week ahead: said on the page (manager review,
        # 07/12/2026: the list stopped a week ahead with nothing saying so).
        cut_off=lambda fs: f"Due by {fs.due_by_date():%d/%m/%Y}, overdue included",
    ),
    Report(
        slug="questionnaires",
        title="Questionnaires awaiting review",
        summary="Intake questionnaires no practitioner has reviewed yet, oldest first.",
        permission=OWN,
        filterset=filters.QuestionnaireFilterSet,
        table=tables.QuestionnaireTable,
        rows=lambda fs, scope: selectors.questionnaire_rows(),
        csv_columns=QUESTIONNAIRE_CSV,
        period_field="",
    ),
]

BY_SLUG = {report.slug: report for report in REPORTS}
