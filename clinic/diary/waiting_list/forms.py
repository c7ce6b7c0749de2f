"""The waiting list's form: who waits, for what, with whom, from when, and when they can
come (the times of day and the weekdays the matching of a cancelled slot reads)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.diary.forms import PractitionerChoiceField, _date_input
from clinic.diary.models import AppointmentType, WorkingPattern, booking_day_problem
from clinic.diary.waiting_list.choices import (
    EVERY_DAY,
    WEEKDAY_NAMES,
    TimeOfDay,
    weekdays_in,
    weekdays_mask,
)
from clinic.idempotency import SubmissionTokenField
from patients.models import Patient


def _practitioners_and_open_days():
    """Who can be booked (clinic.diary.availability.practitioners: active, with weekly
    hours), as a queryset by name, and the weekdays the clinic opens (someone's weekly
    hours fall on them; every day while nobody has hours). One query, and one when the
    list is shown: as many as the booking form's list of practitioners alone."""
    rows = set(
        WorkingPattern.objects.filter(practitioner__is_active=True).values_list(
            "practitioner_id", "weekday"
        )
    )
    ids = {pid for pid, _ in rows}
    open_days = sorted({day for _, day in rows}) or list(range(7))
    people = get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name")
    return people, open_days


class _WhenTheyCanCome(forms.Form):
    """From when, at what times of day and on which days the patient can come, and the
    notes: what adding an entry asks, and what changing one changes."""

    from_date = forms.DateField(label="From", widget=_date_input())
    time_of_day = forms.ChoiceField(
        label="When can they come?",
        choices=TimeOfDay.choices,
        initial=TimeOfDay.ANY,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose when they can come: any time, mornings or afternoons.",
            "invalid_choice": "Choose when they can come: any time, mornings or afternoons.",
        },
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick the days they cannot come.",
        error_messages={
            "required": "Tick at least one day they can come.",
            "invalid_choice": "Tick the days they can come from the days the clinic opens.",
        },
    )
    notes = forms.CharField(
        max_length=300, required=False, help_text="e.g. can come in at short notice"
    )
    WHEN_LAYOUT = (
        "from_date",
        "time_of_day",
        Div("weekdays", css_class="waiting-days"),
        "notes",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("from_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        people, self.open_days = _practitioners_and_open_days()
        self.people = people
        self.fields["weekdays"].choices = [(day, WEEKDAY_NAMES[day]) for day in self.open_days]
        self.fields["weekdays"].initial = list(self.open_days)
        # The page writes the patient (its search, or the one chosen) and the token itself.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_from_date(self):
        # The booking rule (EARLIEST_DAY to BOOKING_HORIZON_YEARS ahead): the entry offers
        # the slots of cancelled appointments, which can be booked no further ahead.
        day = self.cleaned_data["from_date"]
        problem = booking_day_problem(day)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean_weekdays(self) -> int:
        """The days ticked as a mask (choices.weekdays_mask); every day the clinic opens
        ticked is every day, so that a day it opens later is not left out."""
        days = set(self.cleaned_data["weekdays"])
        if days >= set(self.open_days):
            return EVERY_DAY
        return weekdays_mask(days)


class WaitingListForm(_WhenTheyCanCome):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = self.people
        self.helper.layout = Layout("appointment_type", "practitioner", *self.WHEN_LAYOUT)


class WaitingChangeForm(_WhenTheyCanCome):
    """An entry's dates, times and days changed in place: the patient keeps their place
    in the queue (withdrawing and adding again put them at its end). `shown`: the entry
    as the page showed it, so that a change made meanwhile by someone else is not
    overwritten in silence (services.waiting_list_change)."""

    shown = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, entry, **kwargs):
        days = weekdays_in(entry.weekdays)
        kwargs.setdefault("initial", {}).update(
            from_date=entry.from_date,
            time_of_day=entry.time_of_day,
            notes=entry.notes,
            shown=entry.as_shown,
        )
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].initial = [d for d in days if d in self.open_days] or days
        self.helper.layout = Layout("shown", *self.WHEN_LAYOUT)
