"""Vials: stock received (receipts), reconstituted, drawn from and discarded."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from treatments.choices import VialState
from treatments.models.reference import Product

# How many vials one receipt may book in: a clinic's delivery of one lot is a box or two;
# a bigger number is more likely a typing slip (500 for 50) than a delivery.
MAX_VIALS_PER_RECEIPT = 50


def format_stock_label(lot: str, lot_sequence: int | None) -> str:
    return f"{lot}/{lot_sequence:02d}" if lot_sequence else lot


class StockReceipt(TimeStampedModel):
    """Vials of one product and lot booked into stock at once from a supplier's delivery
    (issue 13.13): who delivered them, the delivery note, who received them and when. A
    delivery note covering two lots is two receipts with the same note number."""

    supplier = models.CharField(max_length=100, help_text="e.g. the wholesaler's name")
    delivery_note = models.CharField("delivery note number", max_length=60)
    received_on = models.DateField(default=timezone.localdate)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.supplier}, delivery note {self.delivery_note}"


class Vial(TimeStampedModel):
    """One vial from receipt to discard: lot, expiry, reconstitution, draws and waste.

    Reconciliation: units drawn into sessions + units wasted = the presentation.
    Identical vials (same product, lot and size) are told apart by their stock label,
    the lot and the vial's number within it (C3709C3/03), written on the carton.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="vials")
    presentation_units = models.PositiveIntegerField(help_text="Units in the vial, e.g. 100")
    lot = models.CharField("lot / batch number", max_length=40)
    lot_sequence = models.PositiveIntegerField(
        help_text="The vial's number within its lot in this clinic: 1, 2, 3 ..."
    )
    receipt = models.ForeignKey(
        StockReceipt,
        on_delete=models.PROTECT,
        related_name="vials",
        null=True,
        blank=True,
        help_text="Empty for vials booked in before receipts were recorded",
    )
    expiry = models.DateField("expiry date")
    received_on = models.DateField(default=timezone.localdate)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reconstituted_at = models.DateTimeField(null=True, blank=True)
    diluent_ml = models.DecimalField(
        "diluent (mL)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    reconstituted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    use_by = models.DateTimeField(
        null=True, blank=True, help_text="Reconstitution time + the product's in-use hours"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discard_reason = models.CharField(max_length=200, blank=True)
    wasted_units = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    # The reconciliation as the vial was closed: what its draws came to then (signed
    # sessions and any draft's planned draw on it). The units-and-wastage report adds these
    # up (from DailyWasteRollup), not today's draws: a draft that moves to another vial
    # later takes its planned draw away from the vial, not from the closing count.
    drawn_at_discard = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="Units drawn from the vial when it was discarded (empty until then)",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("lookup_lot", "Can list the patients who received a lot (recall)")]
        indexes = [
            # A recall looks a lot up as typed, in any case (lot__iexact: UPPER(lot) = ...):
            # a plain index on lot could not serve it, so every vial was read (50 ms at
            # 150,000 vials, the lot exposure report; treatments.selectors.lot_exposure).
            models.Index(Upper("lot"), name="vial_lot_upper_idx"),
            # The vials still in the fridge, by product: what a session may draw from and
            # what it cannot (selectors.vial_list_usable/_unusable, on every session start,
            # editor page, draft save and signing). Without it each of those read every
            # vial the product ever had: 36 ms at 150,000 (issue 14, clinic-group scale).
            models.Index(
                fields=["product", "expiry"],
                name="vial_open_idx",
                condition=models.Q(discarded_at__isnull=True),
            ),
            # The vials discarded since a moment, by product: an earlier day's draft offers
            # those usable then (selectors.vial_list_usable_for_draft), read from the few
            # discarded since rather than every vial the product ever had.
            models.Index(
                fields=["product", "discarded_at"],
                name="vial_discarded_idx",
                condition=models.Q(discarded_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "lot", "lot_sequence"],
                name="vial_stock_label_unique",
                violation_error_message="Another vial of this lot already has that number.",
            ),
            models.CheckConstraint(
                condition=models.Q(lot_sequence__gt=0), name="vial_lot_sequence_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(presentation_units__gt=0), name="vial_presentation_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(expiry__gt=models.F("received_on")),
                name="vial_expiry_after_receipt",
                violation_error_message="The expiry date must be after the date received.",
            ),
            models.CheckConstraint(
                condition=models.Q(diluent_ml__isnull=True) | models.Q(diluent_ml__gt=0),
                name="vial_diluent_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(wasted_units__gte=0), name="vial_waste_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.presentation_units} U, vial {self.stock_label}"

    @property
    def stock_label(self) -> str:
        """The vial's own name in the fridge: its lot and number within it (C3709C3/03)."""
        return format_stock_label(self.lot, self.lot_sequence)

    @property
    def state(self) -> str:
        if self.discarded_at:
            return VialState.DISCARDED
        if self.reconstituted_at:
            return VialState.IN_USE
        return VialState.UNOPENED

    @property
    def is_past_use_by(self) -> bool:
        if self.discarded_at is not None or self.reconstituted_at is None:
            return False
        if self.use_by is not None:
            return self.use_by < timezone.now()
        # No in-use time on record for its product: usable on the day it was reconstituted
        # only, as the vial picker and the engine read it (DOMAIN §1.3); the list said
        # nothing of such a vial the next day (nurse review 07/12/2026).
        return timezone.localdate(self.reconstituted_at) < timezone.localdate()

    @property
    def state_label(self) -> str:
        if self.is_past_use_by:
            return "Past its use-by: discard"
        return VialState(self.state).label

    # What the vial's units add up to, from `drawn_units` (the units its sessions drew,
    # annotated by the vial selectors): summed here, as the templates' add filter reads
    # decimals as whole numbers ("51.90 U drawn + 0 U wasted = 51 U": browser review,
    # 07/12/2026).

    @property
    def units_accounted(self) -> Decimal:
        """Drawn + wasted: the presentation, once the vial is discarded and balances."""
        return self.drawn_units + self.wasted_units

    @property
    def units_left(self) -> Decimal:
        """What the vial still holds by its records (below 0 when a draft plans more than
        it has), to the decimal places of the waste field: the discard form's waste as it
        comes, which the form takes as it is."""
        places = self._meta.get_field("wasted_units").decimal_places
        left = Decimal(self.presentation_units) - self.units_accounted
        return left.quantize(Decimal(1).scaleb(-places))

    @property
    def units_per_ml(self) -> Decimal | None:
        if not self.diluent_ml:
            return None
        return Decimal(self.presentation_units) / self.diluent_ml

    @property
    def units_per_0_1_ml(self) -> Decimal | None:
        per_ml = self.units_per_ml
        return None if per_ml is None else (per_ml / 10).quantize(Decimal("0.01"))
