"""The sessions and practitioner-activity reports' filters."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.filters.base import SELECT, ReportFilterSet
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession

SESSION_COMPLIANCE = [
    ("unsigned-overdue", f"Unsigned after {selectors.CHART_COMPLETION_HOURS} hours (any date)"),
    ("signed-late", f"Signed more than {selectors.CHART_COMPLETION_HOURS} hours after"),
    ("no-consent", "Signed without consent recorded"),
    ("no-lot", "Signed without a vial (lot)"),
]


class SessionFilterSet(ReportFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=SessionStatus.choices,
        empty_label="Signed and drafts",
        widget=forms.Select(attrs=SELECT),
    )
    compliance = django_filters.ChoiceFilter(
        label="Chart compliance",
        choices=SESSION_COMPLIANCE,
        method="filter_compliance",
        empty_label="All sessions",
        widget=forms.Select(attrs=SELECT),
    )

    class Meta(ReportFilterSet.Meta):
        model = TreatmentSession

    def filter_queryset(self, queryset):
        """Withdrawn drafts (treatment not given) only when asked for by their status:
        "Signed and drafts" leaves them out."""
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=SessionStatus.WITHDRAWN)
        return queryset

    def filter_compliance(self, queryset, name, value):
        signed = Q(status=SessionStatus.SIGNED)
        conditions = {
            "unsigned-overdue": Q(
                status=SessionStatus.DRAFT,
                performed_at__lt=timezone.now() - selectors.chart_completion_delta(),
            ),
            "signed-late": signed
            & Q(signed_at__gt=F("performed_at") + selectors.chart_completion_delta()),
            "no-consent": signed & Q(consent_taken=False),
            "no-lot": signed & Q(vial__isnull=True),
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset


class PractitionerActivityFilterSet(ReportFilterSet):
    pass
