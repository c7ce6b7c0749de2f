"""The outcomes report's filters."""

from clinic.reports.filters.base import ReportFilterSet
from treatments.models import OutcomeAssessment


class OutcomeFilterSet(ReportFilterSet):
    class Meta(ReportFilterSet.Meta):
        model = OutcomeAssessment
