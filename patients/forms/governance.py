"""Record governance (issue 6): the access log's dates and a subject access request."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from clinic.inputs import RefusesStalePage, VersionField
from patients.models import SubjectAccessRequest

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


# A request's dates are all of things that have happened. None is before the Data
# Protection Act 1998 gave patients the right of access (in force 1 March 2000): an
# earlier year is a typing slip, as is a date after today (20/12/9999 once broke the
# deadline's arithmetic).
SAR_EARLIEST_DATE = date(2000, 1, 1)
SAR_DATE_NAMES = {
    "received_on": "The date received",
    "identity_verified_on": "The date identity was verified",
    "extension_notified_on": "The date the patient was told of the extension",
    "completed_on": "The date the copy was sent",
}


class SubjectAccessRequestForm(forms.ModelForm):
    class Meta:
        model = SubjectAccessRequest
        fields = SubjectAccessRequest.EDITABLE_FIELDS
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
        # Hidden fields outside the layout still render (the one-time submission token).
        self.helper.render_hidden_fields = True
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

    def _clean_past_date(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        if value > timezone.localdate():
            raise forms.ValidationError(
                f"{SAR_DATE_NAMES[name]} cannot be in the future. Please check the date."
            )
        if value < SAR_EARLIEST_DATE:
            raise forms.ValidationError(
                f"Please check the year: {SAR_DATE_NAMES[name].lower()} cannot be before "
                f"{SAR_EARLIEST_DATE:%Y}."
            )
        return value

    def clean_received_on(self):
        return self._clean_past_date("received_on")

    def clean_identity_verified_on(self):
        return self._clean_past_date("identity_verified_on")

    def clean_extension_notified_on(self):
        return self._clean_past_date("extension_notified_on")

    def clean_completed_on(self):
        return self._clean_past_date("completed_on")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("extension_notified_on") and not cleaned.get("is_complex"):
            self.add_error("is_complex", "An extension is only for a complex request.")
        if cleaned.get("status") == "completed" and not cleaned.get("completed_on"):
            self.add_error("completed_on", "Give the date the copy was sent.")
        return cleaned


class NewSubjectAccessRequestForm(SubjectAccessRequestForm):
    submission_token = SubmissionTokenField()


class EditSubjectAccessRequestForm(RefusesStalePage, SubjectAccessRequestForm):
    """The request's version when the page was opened: a save over someone else's newer
    one is refused (patients.services.subject_access_request_update)."""

    version = VersionField()
