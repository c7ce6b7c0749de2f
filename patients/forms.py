"""Forms for registration, editing and the intake questionnaire. Input checks only;
domain rules (duplicates, edit conflicts) live in patients.services."""

import re
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from clinic.form_fields import CheapFieldCopyMetaclass
from clinic.form_rendering import WIDGET_RENDERER
from clinic.idempotency import SubmissionTokenField
from patients.choices import TITLE_USUAL_SEX, Sex, YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment, SubjectAccessRequest
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


def _date_input():
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
                Column("family_name", css_class="col-md-4"),
                Column("preferred_name", css_class="col-md-2"),
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

    # The page writes the layout and widgets in Python ({% render_layout %}, issue 14.3);
    # the empty form's fields render alike for everyone: written once per process.
    default_renderer = WIDGET_RENDERER
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
        widgets = {"date_of_birth": _date_input()}
        labels = {
            "emergency_contact_name": "Name",
            "emergency_contact_relationship": "Relationship",
            "emergency_contact_phone": "Phone",
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


class EditPatientForm(PatientForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label="Reason for archiving",
        help_text="e.g. moved away, duplicate of K000123, deceased, asked to be removed "
        "from contact lists. The clinical record is kept.",
    )


YES_NO = [(True, "Yes"), (False, "No")]


def _coerce_bool(value) -> bool:
    return value in (True, "True", "true", "1", "yes")


class QuestionnaireForm(forms.ModelForm):
    """The screening questions of DOMAIN §6.3: every question needs an explicit answer."""

    submission_token = SubmissionTokenField()

    class Meta:
        model = IntakeQuestionnaire
        fields = [
            "completed_on",
            "allergy_toxin_or_albumin", "allergy_cows_milk_protein", "allergy_details",
            "infection_at_sites", "neuromuscular_disorder", "neuromuscular_details",
            "swallowing_or_breathing_problems", "pregnant_or_breastfeeding", "bleeding_risk",
            "interacting_medicines", "toxin_in_last_4_months", "previous_poor_response",
            "facial_surgery_fillers_or_asymmetry", "urinary_infection", "urinary_retention",
            "can_self_catheterise", "heart_disease", "important_event_or_driving",
            "current_medications", "migraine_preventives_failed", "notes",
        ]  # fmt: skip
        widgets = {
            "completed_on": _date_input(),
            "allergy_details": forms.Textarea(attrs={"rows": 2}),
            "current_medications": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"completed_on": "Date answered"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model_field in ((f.name, f) for f in IntakeQuestionnaire._meta.fields):
            if name not in self.fields:
                continue
            if model_field.get_internal_type() == "BooleanField":
                self.fields[name] = forms.TypedChoiceField(
                    label=model_field.verbose_name[:1].upper() + model_field.verbose_name[1:],
                    choices=YES_NO,
                    coerce=_coerce_bool,
                    widget=forms.RadioSelect,
                    required=True,
                    error_messages={"required": "Please answer yes or no."},
                )
            elif model_field.choices and name != "completed_on":
                self.fields[name].widget = forms.RadioSelect(choices=YesNoNotApplicable.choices)
                self.fields[name].choices = YesNoNotApplicable.choices
                self.fields[name].error_messages["required"] = "Please choose an answer."
        if not self.initial.get("completed_on") and not self.data:
            self.initial["completed_on"] = timezone.localdate()
        radio_names = [
            name for name in self.Meta.fields
            if isinstance(self.fields[name].widget, forms.RadioSelect)
        ]  # fmt: skip
        for number, name in enumerate(radio_names, start=1):
            self.fields[name].label = f"{number}. {self.fields[name].label}"
        radios = [
            Field(name, template="patients/includes/yes_no_field.html") for name in radio_names
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # Hidden fields outside the layout still render (the one-time submission token).
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("completed_on", css_class="col-md-3")),
            Fieldset("Screening questions", Div(*radios, css_class="screening")),
            Fieldset(
                "Details",
                "allergy_details",
                "neuromuscular_details",
                "current_medications",
                Row(Column("migraine_preventives_failed", css_class="col-md-8")),
                "notes",
            ),
            HTML(""),
        )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date answered cannot be in the future.")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("neuromuscular_disorder") and not cleaned.get("neuromuscular_details"):
            self.add_error("neuromuscular_details", "Say which nerve or muscle condition.")
        if (
            cleaned.get("allergy_toxin_or_albumin") or cleaned.get("allergy_cows_milk_protein")
        ) and not cleaned.get("allergy_details"):
            self.add_error("allergy_details", "Describe the allergy and the reaction.")
        return cleaned


class PriorTreatmentForm(forms.ModelForm):
    class Meta:
        model = PriorTreatment
        fields = [
            "treated_on",
            "product",
            "product_other",
            "units",
            "indication",
            "area",
            "clinic_name",
        ]
        widgets = {"treated_on": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices come from the foreign keys (treatments' reference data), so this app
        # imports nothing from treatments (the layering in pyproject.toml).
        self.fields["product"].queryset = self.fields["product"].queryset.order_by("brand")
        self.fields["indication"].queryset = self.fields["indication"].queryset.order_by("name")
        self.fields["product"].empty_label = "Choose…"
        self.fields["indication"].empty_label = "Unknown / other"
        self.fields["units"].widget.attrs.update(min="0.01", step="0.01")
        self.fields["units"].help_text = ""
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def clean_treated_on(self):
        value = self.cleaned_data["treated_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("product") and not cleaned.get("product_other"):
            self.add_error("product", "Choose the product, or type its name if not listed.")
        units = cleaned.get("units")
        if units is not None and units <= 0:
            self.add_error("units", "Units must be more than 0.")
        return cleaned


PriorTreatmentFormSet = inlineformset_factory(
    IntakeQuestionnaire,
    PriorTreatment,
    form=PriorTreatmentForm,
    extra=2,
    max_num=10,
    can_delete=False,
    validate_max=True,
)


class ReviewForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Review note",
        widget=forms.TextInput(attrs={"placeholder": "Optional, e.g. discussed anticoagulant"}),
    )


# Record governance (issue 6) ------------------------------------------------------------

UK_DATE_WIDGET = forms.DateInput(
    attrs={"class": "form-control", "placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
    format="%d/%m/%Y",
)


class AccessLogFilterForm(forms.Form):
    """Dates only: nothing typed here reaches the query except as a validated date."""

    since = forms.DateField(label="From", required=False, widget=UK_DATE_WIDGET)
    until = forms.DateField(label="To", required=False, widget=UK_DATE_WIDGET)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned


class SubjectAccessRequestForm(forms.ModelForm):
    class Meta:
        model = SubjectAccessRequest
        fields = [
            "requester",
            "received_on",
            "identity_verified_on",
            "is_complex",
            "extension_notified_on",
            "extension_reason",
            "status",
            "completed_on",
            "notes",
        ]
        widgets = {
            "received_on": UK_DATE_WIDGET,
            "identity_verified_on": UK_DATE_WIDGET,
            "extension_notified_on": UK_DATE_WIDGET,
            "completed_on": UK_DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("requester", css_class="col-md-6"), Column("status", css_class="col-md-6")),
            Row(
                Column("received_on", css_class="col-md-4"),
                Column("identity_verified_on", css_class="col-md-4"),
                Column("completed_on", css_class="col-md-4"),
            ),
            Fieldset(
                "Extension (complex requests only)",
                Row(
                    Column("is_complex", css_class="col-md-4"),
                    Column("extension_notified_on", css_class="col-md-4"),
                    Column("extension_reason", css_class="col-md-4"),
                ),
            ),
            Field("notes"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("extension_notified_on") and not cleaned.get("is_complex"):
            self.add_error("is_complex", "An extension is only for a complex request.")
        if cleaned.get("status") == "completed" and not cleaned.get("completed_on"):
            self.add_error("completed_on", "Give the date the copy was sent.")
        return cleaned
