"""The form that withdraws a draft session (treatment not given): why, and details."""

from django import forms

from treatments.choices import WithdrawReason
from treatments.services import withdraw_errors
from treatments.services.withdrawing import NOTE_MAX


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why was the treatment not given?",
        choices=WithdrawReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the treatment was not given."},
    )
    note = forms.CharField(
        label="Details (needed for “Other”)",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if "reason" in data:
            for field, message in withdraw_errors(data["reason"], data.get("note", "")).items():
                self.add_error(field, message)
        return data
