"""The outcome assessment form: one score against an instrument for an indication."""

from crispy_forms.layout import Column, Field, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from clinic.inputs import check_clinical_date
from treatments.choices import SessionStatus
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import AnatomicalSite, Indication, OutcomeInstrument, TreatmentSession


class OutcomeAssessmentForm(forms.Form):
    """One score. The measure list is grouped by indication; clean() keeps the pair
    consistent and the service enforces the instrument's range and the date."""

    submission_token = SubmissionTokenField()

    indication = forms.ModelChoiceField(queryset=Indication.objects.none(), empty_label="Choose…")
    instrument = forms.TypedChoiceField(
        label="Measure", coerce=int, help_text="Grouped by indication"
    )
    value = forms.DecimalField(max_digits=8, decimal_places=2)
    assessed_on = forms.DateField(label="Date assessed", widget=date_input())
    session = forms.ModelChoiceField(
        queryset=TreatmentSession.objects.none(),
        required=False,
        label="Treatment session",
        empty_label="Not linked to a session",
    )
    muscle = forms.ModelChoiceField(
        queryset=AnatomicalSite.objects.order_by("name"),
        required=False,
        empty_label="Not per muscle",
        help_text="For per-muscle measures such as the Modified Ashworth Scale",
    )
    is_baseline = forms.BooleanField(
        label="Baseline (before the first treatment cycle)", required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self._born = patient.date_of_birth
        indications = list(
            Indication.objects.filter(outcome_instruments__isnull=False)
            .distinct()
            .prefetch_related("outcome_instruments")
            .order_by("name")
        )
        self.fields["indication"].queryset = Indication.objects.filter(
            pk__in=[i.pk for i in indications]
        ).order_by("name")
        self._instruments = {
            inst.pk: inst for i in indications for inst in i.outcome_instruments.all()
        }
        self._allowed = {
            i.pk: {inst.pk for inst in i.outcome_instruments.all()} for i in indications
        }
        sessions = (
            TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
            .select_related("product", "indication")
            .order_by("-performed_at", "-id")
        )
        self.fields["session"].queryset = sessions
        # The patient's own indications first (those of their signed sessions), and each
        # instrument once, under the first indication that measures it.
        own = {s.indication_id for s in sessions}
        indications.sort(key=lambda i: (i.pk not in own, i.name))
        listed: set[int] = set()
        groups = []
        for indication in indications:
            options = [
                (inst.pk, _instrument_label(inst))
                for inst in indication.outcome_instruments.all()
                if inst.pk not in listed
            ]
            listed.update(pk for pk, _ in options)
            if options:
                label = indication.name + (" (this patient)" if indication.pk in own else "")
                groups.append((label, options))
        self.fields["instrument"].choices = [("", "Choose…"), *groups]
        self.fields["assessed_on"].initial = timezone.localdate()
        # A patient treated for one indication measured here: it is chosen for them
        # (practitioner review 07/12/2026). The session is left to choose: a baseline or a
        # score between cycles belongs to none, and a wrong link would not be noticed.
        measured_own = [i for i in indications if i.pk in own]
        if len(measured_own) == 1:
            self.fields["indication"].initial = measured_own[0].pk
        self.helper = no_tag_helper(
            Row(
                Column("indication", css_class="col-md-4"),
                Column("instrument", css_class="col-md-5"),
                Column("value", css_class="col-md-3"),
            ),
            Row(
                Column("assessed_on", css_class="col-md-3"),
                Column("session", css_class="col-md-5"),
                Column("muscle", css_class="col-md-4"),
            ),
            Field("is_baseline"),
            Field("notes"),
        )

    def clean_assessed_on(self):
        return check_clinical_date(
            self.cleaned_data["assessed_on"], what="The assessment date", born=self._born
        )

    def clean(self):
        cleaned = super().clean()
        indication, instrument_id = cleaned.get("indication"), cleaned.get("instrument")
        if indication is not None and instrument_id is not None:
            if instrument_id not in self._allowed.get(indication.pk, set()):
                self.add_error("instrument", f"Not an outcome measure for {indication.name}.")
            else:
                cleaned["instrument"] = self._instruments[instrument_id]
        return cleaned


def _instrument_label(instrument: OutcomeInstrument) -> str:
    low, high = instrument.min_value, instrument.max_value
    if low is None and high is None:
        return instrument.name
    bounds = " to ".join(f"{b.normalize():f}" if b is not None else "…" for b in (low, high))
    return f"{instrument.name} ({bounds})"
