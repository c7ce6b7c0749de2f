"""The medical questionnaire, its prior toxin treatments and a practitioner's review."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.form_rendering import writes_field_template
from clinic.idempotency import SubmissionTokenField
from clinic.inputs import check_clinical_date
from patients.choices import YesNoNotApplicable
from patients.forms.records import date_input
from patients.models import IntakeQuestionnaire, PriorTreatment

YES_NO = [(True, "Yes"), (False, "No")]
YES_NO_FIELD = "patients/includes/yes_no_field.html"


@writes_field_template(YES_NO_FIELD)
def yes_no_field(bound) -> str:
    """A screening question as its template writes it (the question, its errors, the
    answers in a row), written in Python for `render_layout`: half of the questionnaire
    page's time was crispy rendering this template, once per question. The template stays
    the layout's declaration; tests/clinic/test_form_rendering.py compares the two."""
    errors = format_html_join(
        "",
        '<div class="invalid-feedback d-block"><strong>{}</strong></div>',
        ((e,) for e in bound.errors),
    )
    answers = format_html_join(
        "",
        '<div class="form-check form-check-inline">{}'
        '<label class="form-check-label" for="{}">{}</label></div>',
        ((choice.tag(), choice.id_for_label, choice.choice_label) for choice in bound),
    )
    return format_html(
        '<div class="screening-question row py-2 border-bottom{}" id="div_{}">'
        '<div class="col-md-8"><span class="question-label" id="label_{}">{}</span>{}</div>'
        '<div class="col-md-4" role="radiogroup" aria-labelledby="label_{}">{}</div></div>',
        " has-error" if bound.errors else "",
        bound.auto_id,
        bound.auto_id,
        bound.label,
        errors,
        bound.auto_id,
        answers,
    )


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
            "completed_on": date_input(),
            "allergy_details": forms.Textarea(attrs={"rows": 2}),
            "current_medications": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"completed_on": "Date answered"}

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self._born = patient.date_of_birth
        for name, model_field in ((f.name, f) for f in IntakeQuestionnaire._meta.fields):
            if name not in self.fields:
                continue
            if model_field.get_internal_type() == "BooleanField":
                self.fields[name] = forms.TypedChoiceField(
                    label=model_field.verbose_name[:1].upper() + model_field.verbose_name[1:],
                    choices=YES_NO,
                    coerce=_coerce_bool,
                    # Bootstrap's box (form-check-input), sized for a finger (app.css).
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    required=True,
                    error_messages={"required": "Please answer yes or no."},
                )
            elif model_field.choices and name != "completed_on":
                self.fields[name].widget = forms.RadioSelect(
                    choices=YesNoNotApplicable.choices, attrs={"class": "form-check-input"}
                )
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
        radios = [Field(name, template=YES_NO_FIELD) for name in radio_names]
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
        return check_clinical_date(
            self.cleaned_data["completed_on"], what="The date answered", born=self._born
        )

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
        widgets = {"treated_on": date_input()}

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self._born = patient.date_of_birth
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
        if value is None:
            return value
        return check_clinical_date(value, what="The date treated", born=self._born)

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
    # No more forms built than may be sent: Django's default (max_num + 1,000) built and
    # re-showed 1,010 for a forged TOTAL_FORMS, 2.5 s of a worker's CPU a request.
    absolute_max=10,
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
