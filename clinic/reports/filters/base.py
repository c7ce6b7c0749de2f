"""What every report filters by: the period and the practitioner / indication / product
choices (ReportFilterSet), read into a Scope; the dashboard uses them as they are.
"""

import django_filters
from django import forms

from clinic.reports import selectors
from clinic.reports.periods import EARLIEST, LATEST, OUT_OF_RANGE, Period, default_period
from treatments.models import Indication, Product, TreatmentSession

# Typed as the rest of the app types dates (dd/mm/yyyy); links may also pass ISO dates.
DATE_WIDGET = forms.DateInput(
    attrs={"class": "form-control", "placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
    format="%d/%m/%Y",
)


SELECT = {"class": "form-select"}


class StaffChoiceField(django_filters.fields.ModelChoiceField):
    """Staff listed by name ("Amelia Hart"), not by username; the username only when no
    name is recorded."""

    def label_from_instance(self, obj) -> str:
        return selectors.staff_label(obj.first_name, obj.last_name, obj.get_username())


class StaffChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StaffChoiceField


def _practitioners(request):
    return selectors.practitioner_choices()


class PeriodForm(forms.Form):
    """The filter form: every date within EARLIEST..LATEST (the page says so, instead of
    failing on a year 1 or 9999), and the end of a period not before its start."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, forms.DateField) and value and not EARLIEST <= value <= LATEST:
                self.add_error(name, OUT_OF_RANGE)
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be on or after the start date.")
        low, high = data.get("eligible_from"), data.get("eligible_to")
        if low and high and high < low:
            self.add_error("eligible_to", "This date must be on or after the first one.")
        return data


class ReportFilterSet(django_filters.FilterSet):
    """Period, practitioner, indication and product. The practitioner choice is removed
    for users who see their own figures only (the scope pins them to themselves)."""

    start = django_filters.DateFilter(label="From", method="in_scope", widget=DATE_WIDGET)
    end = django_filters.DateFilter(label="To", method="in_scope", widget=DATE_WIDGET)
    practitioner = StaffChoiceFilter(
        label="Practitioner",
        queryset=_practitioners,
        method="in_scope",
        empty_label="All practitioners",
        widget=forms.Select(attrs=SELECT),
    )
    indication = django_filters.ModelChoiceFilter(
        label="Indication",
        queryset=Indication.objects.order_by("name"),
        method="in_scope",
        empty_label="All indications",
        widget=forms.Select(attrs=SELECT),
    )
    product = django_filters.ModelChoiceFilter(
        label="Product",
        queryset=Product.objects.order_by("brand"),
        method="in_scope",
        empty_label="All products",
        widget=forms.Select(attrs=SELECT),
    )

    # Shared filters a report does not use (e.g. no practitioner for stock reports).
    unused: tuple[str, ...] = ()

    class Meta:
        model = TreatmentSession
        fields = []
        form = PeriodForm

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        drop = set(self.unused)
        if user is not None and not selectors.sees_whole_clinic(user):
            drop.add("practitioner")
        for name in drop:
            self.filters.pop(name, None)

    def in_scope(self, queryset, name, value):
        # Applied by the selector through the Scope (inside aggregates), not here.
        return queryset

    @property
    def cleaned(self) -> dict:
        self.is_valid()
        return getattr(self.form, "cleaned_data", {}) or {}

    def period(self) -> Period:
        """The chosen period; this month when none (or an invalid one) was given."""
        data = self.cleaned
        fallback = default_period()
        start, end = data.get("start"), data.get("end")
        if self.form.errors.get("start") or self.form.errors.get("end"):
            return fallback
        if start and end:
            return Period(start, end)
        if start:
            return Period(start, max(start, fallback.end))
        if end:
            return Period(min(fallback.start, end), end)
        return fallback

    def scope(self) -> selectors.Scope:
        data = self.cleaned
        return selectors.scope_for(
            user=self.user,
            period=self.period(),
            practitioner=data.get("practitioner"),
            indication=data.get("indication"),
            product=data.get("product"),
        )


class DashboardFilterSet(ReportFilterSet):
    pass
