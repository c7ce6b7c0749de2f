"""Forms for sessions: start one, the session form with its vial choice, and an addendum
to a signed session (the injection point rows: treatments.forms.points).
Input checks only; the safety rules are the engine's, enforced by treatments.services."""

from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from crispy_forms.layout import Column, Field, Fieldset, Row
from django import forms
from django.utils import timezone

from clinic.form_fields import CheaplyCopiedFields
from clinic.idempotency import SubmissionTokenField
from clinic.inputs import ClockTimeField, RefusesStalePage, VersionField, record_id
from clinic.staff.selectors import registered_doctors
from treatments.choices import IndicationCategory, SafetyProfile
from treatments.forms.other_drafts import AcknowledgesOpenDrafts
from treatments.forms.rendering import (
    date_input,
    no_tag_helper,
)
from treatments.models import (
    Indication,
    Product,
    TreatmentSession,
    Vial,
)
from treatments.selectors.vials import vial_refusal

# No botulinum toxin treatment was licensed before 1989: an earlier date is a typing slip
# (and a year such as 0001 would overflow the date arithmetic of the safety look-backs).
EARLIEST_SESSION_DAY = date(1989, 1, 1)


def choice_pk(value) -> int | None:
    """The primary key a submitted choice names (an object, or its pk as sent), or None
    when it names none: how a known choice is looked up, and which vials a submission
    names (SessionForm.vials_named). A pk as sent is read as every id a page sends back
    is (clinic.inputs.record_id: ASCII digits that fit an id column)."""
    value = getattr(value, "pk", value)
    if isinstance(value, int):
        return value
    return record_id(value) if isinstance(value, str) else None


class _FromKnown:
    """A model choice checked against the objects the view has already read (`known`, by
    pk: the usable, linked and current vials; the top-up candidates; the reference
    snapshot's indications and products) instead of one more query per submission, with
    the same errors. Without `known`, the queryset's check."""

    known: dict | None = None
    # Why a choice not among `known` is refused, where more can be said than the field's
    # invalid_choice (`refusal(pk)`: a message, or None for that one).
    refusal = None

    def _lookup(self, value):
        found = self.known.get(choice_pk(value))
        if found is None:
            why = self.refusal(choice_pk(value)) if self.refusal else None
            raise forms.ValidationError(
                why or self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class KnownChoiceField(_FromKnown, forms.ModelChoiceField):
    def to_python(self, value):
        if self.known is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        return self._lookup(value)


def _use_order(vial: Vial) -> tuple:
    """The further-vials queryset's order (use_by, expiry, id), a vial with no use-by last
    as PostgreSQL sorts it."""
    return (vial.use_by is None, vial.use_by or 0, vial.expiry, vial.pk)


class KnownMultipleChoiceField(_FromKnown, forms.ModelMultipleChoiceField):
    def clean(self, value):
        # Nothing ticked: an empty list, not Django's `queryset.none()`, whose first truth
        # test compiles the whole select_related query only to find it empty (~3 ms of
        # every session editor POST).
        if self.known is not None and not self.required and not value:
            return []
        return super().clean(value)

    def _check_values(self, value):
        if self.known is None:
            return super()._check_values(value)
        try:
            value = frozenset(value)
        except TypeError:
            raise forms.ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for pk in value:
            self.validate_no_null_characters(pk)
        return sorted((self._lookup(pk) for pk in value), key=_use_order)


class SessionStartForm(AcknowledgesOpenDrafts):
    """Indication and product; the box to start beside the patient's unsigned sessions."""

    submission_token = SubmissionTokenField()
    indication = KnownChoiceField(
        queryset=Indication.objects.order_by("category", "name"), empty_label="Choose…"
    )
    product = KnownChoiceField(
        queryset=Product.objects.filter(on_formulary=True, uk_licensed=True).order_by("brand"),
        empty_label="Choose…",
        help_text="Formulary products only (UK-licensed).",
    )

    def __init__(self, *args, snapshot=None, **kwargs):
        """`snapshot`: the request's reference data (selectors.reference_snapshot); a
        submitted indication and product are then checked against it, without a query."""
        super().__init__(*args, **kwargs)
        if snapshot is not None:
            self.fields["indication"].known = snapshot.indications
            self.fields["product"].known = {
                pk: p for pk, p in snapshot.products.items() if p.on_formulary and p.uk_licensed
            }


class FurtherVialsSelect(forms.CheckboxSelectMultiple):
    """The further vials' tick boxes, each naming its vial (data-further-vial). The one
    chosen as the first vial is left out: disabled and marked data-first-vial, which
    app.css hides and session_editor.js moves when another first vial is chosen."""

    first_vial = ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = str(getattr(value, "value", value))
        option["attrs"]["data-further-vial"] = pk
        if pk and pk == self.first_vial:
            option["attrs"].pop("checked", None)
            option["attrs"]["disabled"] = True
            option["attrs"]["data-first-vial"] = True
        return option


# The bladder's fields (DOMAIN §10 rule 26), shown for intradetrusor sessions only.
BLADDER_FIELDS = ("pvr_ml", "performs_cic", "antiplatelet_stopped_days", "antibiotic_prophylaxis")

FURTHER_VIALS_HELP = (
    "The vial drawn from first; tick further vials below when the dose needs more than one."
)
ONE_VIAL_HELP = "The vial the dose is drawn from (the only one in stock that can be used)."


class SessionForm(RefusesStalePage, forms.ModelForm):
    version = VersionField()

    @staticmethod
    def vials_named(data) -> set[int]:
        """The vials a submission names as its first and further vials, by pk: those its
        `usable_vials` must hold for the choice to be checked (no more need be read)."""
        values = [data.get("vial"), *data.getlist("further_vials")]
        return {pk for pk in map(choice_pk, values) if pk is not None}

    class Meta:
        model = TreatmentSession
        fields = [
            "vial", "performed_at", "weight_kg", "weight_measured_on", "pvr_ml",
            "performs_cic", "antiplatelet_stopped_days", "antibiotic_prophylaxis",
            "screening_reviewed", "consent_taken", "off_label_consent", "spread_advice_given",
            "looks_young", "age_evidence_seen", "top_up_of", "top_up_reason",
            "directing_doctor", "notes",
        ]  # fmt: skip
        widgets = {
            "performed_at": forms.DateTimeInput(
                format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}
            ),
            "weight_measured_on": date_input(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {
            "vial": KnownChoiceField,
            "top_up_of": KnownChoiceField,
            "performed_at": ClockTimeField,  # 01:30 the night the clocks go back
        }
        # The model's help text is for developers ("SessionVial rows"); staff read this.
        help_texts = {
            "vial": FURTHER_VIALS_HELP,
        }
        labels = {
            "weight_kg": "Weight (kg)",
            "weight_measured_on": "Weight measured on",
            "top_up_reason": "Reason for the top-up",
            "top_up_of": "Top-up of",
            "looks_young": "The patient looks young: age verified with ID (rule 29)",
            "age_evidence_seen": "ID seen (e.g. passport, photocard driving licence)",
        }

    further_vials = KnownMultipleChoiceField(
        queryset=Vial.objects.none(),
        required=False,
        widget=FurtherVialsSelect,
        label="Further vials (when the dose needs more than one)",
        help_text="Ticked vials are drawn from in turn after the first; a vial the dose "
        "no longer needs is dropped when the draft is saved.",
    )

    def __init__(
        self,
        *args,
        usable_vials=(),
        linked_vials=(),
        top_up_candidates=(),
        off_label=False,
        child=False,
        shown=True,
        **kwargs,
    ):
        session = kwargs["instance"]
        # What this session's form shows. The rest is left out before Django copies the
        # declared fields for this form (no longer copied, then deleted: 12 of the 20 for
        # an adult's PREEMPT), and the plain ones are copied cheaply (clinic.form_fields).
        shows_top_up = bool(top_up_candidates or session.top_up_of_id)
        cosmetic = session.indication.category == IndicationCategory.COSMETIC
        bladder = session.indication.safety_profile == SafetyProfile.BLADDER
        directed = bool(child or session.directing_doctor_id)
        weighed = bool(child or session.weight_kg)
        left_out = {
            *(() if shows_top_up else ("top_up_of", "top_up_reason")),
            *(() if cosmetic else ("looks_young", "age_evidence_seen")),
            *(() if bladder else BLADDER_FIELDS),
            *(() if off_label else ("off_label_consent",)),
            *(() if directed else ("directing_doctor",)),
            *(() if weighed else ("weight_kg", "weight_measured_on")),
        }
        self.base_fields = CheaplyCopiedFields(
            (name, field) for name, field in type(self).base_fields.items() if name not in left_out
        )
        super().__init__(*args, **kwargs)
        known = {v.pk: v for v in (*usable_vials, *linked_vials)}
        if session.vial_id:
            known.setdefault(session.vial_id, session.vial)
        first = self.fields["vial"]
        further = self.fields["further_vials"]
        # `shown` False: a submission's form, only validated, never drawn (the editor builds
        # the page again when it is shown: views.sessions.Use). Its choices are checked
        # against `known`, so the choice lists' querysets and the page's layout (below) are
        # not built: about 0.3 ms of each Save draft and Sign.
        if shown:
            vials = Vial.objects.filter(pk__in=list(known)).select_related("product")
            first.queryset = vials
            first.empty_label = "Choose a reconstituted vial…"
            first.widget = VialSelect(choices=first.choices)
            further.queryset = vials.order_by("use_by", "expiry", "id")
        first.known = further.known = known  # a submission is checked without a query
        further.label_from_instance = vial_label
        first.label_from_instance = partial(vial_label, named=False)
        # The first vial is not offered again as a further one: the one submitted, or the
        # draft's own (no query; not self["vial"], whose bound field would keep the help
        # text as it is now, before the one-vial help below replaces it).
        chosen = (
            first.widget.value_from_datadict(self.data, self.files, self.add_prefix("vial"))
            if self.is_bound
            else self.initial.get("vial")
        )
        further.widget.first_vial = str(getattr(chosen, "pk", chosen) or "")
        if not self.is_bound:
            self.initial.setdefault("further_vials", [v.pk for v in linked_vials])
        for field in (first, further):
            field.error_messages["invalid_choice"] = (
                "That vial can no longer be used here (expired, past its use-by, discarded, "
                "or used for another session). Choose another."
            )
            # The vial read to say which (another product's, say: browser review,
            # 07/12/2026), on a refusal only.
            field.refusal = partial(vial_refusal, product=session.product, patient=session.patient)
        further.error_messages["invalid_pk_value"] = further.error_messages["invalid_choice"]
        # Fewer than two vials to draw from (none: the page says so) and none linked: no
        # "Further vials" to tick, and the vial's help does not send the practitioner
        # looking for them. A submission that ticked one keeps the field, so a vial that
        # went out of use since the page was shown is refused with the message above, not
        # dropped in silence.
        further_layout = [Row(Column("further_vials", css_class="col-12"))]
        ticked = self.is_bound and any(
            further.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("further_vials")
            )
            or ()
        )
        if len(known) < 2 and not linked_vials and not ticked:
            del self.fields["further_vials"]
            further_layout = []
            # No usable vial (the draft's own may be out of use): the notice says why.
            first.help_text = ONE_VIAL_HELP if usable_vials else ""
        # Rule 20: a top-up is linked by the practitioner to a session of the last 14 days.
        top_up_layout = []
        if shows_top_up:
            top_up = self.fields["top_up_of"]
            top_up.queryset = TreatmentSession.objects.filter(
                pk__in=[s.pk for s in top_up_candidates]
            ).select_related("product", "indication")
            top_up.known = {s.pk: s for s in top_up_candidates}
            top_up.empty_label = "Not a top-up"
            top_up.label_from_instance = top_up_label
            top_up.error_messages["invalid_choice"] = (
                "Only a signed session of the same indication in the last 14 days can be linked."
            )
            top_up_layout = [
                Fieldset(
                    "Top-up",
                    Row(
                        Column("top_up_of", css_class="col-md-6"),
                        Column("top_up_reason", css_class="col-md-6"),
                    ),
                )
            ]
        # Rule 29: the age check for young-looking cosmetic patients.
        age_layout = []
        if cosmetic:
            age_layout = [
                Fieldset(
                    "Age verification",
                    "looks_young",
                    Field("age_evidence_seen", maxlength=120),
                )
            ]
        confirmations = ["screening_reviewed", "consent_taken", "spread_advice_given"]
        if off_label:
            self.fields[
                "off_label_consent"
            ].label = "Off-label use explained to the patient and consented (rule 32)"
            confirmations.append("off_label_consent")
        # Rule 29b: a patient under 18 is treated by a registered medical practitioner, or
        # by a registered nurse, dentist or pharmacist on one's directions (Botulinum Toxin
        # and Cosmetic Fillers (Children) Act 2021 s1(4), s1(7)).
        doctor_layout = []
        if directed:
            doctor = self.fields["directing_doctor"]
            doctor.queryset = registered_doctors()
            # Neutral: whether the treating practitioner is a doctor is the staff record's to
            # say (the engine reads it), not something claimed here.
            doctor.empty_label = "No directing doctor (a doctor treats)"
            doctor.label_from_instance = lambda user: user.get_full_name() or user.get_username()
            doctor.help_text = (
                "The patient is under 18: a registered medical practitioner treats, or a "
                "registered nurse, dentist or pharmacist treats on a registered medical "
                "practitioner's directions (Botulinum Toxin and Cosmetic Fillers (Children) "
                "Act 2021). Choose who directs."
            )
            doctor.error_messages["invalid_choice"] = (
                "Choose a doctor from the list: only staff recorded as registered medical "
                "practitioners can direct."
            )
            doctor_layout = [
                Fieldset("Directing doctor", Row(Column("directing_doctor", css_class="col-md-7")))
            ]
        if not shown:
            return  # the layout is for the page only
        weight = []
        if weighed:
            # Paediatric limits are per kg (DOMAIN §10 rules 9-11, 17).
            weight = [
                Row(
                    Column("weight_kg", css_class="col-md-3"),
                    Column("weight_measured_on", css_class="col-md-3"),
                )
            ]
        self.helper = no_tag_helper(
            # The vial's whole label (lot, strength, use-by, size, expiry) shown at 820 px and
            # 1366 px: the vial on a row of its own, the time below it.
            Row(Column("vial", css_class="col-12"), Column("performed_at", css_class="col-md-5")),
            *further_layout,
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
            *age_layout,
            *doctor_layout,
            Fieldset("Confirmations", *confirmations),
            *top_up_layout,
            Field("notes"),
        )

    def _get_validation_exclusions(self):
        # The vial and top-up choices were checked against the form's own querysets: the
        # model's check of the same foreign keys would only query again.
        return super()._get_validation_exclusions() | {"vial", "top_up_of"}

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("vial")
        further = cleaned.get("further_vials") or []
        if first is not None and first in further:
            # The page never offers it (FurtherVialsSelect): a stale or hand-made post.
            self.add_error(
                "further_vials",
                f"Vial {first.stock_label} is already the first vial, so it cannot also be "
                "a further vial: untick it, or choose another first vial.",
            )
            return cleaned
        if further and not first:
            # The soonest-used ticked vial becomes the first one.
            first, *further = further
            cleaned["vial"] = first
        cleaned["further_vials"] = further
        return cleaned

    def clean_performed_at(self):
        value = self.cleaned_data["performed_at"]
        if value > timezone.now() + timedelta(hours=1):
            raise forms.ValidationError("A session cannot be recorded in the future.")
        day = value.date()  # as typed, in the clinic's time zone
        born = self.instance.patient.date_of_birth
        if day < born:
            raise forms.ValidationError(
                f"This date is before the patient was born ({born:%d/%m/%Y}). "
                "Check the year and enter the day the treatment was given."
            )
        if day < EARLIEST_SESSION_DAY:
            raise forms.ValidationError(
                f"A session cannot be dated before {EARLIEST_SESSION_DAY:%d/%m/%Y}. "
                "Check the year and enter the day the treatment was given."
            )
        return value

    def clean_weight_kg(self):
        value = self.cleaned_data.get("weight_kg")
        if value is not None and not Decimal("1") <= value <= Decimal("400"):
            raise forms.ValidationError("Enter the weight in kilograms (1 to 400).")
        return value


def top_up_label(session: TreatmentSession) -> str:
    when = timezone.localtime(session.performed_at)
    return f"{session.product.brand} on {when:%d/%m/%Y} for {session.indication.name}"


def vial_label(vial: Vial, *, named: bool = True) -> str:
    """The vial as the practitioner matches it in hand: its label, then (reconstituted) the
    dilution and use-by, then the presentation and expiry. A select shows one line, cut at
    its width (the editor's Vial box, about 50 characters at 1366 px): what matters at the
    chair comes first. `named=False` leaves out the word "vial" where the field's own label
    says it (the Vial box)."""
    parts = [f"vial {vial.stock_label}" if named else vial.stock_label]
    if vial.discarded_at:
        # The draft's own vial, its rest thrown away since the injection (the engine warns);
        # its use-by no longer matters, and the line must still show the expiry at 1366 px.
        parts.append(f"discarded {timezone.localtime(vial.discarded_at):%d/%m %H:%M}")
    elif vial.use_by:
        use_by = timezone.localtime(vial.use_by)
        parts += [f"{vial.units_per_0_1_ml} U/0.1 mL", f"use by {use_by:%d/%m %H:%M}"]
    parts += [f"{vial.presentation_units} U", f"exp {vial.expiry:%d/%m/%Y}"]
    return " · ".join(parts)


class VialSelect(forms.Select):
    """Each option carries its vial's units per mL, so the page converts volume to units
    with the dilution of the vial actually selected."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        vial = getattr(value, "instance", None)
        if vial is not None and vial.units_per_ml:
            option["attrs"]["data-units-per-ml"] = str(vial.units_per_ml)
        return option


class AddendumForm(forms.Form):
    submission_token = SubmissionTokenField()  # a double-click adds one addendum
    reason = forms.CharField(max_length=250, help_text="e.g. wrong side recorded for point 3")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Correction")
