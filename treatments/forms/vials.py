"""Forms for vials: receive, reconstitute, discard."""

from decimal import Decimal

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone

from clinic.idempotency import SubmissionTokenField
from treatments.forms.rendering import date_input, no_tag_helper
from treatments.models import Product, Vial


class VialReceiveForm(forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = Vial
        fields = ["product", "presentation_units", "lot", "expiry", "received_on"]
        widgets = {"expiry": date_input(), "received_on": date_input()}
        labels = {"presentation_units": "Vial size (units)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(on_formulary=True).order_by(
            "brand"
        )
        self.fields["product"].empty_label = "Choose…"
        self.fields["received_on"].initial = timezone.localdate()
        self.helper = no_tag_helper(
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
