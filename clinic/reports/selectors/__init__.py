"""Reads behind the dashboard and the reports. Every figure is computed by the database
(aggregates with conditional filters), never by a Python loop over rows, and each tile is
one query whatever the size of the clinic.

Who sees what (DOMAIN §7.3): a user with `reports.view_clinic_reports` (managers) sees
the whole clinic, aggregated or pseudonymised; anyone else (practitioners) sees their own
figures only: `scope_for` pins the practitioner to the user, whatever the request asked.

Units are summed per product (and so within one unit family), never across products or
families (DOMAIN §1.2).

One module per family of reports, each holding the dashboard's figures and the report's
rows for that family: scope (what a page is about, who sees what), expressions (shared SQL
pieces), compliance, sessions, stock (units and wastage, lot exposure), side_effects,
outcomes, followups, retreatment (recall) and dashboard (every tile, and the deferred
panels). The registry (clinic/reports/registry.py) names the rows of each report; callers
may also use the names below from this package.
"""

from clinic.reports.selectors.compliance import (
    CHART_COMPLETION_HOURS,
    chart_completion_delta,
    questionnaire_rows,
    questionnaires_unreviewed,
    unsigned_overdue,
)
from clinic.reports.selectors.dashboard import (
    DASHBOARD_PANELS,
    Comparison,
    Dashboard,
    dashboard,
    dashboard_panel,
)
from clinic.reports.selectors.diary import attendance_rows, diary_attendance
from clinic.reports.selectors.expressions import ZERO, initials, total_units_subquery
from clinic.reports.selectors.followups import (
    FOLLOW_UP_SOON_DAYS,
    follow_up_counts,
    follow_up_rows,
    follow_up_scope_q,
)
from clinic.reports.selectors.outcomes import (
    latest_scores,
    outcome_responders,
    responder_thresholds_and_keys,
)
from clinic.reports.selectors.retreatment import (
    RECALL_LAPSE_DAYS,
    RECALL_LOOKAHEAD_DAYS,
    eligible_between,
    recall_rows,
    retreatment_counts,
    retreatment_due,
    retreatment_intervals,
)
from clinic.reports.selectors.scope import (
    Scope,
    performed_in,
    practitioner_choices,
    scope_for,
    sees_whole_clinic,
    session_q,
    signed_sessions,
    staff_label,
)
from clinic.reports.selectors.sessions import (
    practitioner_activity_rows,
    registered_patients,
    session_rows,
)
from clinic.reports.selectors.side_effects import (
    SIDE_EFFECT_WORKLISTS,
    side_effect_rows,
    side_effect_worklist,
)
from clinic.reports.selectors.stock import (
    lot_exposure_rows,
    units_by_product,
    units_wastage_rows,
    wastage,
)

__all__ = [
    "CHART_COMPLETION_HOURS",
    "DASHBOARD_PANELS",
    "FOLLOW_UP_SOON_DAYS",
    "RECALL_LAPSE_DAYS",
    "RECALL_LOOKAHEAD_DAYS",
    "SIDE_EFFECT_WORKLISTS",
    "ZERO",
    "Comparison",
    "Dashboard",
    "Scope",
    "attendance_rows",
    "chart_completion_delta",
    "dashboard",
    "dashboard_panel",
    "diary_attendance",
    "eligible_between",
    "follow_up_counts",
    "follow_up_rows",
    "follow_up_scope_q",
    "initials",
    "latest_scores",
    "lot_exposure_rows",
    "outcome_responders",
    "performed_in",
    "practitioner_activity_rows",
    "practitioner_choices",
    "questionnaire_rows",
    "questionnaires_unreviewed",
    "recall_rows",
    "registered_patients",
    "responder_thresholds_and_keys",
    "retreatment_counts",
    "retreatment_due",
    "retreatment_intervals",
    "scope_for",
    "sees_whole_clinic",
    "session_q",
    "session_rows",
    "side_effect_rows",
    "side_effect_worklist",
    "signed_sessions",
    "staff_label",
    "total_units_subquery",
    "units_by_product",
    "units_wastage_rows",
    "unsigned_overdue",
    "wastage",
]
