"""Writes for vials: receive, reconstitute, discard."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treatments import selectors
from treatments.choices import ProductForm
from treatments.models import Product, Vial


@transaction.atomic
def vial_receive(
    *, product: Product, presentation_units: int, lot: str, expiry, received_by, received_on=None
) -> Vial:
    vial = Vial(
        product=product,
        presentation_units=presentation_units,
        lot=lot.strip().upper(),
        expiry=expiry,
        received_by=received_by,
        received_on=received_on or timezone.localdate(),
    )
    vial.full_clean()
    vial._history_user = received_by
    vial.save()
    return vial


@transaction.atomic
def vial_reconstitute(
    *, vial: Vial, diluent_ml: Decimal, reconstituted_by, at: datetime | None = None
) -> Vial:
    """Record the dilution; use-by = time + the product's in-use hours (DOMAIN §1.3)."""
    vial = Vial.objects.select_for_update().select_related("product").get(pk=vial.pk)
    if vial.discarded_at:
        raise ValidationError("This vial has been discarded.")
    if vial.reconstituted_at:
        raise ValidationError("This vial was already reconstituted.")
    if vial.product.form != ProductForm.POWDER:
        raise ValidationError(f"{vial.product} is a ready-to-use solution.")
    if diluent_ml is None or diluent_ml <= 0:
        raise ValidationError({"diluent_ml": "Enter the diluent volume in mL."})
    at = at or timezone.now()
    if timezone.localdate(at) > vial.expiry:
        raise ValidationError("This vial is past its expiry date: do not reconstitute it.")
    vial.reconstituted_at = at
    vial.diluent_ml = diluent_ml
    vial.reconstituted_by = reconstituted_by
    hours = vial.product.in_use_hours
    vial.use_by = at + timedelta(hours=hours) if hours else None
    vial.version += 1
    vial.full_clean()
    vial._history_user = reconstituted_by
    vial.save()
    return vial


@transaction.atomic
def vial_discard(*, vial: Vial, reason: str, wasted_units: Decimal, discarded_by) -> Vial:
    """Discard with the units wasted; drawn + wasted may not exceed the presentation."""
    vial = Vial.objects.select_for_update().get(pk=vial.pk)
    if vial.discarded_at:
        raise ValidationError("This vial was already discarded.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the vial is discarded."})
    drawn = selectors.vial_units_drawn(vial)
    remaining = Decimal(vial.presentation_units) - drawn
    if wasted_units < 0 or wasted_units > remaining:
        raise ValidationError(
            {
                "wasted_units": f"Wasted units must be between 0 and the {remaining} U left "
                f"({drawn} U drawn of {vial.presentation_units} U)."
            }
        )
    vial.discarded_at = timezone.now()
    vial.discarded_by = discarded_by
    vial.discard_reason = reason[:200]
    vial.wasted_units = wasted_units
    vial.version += 1
    vial._history_user = discarded_by
    vial.save()
    return vial
