"""The units-and-wastage and lot-exposure reports' filters."""

import django_filters
from django import forms

from clinic.reports.filters.base import ReportFilterSet
from treatments.models import Vial, VialDraw


class UnitsWastageFilterSet(ReportFilterSet):
    unused = ("practitioner", "indication")

    class Meta(ReportFilterSet.Meta):
        model = Vial


class LotExposureFilterSet(ReportFilterSet):
    lot = django_filters.CharFilter(
        label="Lot / batch",
        method="in_scope",  # applied by the selector (case-insensitive exact match)
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "e.g. C1234C3"}),
    )

    class Meta(ReportFilterSet.Meta):
        model = VialDraw
