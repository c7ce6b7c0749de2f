"""Writes for vials: receive (a receipt of several vials of one lot), reconstitute,
discard."""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.idempotency import locked_for_edit
from clinic.templatetags.figures import figure
from treatments import selectors
from treatments.choices import ProductForm, SessionStatus
from treatments.models import Product, StockReceipt, Vial
from treatments.models.vials import MAX_VIALS_PER_RECEIPT
from treatments.services import panel_rollups

# Namespace of the receipt advisory locks (PostgreSQL's two-integer form, so that they
# never collide with the registration or diary locks).
RECEIPT_LOCK_NAMESPACE = 1013


def _serialise_receipts_of(*, product: Product, lot: str) -> None:
    """Receipts of the same lot run one after the other, so that the second one numbers
    its vials after the first one's. On PostgreSQL an advisory lock held to the end of the
    transaction; SQLite runs one write transaction at a time (immediate transactions)."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"{product.pk}|{lot}".encode(), digest_size=4).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [RECEIPT_LOCK_NAMESPACE, int.from_bytes(digest, "big", signed=True)],
        )


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    presentation_units: int,
    lot: str,
    expiry,
    quantity: int,
    supplier: str,
    delivery_note: str,
    received_by,
    received_on=None,
) -> StockReceipt:
    """Book `quantity` identical vials of one lot into stock from a supplier's delivery
    (issue 13.13): one StockReceipt row and the vials, numbered within their lot
    (C3709C3/01, /02 ...) so that each can be told apart. All or nothing.

    The vials are inserted in one statement whatever their number (bulk_create returns
    their ids on PostgreSQL and SQLite), with their history rows."""
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_VIALS_PER_RECEIPT:
        raise ValidationError(
            {"quantity": f"Receive between 1 and {MAX_VIALS_PER_RECEIPT} vials at a time."}
        )
    received_on = received_on or timezone.localdate()
    receipt = StockReceipt(
        supplier=(supplier or "").strip(),
        delivery_note=(delivery_note or "").strip(),
        received_on=received_on,
        received_by=received_by,
    )
    # Field checks in Python; the foreign keys are the caller's saved rows, and the
    # database's own constraints stand behind the one rule checked here (STYLE 8b).
    receipt.full_clean(exclude=["received_by"])
    lot = (lot or "").strip().upper()
    # One vial checked stands for all: they differ only in their number within the lot.
    Vial(
        product=product,
        presentation_units=presentation_units,
        lot=lot,
        lot_sequence=1,
        expiry=expiry,
        received_by=received_by,
        received_on=received_on,
    ).full_clean(exclude=["product", "received_by", "receipt"], validate_constraints=False)
    if expiry <= received_on:
        raise ValidationError({"expiry": "The expiry date must be after the date received."})
    _serialise_receipts_of(product=product, lot=lot)
    receipt.save()
    last = (
        Vial.objects.filter(product=product, lot=lot).aggregate(last=Max("lot_sequence"))["last"]
        or 0
    )
    vials = [
        Vial(
            product=product,
            presentation_units=presentation_units,
            lot=lot,
            lot_sequence=last + number,
            expiry=expiry,
            received_by=received_by,
            received_on=received_on,
            receipt=receipt,
        )
        for number in range(1, quantity + 1)
    ]
    receipt.vials_received = bulk_create_with_history(vials, Vial, default_user=received_by)
    return receipt


def vial_receive(
    *,
    product: Product,
    presentation_units: int,
    lot: str,
    expiry,
    received_by,
    supplier: str,
    delivery_note: str,
    received_on=None,
) -> Vial:
    """One vial: a receipt of quantity 1 (the shell, the smoke test)."""
    receipt = stock_receive(
        product=product,
        presentation_units=presentation_units,
        lot=lot,
        expiry=expiry,
        quantity=1,
        supplier=supplier,
        delivery_note=delivery_note,
        received_by=received_by,
        received_on=received_on,
    )
    return receipt.vials_received[0]


UNUSUAL_DILUTION = "unusual_dilution"


def _per_tenth_ml(units_per_ml: Decimal) -> str:
    return f"{(units_per_ml / 10).normalize():f}"


def dilution_problem(product, presentation_units: int, diluent_ml: Decimal) -> str:
    """What is unusual about `diluent_ml` in a vial of `presentation_units` of `product`:
    a strength outside the product's labelled dilutions (reference data with its source),
    or "" when it is within them or no range is on file."""
    low, high = product.dilution_min_units_per_ml, product.dilution_max_units_per_ml
    if low is None or high is None:
        return ""
    strength = Decimal(presentation_units) / diluent_ml
    if low <= strength <= high:
        return ""
    made = (strength / 10).quantize(Decimal("0.01"))
    labelled = (
        f"{_per_tenth_ml(low)} U"
        if low == high
        else f"{_per_tenth_ml(low)} to {_per_tenth_ml(high)} U"
    )
    return (
        f"{presentation_units} U in {diluent_ml.normalize():f} mL makes {made.normalize():f} U "
        f"per 0.1 mL; {product}'s labelled dilutions make {labelled} per 0.1 mL "
        f"({product.dilution_source}). Check the volume; if this dilution is intended, "
        "tick the box to record it."
    )


@transaction.atomic
def vial_reconstitute(
    *,
    vial: Vial,
    diluent_ml: Decimal,
    reconstituted_by,
    at: datetime | None = None,
    unusual_confirmed: bool = False,
) -> Vial:
    """Record the dilution; use-by = time + the product's in-use hours (DOMAIN §1.3).
    Already reconstituted by the same user with the same volume (the same form sent
    twice): returned as it is, with `replayed` set, and nothing is written. A strength
    outside the product's labelled dilutions (dilution_problem) is recorded only with
    `unusual_confirmed`: a slip of a decimal point misleads every draw from the vial."""
    vial = Vial.objects.select_for_update().select_related("product").get(pk=vial.pk)
    vial.replayed = False
    if vial.discarded_at:
        raise ValidationError("This vial has been discarded.")
    if vial.reconstituted_at:
        if vial.reconstituted_by_id == reconstituted_by.pk and vial.diluent_ml == diluent_ml:
            vial.replayed = True
            return vial
        raise ValidationError("This vial was already reconstituted.")
    if vial.product.form != ProductForm.POWDER:
        raise ValidationError(f"{vial.product} is a ready-to-use solution.")
    if diluent_ml is None or diluent_ml <= 0:
        raise ValidationError({"diluent_ml": "Enter the diluent volume in mL."})
    problem = dilution_problem(vial.product, vial.presentation_units, diluent_ml)
    if problem and not unusual_confirmed:
        raise ValidationError({"diluent_ml": ValidationError(problem, code=UNUSUAL_DILUTION)})
    now = timezone.now()
    at = at or now
    if timezone.localdate(at) > vial.expiry:
        raise ValidationError("This vial is past its expiry date: do not reconstitute it.")
    _check_made_up_at(vial, at, now)
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


# How far back a reconstitution not recorded at the time may be entered (a vial made up
# for a treatment whose record is completed later): the vial page's "Made up at".
LATE_RECONSTITUTION_DAYS = 14


def _check_made_up_at(vial: Vial, at: datetime, now: datetime) -> None:
    """A reconstitution time entered by hand: not ahead of the clock, not before the vial
    was received, not further back than LATE_RECONSTITUTION_DAYS."""
    if at > now + timedelta(minutes=5):
        problem = "That time is still to come: leave it empty for now."
    elif timezone.localdate(at) < vial.received_on:
        problem = (
            f"The vial was received on {vial.received_on:%d/%m/%Y}: "
            "it cannot have been made up before."
        )
    elif at < now - timedelta(days=LATE_RECONSTITUTION_DAYS):
        problem = f"Up to {LATE_RECONSTITUTION_DAYS} days back can be recorded here."
    else:
        return
    raise ValidationError({"reconstituted_at": problem})


def correction_refusal(vial: Vial, *, signed_draw: bool) -> str | None:
    """Why a vial's reconstitution can no longer be corrected, or None: it must be
    reconstituted, still in use, and not drawn from by a signed session (`signed_draw`:
    the service asks the database under the vial's lock; the vial's page reads it from
    the sessions it lists, to offer the correction only when it would be taken)."""
    if vial.discarded_at or not vial.reconstituted_at:
        return "Only a reconstituted vial still in use can be corrected."
    if signed_draw:
        return (
            "A signed session drew from this vial at its recorded strength: that record "
            "stands. If the strength is in doubt, discard the vial."
        )
    return None


@transaction.atomic
def vial_correct_reconstitution(
    *,
    vial: Vial,
    diluent_ml: Decimal,
    reason: str,
    corrected_by,
    expected_version: int,
    unusual_confirmed: bool = False,
) -> Vial:
    """A reconstitution recorded with the wrong volume (2 mL for 2.5 mL: 5 for 4 U per
    0.1 mL), corrected while no signed session has drawn from the vial: a signed record
    stands as signed (the database refuses the change then: migration 0039), and a vial
    whose strength is in doubt after that is discarded. The time and the use-by are kept;
    the history row says why. Drafts that drew from it are checked again when signed
    (their units against their volume, rule 6). The same correction sent twice: returned
    with `replayed` set."""
    # The same correction sent twice is the one save after the page's version; any other
    # change since is someone else's (clinic.idempotency.locked_for_edit).
    current = locked_for_edit(
        vial,
        expected_version,
        conflict=lambda _: ValidationError(
            "This vial was changed meanwhile: check its page and try again."
        ),
        done_already=lambda c: c.version == expected_version + 1 and c.diluent_ml == diluent_ml,
    )
    if current.replayed:
        return current
    refusal = correction_refusal(
        current,
        signed_draw=current.draws.filter(session__status=SessionStatus.SIGNED).exists(),
    )
    if refusal:
        raise ValidationError(refusal)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say what was wrong, e.g. 2.5 mL was added, not 2 mL."
    if diluent_ml <= 0:
        errors["diluent_ml"] = "Enter the volume added, in mL (e.g. 2.5)."
    elif diluent_ml == current.diluent_ml:
        errors["diluent_ml"] = f"{diluent_ml} mL is the volume on record: nothing to correct."
    elif not unusual_confirmed and (
        problem := dilution_problem(current.product, current.presentation_units, diluent_ml)
    ):
        errors["diluent_ml"] = ValidationError(problem, code=UNUSUAL_DILUTION)
    if errors:
        raise ValidationError(errors)
    was = current.diluent_ml
    current.diluent_ml = diluent_ml
    current.version += 1
    current._history_user = corrected_by
    current._change_reason = f"Reconstitution corrected from {was} mL: {reason}"[:100]
    current.save()
    return current


@transaction.atomic
def vial_discard(*, vial: Vial, reason: str, wasted_units: Decimal, discarded_by) -> Vial:
    """Discard with the units wasted; drawn + wasted may not exceed the presentation.
    Already discarded by the same user for the same reason and waste (the same form sent
    twice): returned as it is, with `replayed` set, and nothing is written."""
    vial = Vial.objects.select_for_update().get(pk=vial.pk)
    vial.replayed = False
    reason = (reason or "").strip()
    if vial.discarded_at:
        if (
            vial.discarded_by_id == discarded_by.pk
            and vial.discard_reason == reason[:200]
            and vial.wasted_units == wasted_units
        ):
            vial.replayed = True
            return vial
        raise ValidationError("This vial was already discarded.")
    if not reason:
        raise ValidationError({"reason": "Say why the vial is discarded."})
    drawn = selectors.vial_units_drawn(vial)
    remaining = Decimal(vial.presentation_units) - drawn
    if wasted_units < 0 or wasted_units > remaining:
        raise ValidationError(
            {
                "wasted_units": f"Wasted units must be between 0 and the {figure(remaining)} U "
                f"left ({figure(drawn)} U drawn of {vial.presentation_units} U)."
            }
        )
    vial.discarded_at = timezone.now()
    vial.discarded_by = discarded_by
    vial.discard_reason = reason[:200]
    vial.wasted_units = wasted_units
    vial.drawn_at_discard = drawn  # the reconciliation as closed (the report's "drawn")
    vial.version += 1
    vial._history_user = discarded_by
    vial.save()
    # The dashboard's wastage per product and lot, in this transaction (issue 14.5).
    panel_rollups.record_discarded_vial(vial)
    return vial
