"""The questionnaires-awaiting-review report's filters."""

from clinic.reports.filters.base import ReportFilterSet
from patients.models import IntakeQuestionnaire


class QuestionnaireFilterSet(ReportFilterSet):
    unused = ("start", "end", "practitioner", "indication", "product")

    class Meta(ReportFilterSet.Meta):
        model = IntakeQuestionnaire
