"""The recall report's filters: eligible dates and how the patient may be contacted."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.filters.base import DATE_WIDGET, SELECT, ReportFilterSet
from treatments.models import TreatmentSession

# A recall is marketing (rule 37): the patient's consent to recalls and news per channel.
CONTACT_CHOICES = [
    ("any", "Agreed to recalls by SMS or email"),
    ("sms", "Agreed to recalls by SMS"),
    ("email", "Agreed to recalls by email"),
    ("none", "No consent to recalls"),
]


class RecallFilterSet(ReportFilterSet):
    """The recall list: by the date patients become eligible for re-treatment (defaults:
    eligible in the last RECALL_LAPSE_DAYS up to RECALL_LOOKAHEAD_DAYS ahead)."""

    unused = ("start", "end")
    eligible_from = django_filters.DateFilter(
        label="Eligible from", method="in_scope", widget=DATE_WIDGET
    )
    eligible_to = django_filters.DateFilter(
        label="Eligible until", method="in_scope", widget=DATE_WIDGET
    )
    contact = django_filters.ChoiceFilter(
        label="Consent to recalls",
        choices=CONTACT_CHOICES,
        method="filter_contact",
        empty_label="Everyone",
        widget=forms.Select(attrs=SELECT),
    )

    class Meta(ReportFilterSet.Meta):
        model = TreatmentSession

    def filter_contact(self, queryset, name, value):
        sms, email = (
            Q(patient__consent_marketing_sms=True),
            Q(patient__consent_marketing_email=True),
        )
        conditions = {"any": sms | email, "sms": sms, "email": email, "none": ~sms & ~email}
        return queryset.filter(conditions[value]) if value in conditions else queryset

    def eligible_window(self):
        today = timezone.localdate()
        data = self.cleaned
        low = data.get("eligible_from") or today - timedelta(days=selectors.RECALL_LAPSE_DAYS)
        high = data.get("eligible_to") or today + timedelta(days=selectors.RECALL_LOOKAHEAD_DAYS)
        return low, max(low, high)
