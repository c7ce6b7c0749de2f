"""The follow-ups report's filters."""

from datetime import timedelta

import django_filters
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.filters.base import DATE_WIDGET, ReportFilterSet
from treatments.models import FollowUp


class FollowUpFilterSet(ReportFilterSet):
    unused = ("start", "end")
    due_by = django_filters.DateFilter(label="Due by", method="in_scope", widget=DATE_WIDGET)

    class Meta(ReportFilterSet.Meta):
        model = FollowUp

    def due_by_date(self):
        return self.cleaned.get("due_by") or timezone.localdate() + timedelta(
            days=selectors.FOLLOW_UP_SOON_DAYS
        )
