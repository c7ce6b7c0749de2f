"""Registering and editing a patient, archiving and restoring one. Input checks only; domain rules
(duplicates, edit conflicts) live in patients.services."""

import re
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from clinic.form_fields import CheapFieldCopyMetaclass
from clinic.idempotency import SubmissionTokenField
from clinic.inputs import RefusesStalePage, VersionField
from patients.choices import TITLE_USUAL_SEX, Sex
from patients.models import Patient
from patients.validators import (
    format_nhs_number,
    format_phone,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    validate_nhs_number,
    validate_phone,
    validate_uk_postcode,
)

# Letters in any script, spaces, apostrophes, hyphens and dots: "Siân O'Neil-Smith Jr."
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\u2019.-]+[^\W\d_]+)*[.]?$")
OLDEST_AGE_YEARS = 125


def date_input():
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
    )


def clean_person_name(value: str, label: str) -> str:
    value = " ".join((value or "").split())
    if value and not NAME_RE.match(value):
        raise forms.ValidationError(
            f"{label} may contain letters, spaces, hyphens, apostrophes and full stops only."
        )
    return value


def _patient_layout(show_nhs_number: bool) -> Layout:
    """The patient form's layout, made once per variant (with or without the NHS number)
    rather than per request: crispy layout objects hold no per-form state."""
    nhs = [Column("nhs_number", css_class="col-md-4")] if show_nhs_number else []
    return Layout(
        Fieldset(
            "Identity",
            Row(
                Column("title", css_class="col-md-2"),
                Column(Field("given_names", autofocus=True), css_class="col-md-4"),
                # An iPad (820 px) is md: 3 columns keep "Preferred name" on one line.
                Column("family_name", css_class="col-md-3 col-lg-4"),
                Column("preferred_name", css_class="col-md-3 col-lg-2"),
            ),
            Row(
                Column("date_of_birth", css_class="col-md-4"),
                Column("sex", css_class="col-md-4"),
                *nhs,
            ),
        ),
        Fieldset(
            "Contact",
            Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            Row(
                Column("address_line_1", css_class="col-md-6"),
                Column("address_line_2", css_class="col-md-6"),
            ),
            Row(Column("town", css_class="col-md-6"), Column("postcode", css_class="col-md-3")),
            Row(
                Column("consent_contact_email", css_class="col-md-6"),
                Column("consent_contact_sms", css_class="col-md-6"),
            ),
            Row(
                Column("consent_marketing_email", css_class="col-md-6"),
                Column("consent_marketing_sms", css_class="col-md-6"),
            ),
        ),
        Fieldset(
            "GP",
            Row(
                Column("gp_practice", css_class="col-md-6"),
                Column("gp_name", css_class="col-md-6"),
            ),
        ),
        Fieldset(
            "Emergency contact",
            Row(
                Column("emergency_contact_name", css_class="col-md-5"),
                Column("emergency_contact_relationship", css_class="col-md-3"),
                Column("emergency_contact_phone", css_class="col-md-4"),
            ),
        ),
        Fieldset(
            "Referral",
            Row(
                Column("referral_source", css_class="col-md-4"),
                Column("referral_detail", css_class="col-md-8"),
            ),
        ),
    )


_PATIENT_LAYOUTS = {show: _patient_layout(show) for show in (True, False)}


class PatientForm(forms.ModelForm, metaclass=CheapFieldCopyMetaclass):
    """Demographics, contact, GP, emergency contact, referral and contact consents.

    Its fields are copied per form without copy.deepcopy (clinic.form_fields): the form
    is built on every registration GET and POST (issue 14.3)."""

    # The page writes the layout in Python ({% render_layout %}, issue 14.3; the widgets
    # too, as every form's: settings.FORM_RENDERER); the empty form's fields render alike
    # for everyone: written once per process.
    layout_cache = True

    # Typed with spaces, stored normalised: wider than the model columns on input.
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        required=False,
        help_text="Optional: 10 digits, e.g. 943 476 5919.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    postcode = forms.CharField(max_length=10, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    class Meta:
        model = Patient
        fields = [
            "title", "given_names", "family_name", "preferred_name", "date_of_birth", "sex",
            "nhs_number", "phone", "email", "address_line_1", "address_line_2", "town",
            "postcode", "gp_practice", "gp_name", "emergency_contact_name",
            "emergency_contact_relationship", "emergency_contact_phone", "referral_source",
            "referral_detail", "consent_contact_email", "consent_contact_sms",
            "consent_marketing_email", "consent_marketing_sms",
        ]  # fmt: skip
        widgets = {"date_of_birth": date_input()}
        labels = {
            "emergency_contact_name": "Name",
            "emergency_contact_relationship": "Relationship",
            "emergency_contact_phone": "Phone",
        }
        # A date of birth's example is a birth date, in the error too (the generic one, dated
        # this year, read oddly beside it: browser review 07/12/2026).
        error_messages = {
            "date_of_birth": {"invalid": "Enter a real date as dd/mm/yyyy, e.g. 14/03/1978."}
        }
        help_texts = {
            "date_of_birth": "e.g. 14/03/1978",
            # DOMAIN §6.1: service messages are not marketing; marketing is a separate
            # opt-in per channel (PECR), shown with its wording.
            "consent_contact_email": "Appointment reminders, aftercare advice and offers of "
            "an earlier appointment by email.",
            "consent_contact_sms": "Appointment reminders, aftercare advice and offers of "
            "an earlier appointment by text message.",
            "consent_marketing_email": "Optional: a reminder when treatment is due again, "
            "and clinic news, by email. Every one has an unsubscribe link.",
            "consent_marketing_sms": "Optional: a reminder when treatment is due again, "
            "and clinic news, by text message. Every one has an unsubscribe link.",
        }

    def __init__(self, *args, show_nhs_number: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_nhs_number:
            del self.fields["nhs_number"]
        # Show stored identifiers the way people read them; cleaning normalises them again.
        for name in ("phone", "emergency_contact_phone"):
            if self.initial.get(name):
                self.initial[name] = format_phone(self.initial[name])
        if self.initial.get("nhs_number"):
            self.initial["nhs_number"] = format_nhs_number(self.initial["nhs_number"])
        self.fields["sex"].choices = [("", "Choose…"), *self.fields["sex"].choices[1:]]
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["emergency_contact_phone"].widget.attrs.update(inputmode="tel")
        self.fields["referral_source"].choices = [
            ("", "Choose…"),
            *self.fields["referral_source"].choices[1:],
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # Hidden fields outside the layout still render (the one-time submission token).
        self.helper.render_hidden_fields = True
        self.helper.layout = _PATIENT_LAYOUTS[show_nhs_number]

    def clean_given_names(self):
        return clean_person_name(self.cleaned_data["given_names"], "Given names")

    def clean_family_name(self):
        return clean_person_name(self.cleaned_data["family_name"], "Family name")

    def clean_preferred_name(self):
        return clean_person_name(self.cleaned_data["preferred_name"], "Preferred name")

    def clean_emergency_contact_name(self):
        return clean_person_name(self.cleaned_data["emergency_contact_name"], "The name")

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob < date(today.year - OLDEST_AGE_YEARS, 1, 1):
            raise forms.ValidationError("Please check the year: that would be over 125 years.")
        return dob

    def clean_nhs_number(self):
        value = self.cleaned_data.get("nhs_number", "")
        validate_nhs_number(value)
        return normalise_nhs_number(value)

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        validate_phone(value)
        return normalise_phone(value)

    def clean_emergency_contact_phone(self):
        value = self.cleaned_data["emergency_contact_phone"]
        validate_phone(value)
        return normalise_phone(value)

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        validate_uk_postcode(value)
        return normalise_postcode(value)

    @property
    def title_sex_note(self) -> str:
        """A gentle prompt, never an error, when the title usually goes with the other sex
        (Mrs and male): often a slip of the mouse, sometimes exactly what the patient
        wants. Empty when they agree or the form is not valid."""
        data = getattr(self, "cleaned_data", {})
        title, sex = data.get("title"), data.get("sex")
        usual = TITLE_USUAL_SEX.get(title)
        if not usual or sex not in (Sex.MALE, Sex.FEMALE) or sex == usual:
            return ""
        return (
            f"Please check: the title is {title} and sex is recorded as "
            f"{Sex(sex).label.lower()}. If that is right, there is nothing to do; "
            "otherwise correct it on the patient's details."
        )

    def validate_unique(self):
        # Uniqueness (NHS number) is part of the duplicate check in the service, which
        # shows the matching record instead of a bare "already exists".
        pass

    def validate_constraints(self):
        # The same for the NHS number's unique constraint: the service's full_clean()
        # checks it and names the other record (patients.services.NhsNumberInUse).
        pass


class RegisterPatientForm(PatientForm):
    submission_token = SubmissionTokenField()
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked the possible matches: this is a different person. "
        "Create a new record.",
    )


class EditPatientForm(RefusesStalePage, PatientForm):
    version = VersionField()


class ArchiveForm(RefusesStalePage, forms.Form):
    # The patient's version as the archive page showed it: a stale or replayed form is
    # refused instead of undoing a restore or an edit made since (patients.services).
    version = VersionField()
    reason = forms.CharField(
        max_length=200,
        label="Reason for archiving",
        help_text="e.g. moved away, duplicate of K000123, deceased, asked to be removed "
        "from contact lists. The clinical record is kept.",
    )


class RestoreForm(RefusesStalePage, forms.Form):
    """The restore button: the patient's version as the record page showed it."""

    version = VersionField()
