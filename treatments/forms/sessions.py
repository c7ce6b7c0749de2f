"""Forms for sessions: start one, the session form with its vial choice and injection
points, and an addendum to a signed session.
Input checks only; the safety rules are the engine's, enforced by treatments.services."""

from datetime import timedelta
from decimal import Decimal

from crispy_forms.layout import Column, Field, Fieldset, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from treatments.choices import SafetyProfile, Side
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import AnatomicalSite, Indication, Product, TreatmentSession, Vial


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
            "weight_measured_on": date_input(),
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
        self.helper = no_tag_helper(
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
