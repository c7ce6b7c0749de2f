"""Filters for the vial list (django-filter): one product's vials.

A clinic group's fridges hold a thousand open vials or more, of five or six products, 100
to a page, soonest expiry first. A practitioner sent from the session editor ("the vial
list has them all") is after one product's: the editor's links carry `?product=`.
"""

from __future__ import annotations

import django_filters
from django import forms

ERROR_ID = "vial-filter-error"  # the vial list's message for an unknown product


class VialFilterSet(django_filters.FilterSet):
    """`products`: (id, brand) pairs (treatments.selectors.vial_products), read once for
    the choices and their check. An unknown or mangled `?product=` is refused with the
    form's message, and every product's vials are listed."""

    product = django_filters.ChoiceFilter(
        label="Product",
        empty_label="All products",
        field_name="product_id",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data=None, *args, products=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["product"].extra["choices"] = [(str(pk), brand) for pk, brand in products]

    @property
    def form(self):
        form = super().form
        if form.is_bound and "product" in form.errors:  # the message under it names it
            form.fields["product"].widget.attrs.update(
                {
                    "class": "form-select form-select-sm is-invalid",
                    "aria-invalid": "true",
                    "aria-describedby": ERROR_ID,
                }
            )
        return form

    @property
    def product_id(self) -> int | None:
        """The product chosen, when the choice was valid."""
        value = self.form.cleaned_data.get("product") if self.is_valid() else None
        return int(value) if value else None
