"""Forms for side effects: reception's phoned report, the clinical record and the
regulator decision."""

from crispy_forms.layout import HTML, Column, Field, Fieldset, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import FIELD, SubmissionTokenField
from clinic.inputs import RefusesStalePage, VersionField, check_date_in_range
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    Causality,
    RegulatorDecision,
    Reporter,
    SessionStatus,
    Severity,
    SideEffectAction,
    SideEffectOutcome,
)
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import SideEffectTerm, TreatmentSession
from treatments.services.side_effects import side_effect_phoned_errors, side_effect_record_errors

# The dates every page accepts (clinic.inputs): year 1 or 9999 is a mistyped year, and
# would overflow the date arithmetic of the pages that show the report (a 500).
REACTION_DATE_BOUNDS = [check_date_in_range]

SEVERITY_HELP = {
    Severity.MILD: "asymptomatic or mild symptoms; observation only",
    Severity.MODERATE: "minimal, local or non-invasive intervention; limits shopping, "
    "cooking, phone, money",
    Severity.SEVERE: "medically significant; hospital indicated; limits washing, dressing, eating",
    Severity.LIFE_THREATENING: "urgent intervention needed",
    Severity.DEATH: "",
}


class PhonedSideEffectForm(forms.Form):
    """Reception: a patient (or carer) phoned to report something after treatment. It goes
    to the practitioners' queue; reception does not read it back."""

    submission_token = SubmissionTokenField()

    description = forms.CharField(
        label="What did they report?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text='In their words, e.g. "left eyelid drooping since Tuesday".',
    )
    onset_date = forms.DateField(
        label="When did it start?", widget=date_input(), validators=REACTION_DATE_BOUNDS
    )
    reporter = forms.ChoiceField(
        label="Who phoned?",
        choices=[(Reporter.PATIENT, "The patient"), (Reporter.OTHER, "Someone else")],
        initial=Reporter.PATIENT,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(
        label="Caller's name and relationship (if not the patient)", max_length=120, required=False
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.helper = no_tag_helper(
            Field("description"),
            Row(
                Column("onset_date", css_class="col-md-4"), Column("reporter", css_class="col-md-4")
            ),
            Field("reporter_name"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reporter") == Reporter.OTHER and not cleaned.get("reporter_name"):
            self.add_error("reporter_name", "Say who phoned.")
        # The service's rules (it refuses with the same ones), in this same round; a field
        # already refused as typed keeps its own message.
        problems = side_effect_phoned_errors(
            patient=self.patient,
            description=cleaned.get("description"),
            onset_date=cleaned.get("onset_date"),
        )
        for name, messages in problems.items():
            if name not in self.errors:
                self.add_error(name, messages)
        return cleaned


class SideEffectForm(RefusesStalePage, forms.Form):
    """A practitioner records or completes a side effect: rule 38's fields, severity and
    seriousness asked separately, and the Yellow Card decision (rule 39), which may also
    be recorded later."""

    session = forms.ModelChoiceField(
        queryset=TreatmentSession.objects.none(),
        label="Suspected treatment",
        empty_label="Choose the session…",
    )
    term = forms.ModelChoiceField(
        queryset=SideEffectTerm.objects.none(), label="Reaction", empty_label="Choose…"
    )
    # The list's own "Other (describe)" term is the one "Other": this field is its description.
    term_other = forms.CharField(label="If “Other”: the reaction", max_length=200, required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Description"
    )
    onset_date = forms.DateField(
        label="Onset", widget=date_input(), validators=REACTION_DATE_BOUNDS
    )
    resolution_date = forms.DateField(
        label="Resolved on",
        widget=date_input(),
        validators=REACTION_DATE_BOUNDS,
        required=False,
        help_text="Needed once recovered (for Fatal: the date of death). Blank while it goes on.",
    )
    severity = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Severity (intensity)",
        choices=[
            (int(v), ": ".join(filter(None, (Severity(v).label, SEVERITY_HELP[v]))))
            for v in Severity.values
        ],
    )
    serious = forms.TypedChoiceField(
        label="Serious? (ICH E2A: the outcome, not the intensity)",
        coerce=lambda v: v == "yes",
        choices=[("no", "Not serious"), ("yes", "Serious: tick every criterion that applies")],
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(choices=[("", "Choose…"), *SideEffectOutcome.choices])
    causality = forms.ChoiceField(
        label="Causality (WHO-UMC)", choices=[("", "Choose…"), *Causality.choices]
    )
    action_taken = forms.ChoiceField(choices=[("", "Choose…"), *SideEffectAction.choices])
    treatment_given = forms.CharField(max_length=250, required=False)
    reporter = forms.ChoiceField(
        label="First reported by", choices=Reporter.choices, widget=forms.RadioSelect
    )
    reporter_name = forms.CharField(label="Reporter's name", max_length=120, required=False)
    regulator_decision = forms.ChoiceField(
        label="Yellow Card decision",
        choices=[
            ("", "Decide later"),
            (RegulatorDecision.REPORTED, "Reported to the MHRA Yellow Card scheme"),
            (RegulatorDecision.NOT_REPORTED, "Not reported"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    yellow_card_reference = forms.CharField(
        label="Yellow Card reference", max_length=40, required=False
    )
    not_reported_reason = forms.CharField(
        label="Reason for not reporting", max_length=300, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, patient, terms, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        if new:
            # A new report carries the one-time token: a double-click records it once.
            self.fields[FIELD] = SubmissionTokenField()
        else:
            # A review carries the report's version as the page showed it.
            self.fields["version"] = VersionField()
        for name, label in SERIOUSNESS_CRITERIA:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.fields["session"].queryset = (
            TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
            .select_related("product", "indication")
            .order_by("-performed_at", "-id")
        )
        self.fields["session"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.performed_at):%d/%m/%Y} · {s.indication.name} · "
            f"{s.product.brand}"
        )
        self.fields["term"].queryset = SideEffectTerm.objects.all()
        self.fields["term"].choices = [("", "Choose…")] + [(t.pk, t.name) for t in terms]
        self.helper = no_tag_helper(
            Fieldset(
                "The reaction",
                Row(
                    # The whole width on an iPad: a session reads "07/12/2026 · Upper limb
                    # spasticity, adult · BOTOX · 200 U", cut at half (practitioner review).
                    Column("session", css_class="col-lg-6"),
                    Column("term", css_class="col-md-6 col-lg-3"),
                    Column("term_other", css_class="col-md-6 col-lg-3"),
                ),
                Field("description"),
                Row(
                    Column("onset_date", css_class="col-md-3"),
                    Column("resolution_date", css_class="col-md-3"),
                    Column("outcome", css_class="col-md-3"),
                    Column("causality", css_class="col-md-3"),
                ),
            ),
            Fieldset("Severity and seriousness (recorded separately)", Field("severity")),
            Fieldset(
                "",
                Field("serious"),
                HTML('<div class="ms-4 seriousness-criteria">'),
                *[Field(name) for name, _ in SERIOUSNESS_CRITERIA],
                HTML("</div>"),
            ),
            Fieldset(
                "Action and reporter",
                Row(
                    Column("action_taken", css_class="col-md-4"),
                    Column("treatment_given", css_class="col-md-8"),
                ),
                Row(
                    Column("reporter", css_class="col-md-6"),
                    Column("reporter_name", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                "Yellow Card (MHRA)",
                Field("regulator_decision"),
                Row(
                    Column("yellow_card_reference", css_class="col-md-4"),
                    Column("not_reported_reason", css_class="col-md-8"),
                ),
            ),
            Field("version"),
        )

    def clean(self):
        cleaned = super().clean()
        ticked = [name for name, _ in SERIOUSNESS_CRITERIA if cleaned.get(name)]
        serious = cleaned.get("serious")
        if serious is True and not ticked:
            self.add_error("serious", "Tick the seriousness criteria that apply.")
        if serious is False and ticked:
            self.add_error("serious", "Criteria are ticked: choose Serious, or untick them.")
        # The record's own rules (the service's, which refuses with the same ones), in this
        # same round: every problem is shown at once, beside its field. A field already
        # refused as typed keeps its own message; a rule reading it would see it blank.
        problems = side_effect_record_errors(
            patient=self.patient, values=cleaned, decision=self._decision(cleaned)
        )
        for name, messages in problems.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, messages)
        return cleaned

    @staticmethod
    def _decision(cleaned: dict) -> dict:
        return {
            "decision": cleaned.get("regulator_decision"),
            "reference": cleaned.get("yellow_card_reference"),
            "reason": cleaned.get("not_reported_reason"),
        }

    def service_kwargs(self) -> dict:
        """The fields for treatments.services.side_effect_record / side_effect_review."""
        data = dict(self.cleaned_data)
        data["decision"] = self._decision(data)
        for name in (
            "serious",
            "version",
            FIELD,
            "regulator_decision",
            "yellow_card_reference",
            "not_reported_reason",
        ):
            data.pop(name, None)
        return data

    @classmethod
    def initial_from(cls, side_effect) -> dict:
        initial = {
            name: getattr(side_effect, name)
            for name in (
                "session",
                "term",
                "term_other",
                "description",
                "onset_date",
                "resolution_date",
                "severity",
                "outcome",
                "causality",
                "action_taken",
                "treatment_given",
                "reporter",
                "reporter_name",
                "regulator_decision",
                "yellow_card_reference",
                "not_reported_reason",
                "version",
            )
        }
        for name, _ in SERIOUSNESS_CRITERIA:
            initial[name] = getattr(side_effect, name)
        if side_effect.severity is not None:
            initial["serious"] = "yes" if side_effect.is_serious else "no"
        return initial


class SideEffectDecisionForm(RefusesStalePage, forms.Form):
    regulator_decision = forms.ChoiceField(
        label="Yellow Card decision",
        choices=[
            (RegulatorDecision.REPORTED, "Reported to the MHRA Yellow Card scheme"),
            (RegulatorDecision.NOT_REPORTED, "Not reported"),
        ],
        widget=forms.RadioSelect,
    )
    # "Yellow Card reference" took two lines in its narrow column on the side effect's
    # page (1366 px), and its box sat below the reason's; the card names the scheme.
    yellow_card_reference = forms.CharField(label="Reference", max_length=40, required=False)
    not_reported_reason = forms.CharField(
        label="Reason for not reporting", max_length=300, required=False
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = no_tag_helper(
            Field("regulator_decision"),
            Row(
                Column("yellow_card_reference", css_class="col-md-4"),
                Column("not_reported_reason", css_class="col-md-8"),
            ),
            Field("version"),
        )
