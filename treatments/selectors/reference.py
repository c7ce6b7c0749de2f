"""Reads of reference data for the session form: the formulary, products marked licensed
or off-label for an indication, and the site template to start from; and the sources the
reference data cites."""

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q

from clinic.inputs import record_id
from treatments.models import (
    DoseGuideline,
    Indication,
    Product,
    SiteTemplate,
    SiteTemplateRow,
    Source,
)


def source_list() -> list[Source]:
    """Every source, in DOMAIN §9's order."""
    return list(Source.objects.only("code", "title", "urls"))


def product_list_formulary() -> list[Product]:
    return list(Product.objects.filter(on_formulary=True, uk_licensed=True).order_by("brand"))


def site_template_for(*, indication: Indication, product: Product) -> SiteTemplate | None:
    candidates = SiteTemplate.objects.filter(indication=indication).filter(
        Q(product=product) | Q(product__isnull=True)
    )
    # A template for this product wins over a generic one (NULL product) on any engine.
    return (
        candidates.order_by(F("product_id").asc(nulls_last=True), "id")
        .prefetch_related(Prefetch("rows", queryset=SiteTemplateRow.objects.select_related("site")))
        .first()
    )


@dataclass
class ProductChoice:
    product: Product
    licensed: bool | None  # None: no indication chosen yet


def product_choices_for(*, indication_id) -> list[ProductChoice]:
    """Formulary products, each marked licensed or off-label for the indication (rule 32);
    licensed ones first."""
    products = product_list_formulary()
    # As the page sent it: an id, or nothing chosen (a number too long for an id column
    # was a 500, found by the hostile-input test at random).
    indication_pk = record_id(str(indication_id or ""))
    if indication_pk is None:
        return [ProductChoice(p, None) for p in products]
    licensed = set(
        DoseGuideline.objects.filter(indication_id=indication_pk, licensed_uk=True).values_list(
            "product_id", flat=True
        )
    )
    choices = [ProductChoice(p, p.pk in licensed) for p in products]
    return sorted(choices, key=lambda c: (not c.licensed, c.product.brand))
