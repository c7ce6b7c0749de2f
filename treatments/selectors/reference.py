"""Reads of reference data for the session form: the formulary, products marked licensed
or off-label for an indication, and the site template to start from; and the sources the
reference data cites."""

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q

from clinic.inputs import record_id
from treatments.choices import IndicationCategory
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
    # Why this patient must not have it ("" when nothing known says so): the new-session
    # page says so beside the product, before the editor's block (practitioner review
    # 07/12/2026: Dysport offered as "licensed" to a cow's milk protein allergy).
    contraindicated: str = ""


def product_choices_for(*, indication_id, banner=None) -> list[ProductChoice]:
    """Formulary products, each marked licensed or off-label for the indication (rule 32);
    licensed ones first. With the patient's `banner` (patient_banner.patient_banner), a
    product containing cow's milk protein is marked contraindicated after that allergy
    (rule 23, as the engine blocks it), and listed last; every product after an allergy to
    a botulinum toxin or human albumin (rule 21); for a cosmetic indication, the products
    contraindicated for cosmetic use with a neuromuscular disorder (rule 24: the category
    read only then). A recorded reaction rules out every product:
    `reaction_ruling_out_every_product`."""
    products = product_list_formulary()
    # As the page sent it: an id, or nothing chosen (a number too long for an id column
    # was a 500, found by the hostile-input test at random).
    indication_pk = record_id(str(indication_id or ""))
    licensed = set()
    if indication_pk is not None:
        licensed = set(
            DoseGuideline.objects.filter(indication_id=indication_pk, licensed_uk=True).values_list(
                "product_id", flat=True
            )
        )
    screening = banner and banner.screening
    cosmetic = bool(
        screening
        and screening.neuromuscular_disorder
        and indication_pk is not None
        and Indication.objects.filter(
            pk=indication_pk, category=IndicationCategory.COSMETIC
        ).exists()
    )
    choices = [
        ProductChoice(
            p,
            None if indication_pk is None else p.pk in licensed,
            _contraindicated(p, screening, cosmetic=cosmetic),
        )
        for p in products
    ]
    if indication_pk is None:
        return choices
    return sorted(choices, key=lambda c: (bool(c.contraindicated), not c.licensed, c.product.brand))


def _contraindicated(product: Product, screening, *, cosmetic: bool) -> str:
    """Why the engine would block this product for the patient, from the reviewed
    screening ("" when it would not)."""
    if screening and screening.toxin_or_albumin_allergy:
        # Rule 21 from the screening: every toxin product, as the engine blocks it.
        return "allergy to a botulinum toxin or human albumin"
    if screening and screening.cows_milk_protein_allergy and product.milk_protein_contraindicated:
        return "cow's milk protein allergy"
    if cosmetic and product.cosmetic_neuromuscular_contraindicated:
        # Rule 24: blocked for cosmetic use (a therapeutic one asks for a reason instead).
        return "neuromuscular disorder, not for cosmetic use"
    return ""


def reaction_ruling_out_every_product(banner):
    """The newest hypersensitivity reaction recorded here that rule 21 blocks every toxin
    product for (not one assessed as unlikely to be the toxin's), or None."""
    return next((r for r in banner.reactions if r.term and not r.unlikely), None)
