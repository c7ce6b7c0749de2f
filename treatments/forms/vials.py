"""Forms for vials: receive (a receipt of several vials), reconstitute, discard."""

from decimal import Decimal

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from clinic.inputs import LATEST_DATE, ClockTimeField, check_date_in_range
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import Product
from treatments.models.vials import MAX_VIALS_PER_RECEIPT
from treatments.services.vials import LATE_RECONSTITUTION_DAYS, UNUSUAL_DILUTION


class VialReceiveForm(forms.Form):
    """A receipt: several vials of one product and lot from one delivery (issue 13.13)."""

    submission_token = SubmissionTokenField()
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose…")
    presentation_units = forms.IntegerField(label="Vial size (units)", min_value=1)
    lot = forms.CharField(label="Lot / batch number", max_length=40)
    expiry = forms.DateField(label="Expiry date", widget=date_input())
    quantity = forms.IntegerField(
        label="Number of vials",
        min_value=1,
        max_value=MAX_VIALS_PER_RECEIPT,
        initial=1,
        help_text=f"Identical vials of this lot, 1 to {MAX_VIALS_PER_RECEIPT}",
    )
    supplier = forms.CharField(max_length=100, help_text="Who delivered them")
    delivery_note = forms.CharField(label="Delivery note number", max_length=60)
    received_on = forms.DateField(label="Received on", widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(on_formulary=True).order_by(
            "brand"
        )
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["quantity"].widget.attrs["max"] = MAX_VIALS_PER_RECEIPT
        self.helper = no_tag_helper(
            Row(
                Column("product", css_class="col-md-4"),
                Column("presentation_units", css_class="col-md-2"),
                Column("lot", css_class="col-md-3"),
                Column("expiry", css_class="col-md-3"),
            ),
            Row(
                Column("quantity", css_class="col-md-2"),
                Column("supplier", css_class="col-md-4"),
                Column("delivery_note", css_class="col-md-3"),
                Column("received_on", css_class="col-md-3"),
            ),
        )

    def clean_expiry(self):
        # No shelf-life limit in the reference data: the app's latest date is the horizon,
        # which still refuses a mistyped 31/12/9999.
        expiry = self.cleaned_data["expiry"]
        if expiry > LATEST_DATE:
            raise forms.ValidationError(
                f"Please check the year: an expiry date cannot be after {LATEST_DATE:%d/%m/%Y}."
            )
        return expiry

    def clean_received_on(self):
        return check_date_in_range(self.cleaned_data["received_on"])

    def clean(self):
        cleaned = super().clean()
        product, size = cleaned.get("product"), cleaned.get("presentation_units")
        if product and size and product.presentations and size not in product.presentations:
            sizes = ", ".join(str(p) for p in product.presentations)
            self.add_error("presentation_units", f"{product} comes in {sizes} U vials.")
        expiry = cleaned.get("expiry")
        if expiry and expiry < timezone.localdate():
            self.add_error(
                "expiry", "These vials are already past their expiry date: do not receive them."
            )
        return cleaned


class ReconstituteForm(forms.Form):
    diluent_ml = forms.DecimalField(
        label="0.9% saline added (mL)",
        min_value=Decimal("0.1"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text="e.g. 2 mL in a 100 U BOTOX vial gives 5 U per 0.1 mL",
    )
    # Empty: now. An earlier time for a vial made up and not recorded then, so that a
    # treatment's record completed later can name the vial it drew from (an earlier day's
    # draft offers only the vials of its day: review 07/12/2026).
    reconstituted_at = ClockTimeField(
        required=False,
        label="Made up at",
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M", attrs={"placeholder": "now (or dd/mm/yyyy hh:mm)"}
        ),
        help_text="Leave empty for now; an earlier time only for a vial made up and not "
        f"recorded then (up to {LATE_RECONSTITUTION_DAYS} days back).",
    )
    # Offered only once a strength outside the label's dilutions was refused
    # (services.vial_reconstitute): a box always on the form would be ticked by habit.
    unusual_confirmed = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="This dilution is intended"
    )

    def offer_confirmation_if_unusual(self) -> None:
        """Show the tick box when the strength was refused as unusual (the service's
        UNUSUAL_DILUTION): the volume typed may be what was meant."""
        if self.has_error("diluent_ml", code=UNUSUAL_DILUTION):
            self.fields["unusual_confirmed"].widget = forms.CheckboxInput()


class CorrectReconstitutionForm(ReconstituteForm):
    """The volume actually added, why the record was wrong, and the vial as the page
    showed it (a form sent after someone else changed it is refused)."""

    reconstituted_at = None  # the time stands: a correction is of the volume
    reason = forms.CharField(
        max_length=80, label="What was wrong", help_text="e.g. 2.5 mL was added, not 2 mL"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DiscardForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="e.g. end of session, past use-by, dropped, cold-chain excursion"
    )
    wasted_units = forms.DecimalField(
        min_value=0, decimal_places=2, max_digits=8, label="Units wasted"
    )
