"""Report tables (django-tables2) over the rows the selectors return (dicts).

Sorting is allow-listed by django-tables2: only orderable columns sort, an unknown
`?sort=` is ignored. Columns whose sort would make the database compute a subquery for
every row of the period (units of each session) are not orderable.

One module per family of reports, as for the selectors: base (what every report shares),
compliance, sessions, stock, side_effects, outcomes, followups, retreatment. The registry
(clinic/reports/registry.py) names each report's table.
"""

from clinic.reports.tables.base import (
    DASH,
    TABLE_ATTRS,
    ReportTable,
    age_on,
    family_label,
    label_of,
    local_dt,
    lots,
    reaction,
    seriousness,
    yes_no,
)
from clinic.reports.tables.compliance import QuestionnaireTable
from clinic.reports.tables.diary import AttendanceTable
from clinic.reports.tables.followups import FollowUpTable
from clinic.reports.tables.outcomes import OutcomeTable
from clinic.reports.tables.retreatment import RecallTable, contact_text, eligible_on
from clinic.reports.tables.sessions import PractitionerActivityTable, SessionTable
from clinic.reports.tables.side_effects import SideEffectTable
from clinic.reports.tables.stock import LotExposureTable, UnitsWastageTable

__all__ = [
    "DASH",
    "TABLE_ATTRS",
    "AttendanceTable",
    "FollowUpTable",
    "LotExposureTable",
    "OutcomeTable",
    "PractitionerActivityTable",
    "QuestionnaireTable",
    "RecallTable",
    "ReportTable",
    "SessionTable",
    "SideEffectTable",
    "UnitsWastageTable",
    "age_on",
    "contact_text",
    "eligible_on",
    "family_label",
    "label_of",
    "local_dt",
    "lots",
    "reaction",
    "seriousness",
    "yes_no",
]
