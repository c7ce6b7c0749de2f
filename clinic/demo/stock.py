"""Stock: lot numbers and expiries per product, vials received from suppliers' deliveries
(receipts with a delivery note, each vial numbered within its lot), reconstituted and
discarded as the services record them, odd waste, and today's fridge.
"""

import random
from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Max

from clinic.demo.clock import HISTORY_DAYS, ReplayClock, aware, open_day, weekday_before
from clinic.demo.plans import AZZALURE_PER_ML, D
from treatments import services
from treatments.models import Product, StockReceipt, Vial

# Vials wasted for other reasons than the end of a session: reason, reconstituted first.
ODD_WASTE = (
    ("Dropped and broken before use", False),
    ("Cold-chain excursion: fridge logged 11 °C overnight; quarantined and discarded", False),
    ("Reconstituted for a patient who did not attend; past its use-by", True),
    ("Vial cracked during reconstitution", True),
)


# Who delivers toxin to a London clinic: the pharmaceutical wholesalers, or the maker.
SUPPLIERS = (
    "Alliance Healthcare",
    "AAH Pharmaceuticals",
    "Phoenix Healthcare Distribution",
)
MAKERS = {"allergan": "AbbVie (Allergan Aesthetics)", "speywood": "Ipsen", "merz": "Merz"}

# Suppliers and delivery note numbers come from their own random draws, so that the
# treatment history's figures are the same as before receipts were recorded.
DELIVERY_SEED = 1313


# Stock dilutions (units per mL): BOTOX 100 U + 2 mL, Dysport 500 U + 2.5 mL, etc.
STOCK_UNITS_PER_ML = {
    "botox": D(50),
    "vistabel": D(40),
    "dysport": D(200),
    "azzalure": AZZALURE_PER_ML,
    "bocouture": D(40),
    "xeomin": D(40),
}


def lot_number(rng: random.Random, unit_family: str) -> str:
    """Lot numbers in each manufacturer's style: C4521C3 (Allergan), S12345 (Ipsen),
    A10203 (Merz)."""
    if unit_family == "allergan":
        return f"C{rng.randrange(1000, 10000)}C{rng.randrange(1, 10)}"
    if unit_family == "speywood":
        return f"S{rng.randrange(10000, 100000)}"
    if unit_family == "merz":
        return f"A{rng.randrange(10000, 100000)}"
    return f"L{rng.randrange(100000, 1000000)}"


class LotCalendar:
    """Deliveries come in lots: a lot number covers 1-3 months of deliveries of one
    presentation and expires 6-21 months after the last one, so every vial expires 6-24
    months after it was received, and a lot recall finds several patients."""

    def __init__(self, rng: random.Random, first: date, last: date):
        self.rng, self.first, self.last = rng, first, last
        self.calendars: dict[tuple, tuple[list[date], list[tuple[str, date]]]] = {}
        self.used: set[str] = set()

    def lot(self, product: Product, presentation: int, received_on: date) -> tuple[str, date]:
        key = (product.slug, presentation)  # each presentation has its own lots
        if key not in self.calendars:
            self.calendars[key] = self._calendar(product)
        starts, lots = self.calendars[key]
        return lots[max(bisect_right(starts, received_on) - 1, 0)]

    def _calendar(self, product: Product):
        starts, lots = [], []
        day = self.first
        while day <= self.last:
            length = self.rng.randrange(30, 91)
            number = lot_number(self.rng, product.unit_family)
            while number in self.used:
                number = lot_number(self.rng, product.unit_family)
            self.used.add(number)
            expiry = day + timedelta(days=length + self.rng.randrange(183, 640))
            starts.append(day)
            lots.append((number, expiry))
            day += timedelta(days=length)
        return starts, lots


class StockHistory:
    """The vials of the treatment history (a part of TreatmentHistory)."""

    @cached_property
    def delivery_rng(self) -> random.Random:
        return random.Random(DELIVERY_SEED)

    @cached_property
    def lot_counts(self) -> Counter:
        """(product id, lot) -> vials numbered so far (the bulk path numbers its own)."""
        return Counter()

    @cached_property
    def receipts(self) -> dict:
        """(product id, lot, day) -> the bulk path's receipt of that lot that day."""
        return {}

    @cached_property
    def unsaved_receipts(self) -> list:
        return []

    def supplier_for(self, product: Product) -> str:
        rng = self.delivery_rng
        if product.unit_family in MAKERS and rng.random() < 0.3:
            return MAKERS[product.unit_family]
        return rng.choice(SUPPLIERS)

    def delivery_note(self) -> str:
        return f"DN{self.delivery_rng.randrange(100000, 1000000)}"

    def number_in_lot(self, product: Product, lot: str) -> int:
        """The next number within the lot, for a vial the bulk path makes itself (after
        any vials of that lot already in the database: one query per lot)."""
        key = (product.pk, lot)
        if key not in self.lot_counts:
            numbered = Vial.objects.filter(product=product, lot=lot).aggregate(
                last=Max("lot_sequence")
            )
            self.lot_counts[key] = numbered["last"] or 0
        self.lot_counts[key] += 1
        return self.lot_counts[key]

    def receipt_for(self, product: Product, lot: str, on: date, at: datetime) -> StockReceipt:
        """The bulk path's receipt for a lot delivered that day (saved by flush())."""
        key = (product.pk, lot, on)
        if key not in self.receipts:
            receipt = StockReceipt(
                supplier=self.supplier_for(product),
                delivery_note=self.delivery_note(),
                received_on=on,
                received_by=self.staff["reception"],
                created_at=at,
            )
            self.receipts[key] = receipt
            self.unsaved_receipts.append(receipt)
        return self.receipts[key]

    def save_receipts(self) -> None:
        StockReceipt.objects.bulk_create(self.unsaved_receipts, batch_size=1000)
        self.unsaved_receipts.clear()

    def receive(
        self, product: Product, presentation: int, on: date, clock: ReplayClock, quantity: int = 1
    ) -> Vial:
        """Vials delivered on a weekday morning and booked in by reception as one receipt
        (services.stock_receive); returns the first."""
        on = weekday_before(on)
        clock.at = aware(on, self.rng.randrange(9, 12), self.rng.randrange(60))
        lot, expiry = self.lots.lot(product, presentation, on)
        receipt = services.stock_receive(
            product=product,
            presentation_units=presentation,
            lot=lot,
            expiry=expiry,
            quantity=quantity,
            supplier=self.supplier_for(product),
            delivery_note=self.delivery_note(),
            received_by=self.staff["reception"],
            received_on=on,
        )
        self.created.setdefault(StockReceipt, {})[receipt.pk] = clock.at
        for vial in receipt.vials_received:
            self.created.setdefault(Vial, {})[vial.pk] = clock.at
        return receipt.vials_received[0]

    def presentation(self, product: Product, units: Decimal, upsize: float) -> int:
        sizes = sorted(p for p in product.presentations if p >= units) or [
            max(product.presentations)
        ]
        if len(sizes) > 1 and self.rng.random() < upsize:
            return sizes[1]
        return sizes[0]

    @staticmethod
    def reconstitute(vial: Vial, at: datetime, diluent: Decimal, by) -> None:
        """What services.vial_reconstitute records (use-by = time + in-use hours)."""
        vial.reconstituted_at, vial.diluent_ml, vial.reconstituted_by = at, diluent, by
        hours = vial.product.in_use_hours
        vial.use_by = at + timedelta(hours=hours) if hours else None
        vial.version = 2

    def odd_waste(self, clock: ReplayClock) -> None:
        """A few vials lost for other reasons: dropped, cold chain, did not attend."""
        rng = self.rng
        for index in range(max(2, len(self.signed) // 80)):
            reason, opened = ODD_WASTE[index % len(ODD_WASTE)]
            product = rng.choice(self.formulary)
            presentation = rng.choice(product.presentations)
            day = open_day(self.today - timedelta(days=rng.randrange(3, HISTORY_DAYS)))
            vial = self.receive(product, presentation, day - timedelta(rng.randrange(7, 43)), clock)
            user = self.staff[rng.choice(("practitioner", "nurse"))]
            gone = aware(day, 8, 45)
            if opened:
                made = aware(day, 9)
                clock.at = made
                vial = services.vial_reconstitute(
                    vial=vial,
                    diluent_ml=(D(presentation) / STOCK_UNITS_PER_ML[product.slug]).quantize(
                        D("0.01")
                    ),
                    reconstituted_by=user,
                    at=made,
                )
                late = "did not attend" in reason
                gone = made + (timedelta(hours=25) if late else timedelta(minutes=5))
            clock.at = gone
            services.vial_discard(
                vial=vial, reason=reason, wasted_units=D(presentation), discarded_by=user
            )
            self.vials_wasted += 1

    def stock(self, clock: ReplayClock) -> None:
        """Today's fridge: 2-4 unopened vials of each formulary product (one delivery of one
        lot each, told apart by their numbers in the lot), a BOTOX 100 U
        reconstituted this morning (usable now) and one reconstituted yesterday (past its
        use-by, not discarded: not offered)."""
        rng = self.rng
        for product in self.formulary:  # one delivery of 2-4 vials of one lot each
            quantity = rng.randint(2, 4)
            presentation = rng.choice(product.presentations)
            self.receive(
                product,
                presentation,
                self.today - timedelta(rng.randrange(7, 43)),
                clock,
                quantity=quantity,
            )
            self.vials_stock += quantity
        botox = self.products.get("botox")
        if botox is None or not botox.on_formulary:
            return
        yesterday = self.today - timedelta(days=1)
        mornings = (  # today (before now), and yesterday more than 24 hours ago
            (
                max(
                    min(aware(self.today, 8, 30), self.now - timedelta(minutes=15)),
                    aware(self.today, 0),
                ),
                "practitioner",
            ),
            (
                max(
                    min(aware(yesterday, 8, 30), self.now - timedelta(hours=24, minutes=10)),
                    aware(yesterday, 0),
                ),
                "nurse",
            ),
        )
        for made, who in mornings:
            vial = self.receive(botox, 100, self.today - timedelta(rng.randrange(8, 29)), clock)
            clock.at = made
            services.vial_reconstitute(
                vial=vial, diluent_ml=D(2), reconstituted_by=self.staff[who], at=made
            )
            self.vials_stock += 1
