"""The form for a prescriber's face-to-face assessment (DOMAIN §10 rule 34)."""

from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth import get_user_model

from clinic.idempotency import SubmissionTokenField
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import PrescriberAssessment


class PrescriberAssessmentForm(forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = PrescriberAssessment
        fields = ["prescriber", "assessed_on", "notes"]
        widgets = {"assessed_on": date_input()}
        labels = {"prescriber": "Prescriber who saw the patient"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Prescribers are the active staff who may sign sessions.
        prescriber = self.fields["prescriber"]
        prescriber.queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__permissions__codename="sign_treatmentsession")
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        prescriber.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.helper = no_tag_helper(
            Row(
                Column("prescriber", css_class="col-md-5"),
                Column("assessed_on", css_class="col-md-3"),
            ),
            "notes",
        )
