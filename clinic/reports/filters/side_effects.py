"""The side-effects report's filters (worklists, status, regulator decision)."""

import django_filters
from django import forms

from clinic.reports.filters.base import SELECT, ReportFilterSet
from treatments.choices import RegulatorDecision, SideEffectStatus
from treatments.models import SideEffect

SIDE_EFFECT_WORKLISTS = [
    ("serious-pending", "Serious, awaiting a regulator decision (any date)"),
    ("unreviewed", "Not yet reviewed by a practitioner (any date)"),
]


class SideEffectFilterSet(ReportFilterSet):
    serious = django_filters.BooleanFilter(
        label="Serious",
        field_name="is_serious",
        widget=forms.Select(
            attrs=SELECT, choices=[("", "Serious or not"), ("true", "Serious"), ("false", "Not")]
        ),
    )
    decision = django_filters.ChoiceFilter(
        label="Regulator decision",
        field_name="regulator_decision",
        choices=[("pending", "Not decided yet"), *RegulatorDecision.choices],
        method="filter_decision",
        empty_label="Any decision",
        widget=forms.Select(attrs=SELECT),
    )
    status = django_filters.ChoiceFilter(
        label="Review",
        choices=SideEffectStatus.choices,
        empty_label="Reviewed or not",
        widget=forms.Select(attrs=SELECT),
    )
    worklist = django_filters.ChoiceFilter(
        label="Worklist",
        choices=SIDE_EFFECT_WORKLISTS,
        method="in_scope",  # applied by the report (it widens the period)
        empty_label="By onset date",
        widget=forms.Select(attrs=SELECT),
    )

    class Meta(ReportFilterSet.Meta):
        model = SideEffect

    def filter_decision(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(regulator_decision="")
        return queryset.filter(regulator_decision=value)
