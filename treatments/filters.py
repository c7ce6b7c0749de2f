"""Filters for the vial list (django-filter): one product's vials.

A clinic group's fridges hold a thousand open vials or more, of five or six products, 100
to a page, soonest expiry first. A practitioner sent from the session editor ("the vial
list has them all") is after one product's: the editor's links carry `?product=`.
"""

from __future__ import annotations

import django_filters
from django import forms


class VialFilterSet(django_filters.FilterSet):
    """`products`: (id, brand) pairs (treatments.selectors.vial_products), read once for
    the choices and their check. An unknown or mangled `?product=` is refused, and every
    product's vials are listed: the select is marked aria-invalid and described by the
    vial list's message, whose id is Django's for the field's errors (`<auto_id>_error`)."""

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
    def product_id(self) -> int | None:
        """The product chosen, when the choice was valid."""
        value = self.form.cleaned_data.get("product") if self.is_valid() else None
        return int(value) if value else None
