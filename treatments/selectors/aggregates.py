"""Query expressions the treatments selectors share."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, StringAgg, Subquery, Value

from treatments.models import SessionVial

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=10, decimal_places=2))


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
