"""Query expressions the treatments selectors share."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, StringAgg, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from treatments.models import SessionVial

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=10, decimal_places=2))


class UnitsTotal(DecimalField):
    """A total of units as read back: to its 2 decimal places, as a column of units is.
    SQLite adds decimals up as floats, and Django reads a computed value back with 15
    significant digits: 25.95 + 25.95 came back as 51.9000000000000, the vial page
    offered 125 U less that as the waste (73.1000000000000), and its discard form refused
    it as more than 8 digits (browser review, 07/12/2026). PostgreSQL's sum is exact."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else value.quantize(Decimal(1).scaleb(-self.decimal_places))


UNITS_TOTAL = UnitsTotal(max_digits=10, decimal_places=2)


def units_total(expression, **extra) -> Coalesce:
    """Sum(expression) of units, 0 when there is none, to 2 decimal places (UnitsTotal).
    `expression`: a units column, or a subquery of such a total (with no `extra`)."""
    total = expression if isinstance(expression, Subquery) else Sum(expression, **extra)
    return Coalesce(total, ZERO, output_field=UNITS_TOTAL)


def further_lots_subquery(session_ref: str = "pk") -> Subquery:
    """The lots of a session's further vials (after its first), "A + B", in draw order:
    for reports that list a session's batches (any number of vials, issue 13.1)."""
    return Subquery(
        SessionVial.objects.filter(session_id=OuterRef(session_ref))
        .values("session_id")
        # No order_by: SQLite cannot order inside an aggregate here; rows come in
        # insertion order, which is the draw order.
        .annotate(lots=StringAgg("vial__lot", delimiter=Value(" + ")))
        .values("lots")[:1]
    )
