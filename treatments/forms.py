"""Forms for vials, sessions (with their injection points), addenda, follow-ups and
outcome assessments.
Input checks only; the safety rules are the engine's, enforced by treatments.services."""

from datetime import timedelta
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    Causality,
    FollowUpKind,
    RegulatorDecision,
    Reporter,
    SafetyProfile,
    SessionStatus,
    Severity,
    Side,
    SideEffectAction,
    SideEffectOutcome,
)
from treatments.models import (
    AnatomicalSite,
    FollowUp,
    Indication,
    OutcomeInstrument,
    Product,
    SideEffectTerm,
    TreatmentSession,
    Vial,
)


def _date_input():
    return forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
    )


def _no_tag_helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    # Hidden fields outside the layout still render (the one-time submission token).
    helper.render_hidden_fields = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


class VialReceiveForm(forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = Vial
        fields = ["product", "presentation_units", "lot", "expiry", "received_on"]
        widgets = {"expiry": _date_input(), "received_on": _date_input()}
        labels = {"presentation_units": "Vial size (units)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(on_formulary=True).order_by(
            "brand"
        )
        self.fields["product"].empty_label = "Choose…"
        self.fields["received_on"].initial = timezone.localdate()
        self.helper = _no_tag_helper(
            Row(
                Column("product", css_class="col-md-4"),
                Column("presentation_units", css_class="col-md-2"),
                Column("lot", css_class="col-md-2"),
                Column("expiry", css_class="col-md-2"),
                Column("received_on", css_class="col-md-2"),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        product, size = cleaned.get("product"), cleaned.get("presentation_units")
        if product and size and product.presentations and size not in product.presentations:
            sizes = ", ".join(str(p) for p in product.presentations)
            self.add_error("presentation_units", f"{product} comes in {sizes} U vials.")
        expiry = cleaned.get("expiry")
        if expiry and expiry < timezone.localdate():
            self.add_error(
                "expiry", "This vial is already past its expiry date: do not receive it into stock."
            )
        return cleaned

    def _post_clean(self):
        # Model constraints (expiry after receipt) are checked by the service's full_clean;
        # ModelForm validation needs received_by, which the service sets.
        pass


class ReconstituteForm(forms.Form):
    diluent_ml = forms.DecimalField(
        label="0.9% saline added (mL)",
        min_value=Decimal("0.1"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text="e.g. 2 mL in a 100 U BOTOX vial gives 5 U per 0.1 mL",
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="e.g. end of session, past use-by, dropped, cold-chain excursion"
    )
    wasted_units = forms.DecimalField(
        min_value=0, decimal_places=2, max_digits=8, label="Units wasted"
    )


class SessionStartForm(forms.Form):
    submission_token = SubmissionTokenField()
    indication = forms.ModelChoiceField(
        queryset=Indication.objects.order_by("category", "name"), empty_label="Choose…"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(on_formulary=True, uk_licensed=True).order_by("brand"),
        empty_label="Choose…",
        help_text="Formulary products only (UK-licensed).",
    )


class SessionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = TreatmentSession
        fields = [
            "vial", "second_vial", "performed_at", "weight_kg", "weight_measured_on", "pvr_ml",
            "performs_cic", "antiplatelet_stopped_days", "antibiotic_prophylaxis",
            "screening_reviewed", "consent_taken", "off_label_consent", "spread_advice_given",
            "top_up_reason", "notes",
        ]  # fmt: skip
        widgets = {
            "performed_at": forms.DateTimeInput(
                format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}
            ),
            "weight_measured_on": _date_input(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "weight_kg": "Weight (kg)",
            "weight_measured_on": "Weight measured on",
            "top_up_reason": "Reason for a top-up within 2 weeks",
        }

    def __init__(self, *args, usable_vials=(), off_label=False, child=False, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.instance
        offered = [v.pk for v in usable_vials] + [
            pk for pk in (session.vial_id, session.second_vial_id) if pk
        ]
        for name, empty in (
            ("vial", "Choose a reconstituted vial…"),
            ("second_vial", "None: one vial is enough"),
        ):
            field = self.fields[name]
            field.queryset = Vial.objects.filter(pk__in=offered).select_related("product")
            field.empty_label = empty
            field.widget = VialSelect(choices=field.choices)
            field.label_from_instance = vial_label
            field.error_messages["invalid_choice"] = (
                "That vial can no longer be used here (expired, past its use-by, discarded, "
                "or used for another session). Choose another."
            )
        self.fields["second_vial"].label = "Second vial (when the dose needs more than one)"
        bladder = session.indication.safety_profile == SafetyProfile.BLADDER
        bladder_fields = (
            "pvr_ml",
            "performs_cic",
            "antiplatelet_stopped_days",
            "antibiotic_prophylaxis",
        )
        if not bladder:
            for name in bladder_fields:
                del self.fields[name]
        confirmations = ["screening_reviewed", "consent_taken", "spread_advice_given"]
        if off_label:
            self.fields[
                "off_label_consent"
            ].label = "Off-label use explained to the patient and consented (rule 32)"
            confirmations.append("off_label_consent")
        else:
            del self.fields["off_label_consent"]
        weight = []
        if child or session.weight_kg:
            # Paediatric limits are per kg (DOMAIN §10 rules 9-11, 17).
            weight = [
                Row(
                    Column("weight_kg", css_class="col-md-3"),
                    Column("weight_measured_on", css_class="col-md-3"),
                )
            ]
        else:
            del self.fields["weight_kg"]
            del self.fields["weight_measured_on"]
        self.helper = _no_tag_helper(
            Row(Column("vial", css_class="col-md-7"), Column("performed_at", css_class="col-md-5")),
            Row(Column("second_vial", css_class="col-md-7")),
            *weight,
            *(
                [
                    Fieldset(
                        "Bladder",
                        Row(
                            Column("pvr_ml", css_class="col-md-3"),
                            Column("antiplatelet_stopped_days", css_class="col-md-3"),
                        ),
                        "performs_cic",
                        "antibiotic_prophylaxis",
                    )
                ]
                if bladder
                else []
            ),
            Fieldset("Confirmations", *confirmations),
            Field("top_up_reason"),
            Field("notes"),
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("vial"), cleaned.get("second_vial")
        if second and not first:
            self.add_error("vial", "Choose the first vial before a second one.")
        elif second and second == first:
            self.add_error("second_vial", "The second vial must be a different vial.")
        return cleaned

    def clean_performed_at(self):
        value = self.cleaned_data["performed_at"]
        if value > timezone.now() + timedelta(hours=1):
            raise forms.ValidationError("A session cannot be recorded in the future.")
        return value

    def clean_weight_kg(self):
        value = self.cleaned_data.get("weight_kg")
        if value is not None and not Decimal("1") <= value <= Decimal("400"):
            raise forms.ValidationError("Enter the weight in kilograms (1 to 400).")
        return value


def vial_label(vial: Vial) -> str:
    label = f"{vial.presentation_units} U · lot {vial.lot} · exp {vial.expiry:%d/%m/%Y}"
    if vial.use_by:
        use_by = timezone.localtime(vial.use_by)
        label += f" · {vial.units_per_0_1_ml} U/0.1 mL · use by {use_by:%d/%m %H:%M}"
    return label


class VialSelect(forms.Select):
    """Each option carries its vial's units per mL, so the page converts volume to units
    with the dilution of the vial actually selected."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        vial = getattr(value, "instance", None)
        if vial is not None and vial.units_per_ml:
            option["attrs"]["data-units-per-ml"] = str(vial.units_per_ml)
        return option


class PointForm(forms.Form):
    """One injection point row. The site list is loaded once per formset (not per row)."""

    site = forms.TypedChoiceField(label="Site / muscle", empty_value=None)
    side = forms.ChoiceField(choices=Side.choices)
    units = forms.DecimalField(min_value=Decimal("0.01"), max_digits=7, decimal_places=2)
    volume_ml = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_digits=6,
        decimal_places=3,
        required=False,
        label="Volume (mL)",
    )
    points = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Points")

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        sites = sites if sites is not None else SiteChoices.load()
        self.fields["site"].choices = sites.choices
        self.fields["site"].coerce = sites.get
        if isinstance(self.initial.get("site"), AnatomicalSite):
            self.initial["site"] = self.initial["site"].pk
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"
            field.widget.attrs["data-point-field"] = name
            field.widget.attrs["aria-label"] = str(field.label or name)


class SiteChoices:
    """Anatomical sites as select options, grouped by region, from one query."""

    def __init__(self, sites):
        self.by_pk = {site.pk: site for site in sites}
        groups: dict[str, list] = {}
        for site in sites:
            groups.setdefault(site.get_region_display(), []).append((site.pk, site.name))
        self.choices = [("", "Site…"), *groups.items()]

    @classmethod
    def load(cls) -> "SiteChoices":
        return cls(list(AnatomicalSite.objects.order_by("region", "name")))

    def get(self, value):
        try:
            return self.by_pk[int(value)]
        except (KeyError, TypeError, ValueError) as exc:
            raise forms.ValidationError("Choose a site from the list.") from exc


class BasePointFormSet(forms.BaseFormSet):
    def __init__(self, *args, sites=None, **kwargs):
        self.sites = sites if sites is not None else SiteChoices.load()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"sites": self.sites}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            sites=self.sites,
        )
        self.add_fields(form, None)
        return form


PointFormSet = forms.formset_factory(
    PointForm,
    formset=BasePointFormSet,
    extra=0,
    can_delete=True,
    max_num=80,
    validate_max=True,
)


class AddendumForm(forms.Form):
    reason = forms.CharField(max_length=250, help_text="e.g. wrong side recorded for point 3")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Correction")


class FollowUpForm(forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = FollowUp
        fields = ["kind", "title", "due_on"]
        widgets = {"due_on": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = FollowUpKind.REVIEW_CALL
        self.helper = _no_tag_helper(
            Row(
                Column("kind", css_class="col-md-3"),
                Column("title", css_class="col-md-6"),
                Column("due_on", css_class="col-md-3"),
            )
        )


class CompleteTaskForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)


class OutcomeAssessmentForm(forms.Form):
    """One score. The measure list is grouped by indication; clean() keeps the pair
    consistent and the service enforces the instrument's range and the date."""

    indication = forms.ModelChoiceField(queryset=Indication.objects.none(), empty_label="Choose…")
    instrument = forms.TypedChoiceField(
        label="Measure", coerce=int, help_text="Grouped by indication"
    )
    value = forms.DecimalField(max_digits=8, decimal_places=2)
    assessed_on = forms.DateField(label="Date assessed", widget=_date_input())
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
        self.fields["instrument"].choices = [("", "Choose…")] + [
            (i.name, [(inst.pk, _instrument_label(inst)) for inst in i.outcome_instruments.all()])
            for i in indications
        ]
        self.fields["session"].queryset = (
            TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
            .select_related("product", "indication")
            .order_by("-performed_at", "-id")
        )
        self.fields["assessed_on"].initial = timezone.localdate()
        self.helper = _no_tag_helper(
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


# Side effects ---------------------------------------------------------------------------

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
    onset_date = forms.DateField(label="When did it start?", widget=_date_input())
    reporter = forms.ChoiceField(
        label="Who phoned?",
        choices=[(Reporter.PATIENT, "The patient"), (Reporter.OTHER, "Someone else")],
        initial=Reporter.PATIENT,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(
        label="Caller's name and relationship (if not the patient)", max_length=120, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_tag_helper(
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
        return cleaned


class SideEffectForm(forms.Form):
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
    term_other = forms.CharField(label="Other reaction (describe)", max_length=200, required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Description"
    )
    onset_date = forms.DateField(label="Onset", widget=_date_input())
    resolution_date = forms.DateField(
        label="Resolved on", widget=_date_input(), required=False, help_text="Blank if continuing"
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

    def __init__(self, *args, patient, terms, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.helper = _no_tag_helper(
            Fieldset(
                "The reaction",
                Row(
                    Column("session", css_class="col-md-6"),
                    Column("term", css_class="col-md-3"),
                    Column("term_other", css_class="col-md-3"),
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
        return cleaned

    def service_kwargs(self) -> dict:
        """The fields for treatments.services.side_effect_record / side_effect_review."""
        data = dict(self.cleaned_data)
        data.pop("serious")
        data.pop("version", None)
        decision = {
            "decision": data.pop("regulator_decision"),
            "reference": data.pop("yellow_card_reference"),
            "reason": data.pop("not_reported_reason"),
        }
        data["decision"] = decision
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


class SideEffectDecisionForm(forms.Form):
    regulator_decision = forms.ChoiceField(
        label="Yellow Card decision",
        choices=[
            (RegulatorDecision.REPORTED, "Reported to the MHRA Yellow Card scheme"),
            (RegulatorDecision.NOT_REPORTED, "Not reported"),
        ],
        widget=forms.RadioSelect,
    )
    yellow_card_reference = forms.CharField(
        label="Yellow Card reference", max_length=40, required=False
    )
    not_reported_reason = forms.CharField(
        label="Reason for not reporting", max_length=300, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_tag_helper(
            Field("regulator_decision"),
            Row(
                Column("yellow_card_reference", css_class="col-md-4"),
                Column("not_reported_reason", css_class="col-md-8"),
            ),
            Field("version"),
        )
