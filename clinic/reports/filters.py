"""Filters of the dashboard and reports (django-filter).

Every report shares the period and the practitioner / indication / product choices
(ReportFilterSet); each adds its own. The shared ones are read into a Scope
(clinic.reports.selectors.scope_for), which the selectors apply inside their aggregates;
the report's own filters narrow the rows the selector returns. Values outside the
allow-lists are dropped by the form, never passed to a query.
"""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.periods import Period, default_period
from patients.models import IntakeQuestionnaire
from treatments.choices import RegulatorDecision, SessionStatus, SideEffectStatus
from treatments.models import (
    FollowUp,
    Indication,
    OutcomeAssessment,
    Product,
    SideEffect,
    TreatmentSession,
    Vial,
    VialDraw,
)

# Typed as the rest of the app types dates (dd/mm/yyyy); links may also pass ISO dates.
DATE_WIDGET = forms.DateInput(
    attrs={"class": "form-control", "placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
    format="%d/%m/%Y",
)
SELECT = {"class": "form-select"}


def _practitioners(request):
    return selectors.practitioner_choices()


class PeriodForm(forms.Form):
    """The filter form: the end of a period may not come before its start."""

    def clean(self):
        data = super().clean()
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
    practitioner = django_filters.ModelChoiceFilter(
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


class UnitsWastageFilterSet(ReportFilterSet):
    unused = ("practitioner", "indication")

    class Meta(ReportFilterSet.Meta):
        model = Vial


class OutcomeFilterSet(ReportFilterSet):
    class Meta(ReportFilterSet.Meta):
        model = OutcomeAssessment


class PractitionerActivityFilterSet(ReportFilterSet):
    pass


class LotExposureFilterSet(ReportFilterSet):
    lot = django_filters.CharFilter(
        label="Lot / batch",
        method="in_scope",  # applied by the selector (case-insensitive exact match)
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "e.g. C1234C3"}),
    )

    class Meta(ReportFilterSet.Meta):
        model = VialDraw


CONTACT_CHOICES = [
    ("any", "Consents to SMS or email"),
    ("sms", "Consents to SMS"),
    ("email", "Consents to email"),
    ("none", "No consent to contact"),
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
        label="Consent to contact",
        choices=CONTACT_CHOICES,
        method="filter_contact",
        empty_label="Everyone",
        widget=forms.Select(attrs=SELECT),
    )

    class Meta(ReportFilterSet.Meta):
        model = TreatmentSession

    def filter_contact(self, queryset, name, value):
        sms, email = Q(patient__consent_contact_sms=True), Q(patient__consent_contact_email=True)
        conditions = {"any": sms | email, "sms": sms, "email": email, "none": ~sms & ~email}
        return queryset.filter(conditions[value]) if value in conditions else queryset

    def eligible_window(self):
        today = timezone.localdate()
        data = self.cleaned
        low = data.get("eligible_from") or today - timedelta(days=selectors.RECALL_LAPSE_DAYS)
        high = data.get("eligible_to") or today + timedelta(days=selectors.RECALL_LOOKAHEAD_DAYS)
        return low, max(low, high)


class FollowUpFilterSet(ReportFilterSet):
    unused = ("start", "end")
    due_by = django_filters.DateFilter(label="Due by", method="in_scope", widget=DATE_WIDGET)

    class Meta(ReportFilterSet.Meta):
        model = FollowUp

    def due_by_date(self):
        return self.cleaned.get("due_by") or timezone.localdate() + timedelta(
            days=selectors.FOLLOW_UP_SOON_DAYS
        )


class QuestionnaireFilterSet(ReportFilterSet):
    unused = ("start", "end", "practitioner", "indication", "product")

    class Meta(ReportFilterSet.Meta):
        model = IntakeQuestionnaire
