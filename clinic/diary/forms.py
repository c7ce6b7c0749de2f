"""Diary forms: booking, moving and cancelling. Dates typed as dd/mm/yyyy, times on the
diary's 15-minute grid; the service enforces the rules."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.diary.choices import AppointmentStatus, CancelledBy
from clinic.diary.models import AppointmentType, Room, booking_day_problem
from clinic.idempotency import SubmissionTokenField
from clinic.inputs import RefusesStalePage, VersionField
from patients.models import Patient
from treatments.models import Indication, Product

TIMES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(7, 21) for m in (0, 15, 30, 45)]
_TIME_VALUES = frozenset(value for value, _ in TIMES)


def time_choice_at(moment) -> str | None:
    """The Time list's entry for a moment: the quarter-hour at or before it ("11:20" is
    shown as 11:15, not as the list's first entry), or None outside 07:00-20:45."""
    quarter = f"{moment.hour:02d}:{moment.minute - moment.minute % 15:02d}"
    return quarter if quarter in _TIME_VALUES else None


def _date_input():
    return forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
    )


class AcknowledgesFlags(forms.Form):
    """The box under a booking's or a move's checks, and the codes of the checks the page
    showed above it (`acknowledged_codes`, written by the page): ticking it acknowledges
    those, not a check that came up since (services.appointment_book's `acknowledge_flags`)."""

    acknowledged_codes = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    # Filled by checks_raised() when the service asks for the checks to be acknowledged.
    checks: tuple = ()
    checks_changed = False  # the box was ticked under other checks: shown unticked
    checks_unticked = False  # sent again under the same checks with the box empty

    def checks_raised(self, checks) -> None:
        """The checks the service asks about (BookingNeedsAcknowledgement), as the page
        shows them again under the box (diary/includes/acknowledge_box.html): the box
        unticked when it was ticked under other checks (one came up since the page), and
        said to be empty when the form came back from under these checks without it."""
        self.checks = tuple(checks)
        self.checks_changed = self.acknowledged() is not False
        self.checks_unticked = not self.checks_changed and "acknowledged_codes" in self.data
        if self.checks_changed:
            self.data = self.data.copy()
            self.data.pop(self.add_prefix("acknowledge_flags"), None)

    @property
    def check_codes(self) -> str:
        """The checks shown (BookingCheck.key), as the box sends them back."""
        return ",".join(check.key for check in self.checks)

    def acknowledged(self) -> bool | frozenset[str]:
        """False: not ticked. The codes shown, when ticked; True when the page sent none (a
        client that does not write them acknowledges whatever it is told)."""
        if not self.cleaned_data.get("acknowledge_flags"):
            return False
        codes = frozenset(filter(None, self.cleaned_data.get("acknowledged_codes", "").split(",")))
        return codes or True


class PractitionerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class WhenForm(forms.Form):
    """A date and a start time, read as UK local time."""

    day = forms.DateField(
        label="Date",
        widget=_date_input(),
        error_messages={
            "required": "Type the date, as dd/mm/yyyy.",
            "invalid": "That is not a date: type it as dd/mm/yyyy.",
        },
    )
    # Nothing chosen until someone chooses (reception review 07/12/2026: the list opened on
    # 07:00, before anyone's hours, and a booking left at it went in at 07:00).
    start = forms.ChoiceField(
        label="Time",
        choices=[("", "Choose…"), *TIMES],
        error_messages={"required": "Choose the time."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxInput, forms.RadioSelect)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        # A field with an error is drawn invalid (Bootstrap's is-invalid), as the crispy
        # forms draw it; Django adds aria-invalid and points aria-describedby at the error.
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and not field.widget.is_hidden:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    field.widget.attrs["class"] = f"{css} is-invalid".strip()

    def clean_day(self):
        day = self.cleaned_data["day"]
        problem = booking_day_problem(day)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def starts_at(self) -> datetime:
        hour, minute = (int(part) for part in self.cleaned_data["start"].split(":"))
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], time(hour, minute)))


def _practitioners():
    from clinic.diary.availability import practitioners

    ids = [p.pk for p in practitioners()]
    return get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name")


class BookingForm(AcknowledgesFlags, WhenForm):
    submission_token = SubmissionTokenField()
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(),
        to_field_name="public_id",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the patient first (search above)."},
    )
    appointment_type = forms.ModelChoiceField(
        label="Appointment",
        queryset=AppointmentType.objects.filter(is_active=True),
        empty_label="Choose…",
        error_messages={"required": "Choose the kind of appointment."},
    )
    practitioner = PractitionerChoiceField(
        label="With",
        queryset=get_user_model().objects.none(),
        empty_label="Choose…",
        error_messages={"required": "Choose who the appointment is with."},
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=240,
        required=False,
        help_text="Empty: the appointment type's usual length.",
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True),
        required=False,
        # The room of the practitioner's working hours at that time (services.appointment_book).
        empty_label="Their room that day",
        help_text="Empty: the room of their working hours at that time.",
    )
    indication = forms.ModelChoiceField(
        queryset=Indication.objects.order_by("category", "name"),
        required=False,
        empty_label="As the appointment type says",
        help_text="For a treatment: what is being treated.",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(on_formulary=True).order_by("brand"),
        required=False,
        empty_label="Decide on the day",
    )
    notes = forms.CharField(max_length=300, required=False)
    acknowledge_flags = forms.BooleanField(
        required=False,
        label="I have read the points above: book it anyway.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = _practitioners()


class MoveForm(RefusesStalePage, AcknowledgesFlags, WhenForm):
    # Empty keeps the appointment's practitioner (the service's rule): said so, not
    # Django's "- Select an option -" (review 07/12/2026).
    practitioner = PractitionerChoiceField(
        label="With",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="The same practitioner",
    )
    version = VersionField()
    acknowledge_flags = forms.BooleanField(
        required=False,
        label="I have read the points above: move it anyway.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = _practitioners()


class CancelForm(RefusesStalePage, forms.Form):
    cancelled_by = forms.ChoiceField(
        label="Who cancelled?",
        choices=CancelledBy.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(max_length=200, label="Reason")
    version = VersionField()


class StepForm(RefusesStalePage, forms.Form):
    """A front-desk step on the appointment page or the home page's list. `version`: the
    appointment as the page showed it (without it, the page is out of date: refused)."""

    status = forms.ChoiceField(
        choices=[
            (s, s)
            for s in (
                AppointmentStatus.CONFIRMED,
                AppointmentStatus.ARRIVED,
                AppointmentStatus.DID_NOT_ATTEND,
                AppointmentStatus.COMPLETED,
                AppointmentStatus.BOOKED,  # undo an arrival or a did-not-attend
            )
        ]
    )
    version = VersionField()


def chosen_patient(form) -> Patient | None:
    """The patient a booking or waiting-list form names: its `patient` field, a public id
    (submitted, or given as initial by the page that linked here), or None when it names
    none that exists."""
    value = form.data.get("patient") if form.is_bound else form.initial.get("patient")
    if not value:
        return None
    try:
        return Patient.objects.filter(public_id=value).first()
    except forms.ValidationError:  # not a UUID
        return None


def with_sole_match(data):
    """A patient search whose one match was shown but not ticked (browser review: "elliott"
    found one patient, Add said "Choose the patient first"): that patient is the one meant,
    but only if the page showed exactly that match for exactly the text still in the search
    box. The picker marks a sole match (`sole_match`, with the search it answered,
    `sole_match_q`); a list of several, none, or a list for other text picks nobody."""
    if not data or data.get("patient") or not data.get("sole_match"):
        return data
    typed = data.get("q", "").strip()[:100]
    if not typed or data.get("sole_match_q", "") != typed:
        return data
    data = data.copy()
    data["patient"] = data["sole_match"]
    return data
