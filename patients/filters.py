"""Filters for the patient list (django-filter): search text and status."""

import django_filters
from django import forms

from patients.choices import PatientStatus
from patients.models import Patient


class PatientFilterSet(django_filters.FilterSet):
    """The list's filter form. The search itself is patients.selectors.patient_search, which
    ranks results; this set validates the parameters against allow-lists."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_noop",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": "Name, date of birth (dd/mm/yyyy), NHS number, phone or K000123",
                "autocomplete": "off",
                "autofocus": True,
                "aria-label": "Search patients",
            }
        ),
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[*PatientStatus.choices, ("all", "All")],
        method="filter_noop",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Patient
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset

    @property
    def status_value(self) -> str | None:
        status = self.form.cleaned_data.get("status") or PatientStatus.ACTIVE
        return None if status == "all" else status

    @property
    def query(self) -> str:
        return (self.form.cleaned_data.get("q") or "").strip()
