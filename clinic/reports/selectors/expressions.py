"""SQL pieces shared by the reports' rows: a zero for sums of units, one session's
units as a subquery, a patient's initials.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat, Substr, Upper

from treatments.models import InjectionPoint

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def total_units_subquery(session_ref: str = "pk"):
    """Units of one session (its injection points), as a correlated subquery: computed
    only for the rows of the page shown, unlike a GROUP BY over the whole period."""
    return Coalesce(
        Subquery(
            InjectionPoint.objects.filter(session_id=OuterRef(session_ref))
            .values("session_id")
            .annotate(total=Sum("units"))
            .values("total")[:1]
        ),
        ZERO,
    )


def initials(prefix: str = "patient__"):
    return Concat(
        Upper(Substr(f"{prefix}given_names", 1, 1)),
        Upper(Substr(f"{prefix}family_name", 1, 1)),
    )
