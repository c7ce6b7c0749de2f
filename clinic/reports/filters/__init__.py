"""Filters of the dashboard and reports (django-filter).

Every report shares the period and the practitioner / indication / product choices
(ReportFilterSet); each adds its own. The shared ones are read into a Scope
(clinic.reports.selectors.scope_for), which the selectors apply inside their aggregates;
the report's own filters narrow the rows the selector returns. Values outside the
allow-lists are dropped by the form, never passed to a query.

One module per family of reports, as for the selectors: base (what every report shares),
compliance, sessions, stock, side_effects, outcomes, followups, retreatment. The registry
(clinic/reports/registry.py) names each report's filter set.
"""

from clinic.reports.filters.base import (
    DATE_WIDGET,
    SELECT,
    DashboardFilterSet,
    PeriodForm,
    ReportFilterSet,
)
from clinic.reports.filters.compliance import QuestionnaireFilterSet
from clinic.reports.filters.diary import AttendanceFilterSet
from clinic.reports.filters.followups import FollowUpFilterSet
from clinic.reports.filters.outcomes import OutcomeFilterSet
from clinic.reports.filters.retreatment import CONTACT_CHOICES, RecallFilterSet
from clinic.reports.filters.sessions import (
    SESSION_COMPLIANCE,
    PractitionerActivityFilterSet,
    SessionFilterSet,
)
from clinic.reports.filters.side_effects import SIDE_EFFECT_WORKLISTS, SideEffectFilterSet
from clinic.reports.filters.stock import LotExposureFilterSet, UnitsWastageFilterSet

__all__ = [
    "CONTACT_CHOICES",
    "DATE_WIDGET",
    "SELECT",
    "SESSION_COMPLIANCE",
    "SIDE_EFFECT_WORKLISTS",
    "AttendanceFilterSet",
    "DashboardFilterSet",
    "FollowUpFilterSet",
    "LotExposureFilterSet",
    "OutcomeFilterSet",
    "PeriodForm",
    "PractitionerActivityFilterSet",
    "QuestionnaireFilterSet",
    "RecallFilterSet",
    "ReportFilterSet",
    "SessionFilterSet",
    "SideEffectFilterSet",
    "UnitsWastageFilterSet",
]
