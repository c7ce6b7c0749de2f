"""Forms for follow-up tasks: create one, mark it done, reopen one."""

from datetime import timedelta

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from clinic.inputs import AsShownField, RefusesStalePage
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

    def clean_due_on(self):
        """A year back at most (a task noted late) and two years ahead: a date outside is
        a mistyped year, not a plan."""
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        earliest, latest = today - timedelta(days=365), today + timedelta(days=2 * 365)
        if not earliest <= due_on <= latest:
            raise forms.ValidationError(
                f"Check the year: a task is due between {earliest:%d/%m/%Y} and {latest:%d/%m/%Y}."
            )
        return due_on


class CompleteTaskForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)


class ReopenTaskForm(RefusesStalePage, forms.Form):
    """The completion the page showed (its time, ISO): reopening undoes that one only."""

    shown_done_at = AsShownField(max_length=40)
