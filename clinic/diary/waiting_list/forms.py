"""The waiting list's form: who waits, for what, with whom, from when."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.diary.forms import PractitionerChoiceField, _date_input, _practitioners
from clinic.diary.models import AppointmentType, booking_day_problem
from clinic.idempotency import SubmissionTokenField
from patients.models import Patient


class WaitingListForm(forms.Form):
    submission_token = SubmissionTokenField()
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(),
        to_field_name="public_id",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the patient first (search above)."},
    )
    appointment_type = forms.ModelChoiceField(
        label="Waiting for", queryset=AppointmentType.objects.filter(is_active=True)
    )
    practitioner = PractitionerChoiceField(
        label="With",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Anyone",
    )
    from_date = forms.DateField(label="From", widget=_date_input())
    notes = forms.CharField(max_length=300, required=False, help_text="e.g. mornings only")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("from_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = _practitioners()
        for name, field in self.fields.items():
            if name in ("patient", "submission_token"):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean_from_date(self):
        # The booking rule (EARLIEST_DAY to BOOKING_HORIZON_YEARS ahead): the entry offers
        # the slots of cancelled appointments, which can be booked no further ahead.
        day = self.cleaned_data["from_date"]
        problem = booking_day_problem(day)
        if problem:
            raise forms.ValidationError(problem)
        return day
