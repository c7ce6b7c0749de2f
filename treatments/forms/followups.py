"""Forms for follow-up tasks: create one, mark it done."""

from crispy_forms.layout import Column, Row
from django import forms

from clinic.idempotency import SubmissionTokenField
from treatments.choices import FollowUpKind
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import FollowUp


class FollowUpForm(forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = FollowUp
        fields = ["kind", "title", "due_on"]
        widgets = {"due_on": date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = FollowUpKind.REVIEW_CALL
        self.helper = no_tag_helper(
            Row(
                Column("kind", css_class="col-md-3"),
                Column("title", css_class="col-md-6"),
                Column("due_on", css_class="col-md-3"),
            )
        )


class CompleteTaskForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)
