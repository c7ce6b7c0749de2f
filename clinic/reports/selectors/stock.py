"""Stock: units injected per product, vial wastage by product and lot (the dashboard's
stock panel), the units-and-wastage and lot-exposure reports' rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Min, QuerySet, Sum

from clinic.reports.selectors.expressions import ZERO
from clinic.reports.selectors.rollups import days_of, period_sums_by_indication_and_product
from clinic.reports.selectors.scope import Scope, performed_in, session_q
from treatments.choices import UnitFamily
from treatments.models import DailyWasteRollup, VialDraw


def units_by_product(scope: Scope, rows: list[dict] | None = None) -> list[dict]:
    """Units injected per product in the period, added up from the daily rollup's sums per
    indication and product (rollups.period_sums_by_indication_and_product: one read, or
    `rows` when the caller has them, as the dashboard's print does). One row per product,
    labelled with its unit family: never added across products (DOMAIN §1.2); in brand
    order (code-point order, as ORDER BY gives on SQLite and on the C.UTF-8 databases)."""
    if rows is None:
        rows = period_sums_by_indication_and_product(scope)
    products: dict[int, dict] = {}
    for row in rows:
        line = products.setdefault(
            row["product_id"],
            {
                "product_id": row["product_id"],
                "product": row["product_brand"],
                "unit_family": UnitFamily(row["unit_family"]).label,
                "units": ZERO.value,
                "sessions": 0,
            },
        )
        line["units"] += row["total_units"]
        line["sessions"] += row["total_sessions"]
    return sorted(products.values(), key=lambda line: (line["product"], line["product_id"]))


def _waste_percent(wasted, presentation) -> Decimal | None:
    if not presentation:
        return None
    return (Decimal(wasted) * 100 / Decimal(presentation)).quantize(Decimal("0.1"))


def wastage(scope: Scope, *, by_lot: bool, limit: int | None = None) -> list[dict]:
    """Vials discarded in the period (their reconciliation is complete: drawn + wasted =
    the presentation), per product or per product and lot: vials, units they held, units
    wasted and the wasted share. Not attributable to one practitioner or indication.
    From the daily wastage rollup (vial_discard writes it; a few rows a day)."""
    group = ["product_id", "product__brand", "product__unit_family"]
    if by_lot:
        group += ["lot"]
    qs = DailyWasteRollup.objects.filter(days_of(scope.period))
    if scope.product_id:
        qs = qs.filter(product_id=scope.product_id)
    qs = qs.values(*group).annotate(
        total_vials=Sum("vials"),
        total_presentation=Sum("presentation"),
        total_wasted=Sum("wasted"),
    )
    qs = qs.order_by("-total_wasted", "product__brand", *(["lot"] if by_lot else []))
    if limit:
        qs = qs[:limit]
    return [
        {
            "product_id": row["product_id"],
            "product": row["product__brand"],
            "unit_family": UnitFamily(row["product__unit_family"]).label,
            "lot": row.get("lot", ""),
            "vials": row["total_vials"],
            "presentation": row["total_presentation"],
            "wasted": row["total_wasted"],
            "wasted_percent": _waste_percent(row["total_wasted"], row["total_presentation"]),
        }
        for row in qs
    ]


def units_wastage_rows(scope: Scope) -> QuerySet:
    """Vials discarded in the period per product and lot: vials, units they held, units
    drawn and wasted as each was closed (Vial.drawn_at_discard, wasted_units), the
    earliest expiry. From the daily wastage rollup (vial_discard writes it; a few rows a
    day): over a year at a clinic group, its rows rather than a sum of the draws of every
    vial closed (3.1 s at 2.26M vials, bench/README.md)."""
    qs = DailyWasteRollup.objects.filter(days_of(scope.period))
    if scope.product_id:
        qs = qs.filter(product_id=scope.product_id)
    return (
        qs.values("product__brand", "product__unit_family", "lot")
        .annotate(
            vials=Sum("vials"),
            presentation=Sum("presentation"),
            drawn=Sum("drawn"),
            wasted=Sum("wasted"),
            expiry=Min("expiry"),
        )
        .order_by("product__brand", "lot")
    )


def lot_exposure_rows(scope: Scope, *, lot: str = "") -> QuerySet:
    """Every draw from a vial into a session in the period (optionally one lot): the
    recall list of DOMAIN §1.5, pseudonymised (record numbers)."""
    qs = VialDraw.objects.filter(performed_in(scope.period, "session__")).filter(
        session_q(scope, "session__")
    )
    lot = (lot or "").strip()
    if lot:
        qs = qs.filter(vial__lot__iexact=lot)
    return qs.values(
        "vial_id",
        "vial__lot",
        "vial__expiry",
        "vial__product__brand",
        "units",
        "session__public_id",
        "session__performed_at",
        "session__status",
        "session__patient__record_number",
        "session__indication__name",
        "session__practitioner__first_name",
        "session__practitioner__last_name",
        "session__practitioner__username",
    ).order_by("-session__performed_at", "-id")  # newest first: served by the date index
