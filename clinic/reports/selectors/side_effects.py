"""Side effects: rates per 100 signed sessions, the governance worklists (DOMAIN §10
rule 39) and the side-effects report's rows with the Yellow Card fields.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from clinic.reports.selectors.expressions import initials, total_units_subquery
from clinic.reports.selectors.rollups import period_sums_by_indication_and_product
from clinic.reports.selectors.scope import Scope, session_q
from treatments.models import SideEffect
from treatments.selectors.aggregates import further_lots_subquery

# Side-effect worklists: open governance work whatever the onset date (DOMAIN §10 rule 39).
SIDE_EFFECT_WORKLISTS = {
    "serious-pending": Q(is_serious=True, regulator_decision=""),
    "unreviewed": Q(status="unreviewed"),
}


def side_effect_rates_by_indication_and_product(
    scope: Scope, rows: list[dict] | None = None
) -> dict[str, list[dict]]:
    """Side effects reported against the signed sessions of the period, per 100 of those
    sessions, by indication and by product, from one read of the daily rollup (kept
    current by the side-effect services) grouped by both
    (rollups.period_sums_by_indication_and_product: a few dozen rows; `rows` when the
    caller has read them already), added up here: at 1M patients / 5M sessions each read
    of the period's rollup rows costs ~30-70 ms (bench/README.md, "1M/5M after the
    rollups"), so the dashboard reads them once for all its tiles."""
    if rows is None:
        rows = period_sums_by_indication_and_product(scope)
    totals: dict[str, dict] = {"indication": {}, "product": {}}
    for row in rows:
        for by, label in (("indication", "indication_name"), ("product", "product_brand")):
            key = row[f"{by}_id"]
            line = totals[by].setdefault(
                key, {"id": key, "name": row[label], "sessions": 0, "side_effects": 0, "serious": 0}
            )
            line["sessions"] += row["total_sessions"]
            line["side_effects"] += row["reported"]
            line["serious"] += row["serious"]
    return {by: _rates(lines.values()) for by, lines in totals.items()}


def _rates(lines) -> list[dict]:
    """The per-100 rate of each line, in name order: code-point order, as ORDER BY the label
    gives on SQLite and on the C.UTF-8 databases (.ci/postgres.sh, deploy/serve.sh)."""
    return [
        {
            **line,
            "per_100": (Decimal(line["side_effects"]) * 100 / line["sessions"]).quantize(
                Decimal("0.1")
            )
            if line["sessions"]
            else None,
        }
        for line in sorted(lines, key=lambda line: (line["name"], line["id"]))
    ]


def side_effect_worklist(scope: Scope) -> dict:
    """Open governance work, whatever the period: serious reactions with no regulator
    decision yet (DOMAIN §10 rule 39) and reports not yet reviewed by a practitioner."""
    pending = SIDE_EFFECT_WORKLISTS["serious-pending"]
    unreviewed = SIDE_EFFECT_WORKLISTS["unreviewed"]
    return (
        SideEffect.objects.filter(pending | unreviewed)
        .filter(session_q(scope, "session__"))
        .aggregate(
            serious_pending=Count("id", filter=pending),
            unreviewed=Count("id", filter=unreviewed),
        )
    )


def side_effect_rows(scope: Scope, *, worklist: str | None = None) -> QuerySet:
    """Side effects with onset in the period (or, for a worklist, open ones whatever
    their date), with the Yellow Card fields (DOMAIN §4.5): the patient as record number
    (local identification number), initials, sex and date of birth for the age at the
    reaction; suspect product brand and batch from the session. No names, no free-text
    description."""
    qs = SideEffect.objects.filter(session_q(scope, "session__"))
    if worklist in SIDE_EFFECT_WORKLISTS:
        qs = qs.filter(SIDE_EFFECT_WORKLISTS[worklist])
    else:
        qs = qs.filter(onset_date__gte=scope.period.start, onset_date__lte=scope.period.end)
    return (
        qs.annotate(
            record_number=F("patient__record_number"),
            patient_initials=initials(),
            patient_sex=F("patient__sex"),
            patient_dob=F("patient__date_of_birth"),
            term_name=F("term__name"),
            brand=F("session__product__brand"),
            generic_name=F("session__product__generic_name"),
            batch=F("session__vial__lot"),
            batch_expiry=F("session__vial__expiry"),
            second_batch=further_lots_subquery("session_id"),
            indication_name=F("session__indication__name"),
            session_at=F("session__performed_at"),
            dose_units=total_units_subquery("session_id"),
        )
        .values(
            "public_id",
            "onset_date",
            "resolution_date",
            "record_number",
            "patient_initials",
            "patient_sex",
            "patient_dob",
            "term_name",
            "term_other",
            "severity",
            "is_serious",
            "serious_death",
            "serious_life_threatening",
            "serious_hospitalisation",
            "serious_disability",
            "serious_congenital",
            "serious_medically_important",
            "outcome",
            "causality",
            "action_taken",
            "treatment_given",
            "brand",
            "generic_name",
            "batch",
            "batch_expiry",
            "second_batch",
            "indication_name",
            "session_at",
            "dose_units",
            "status",
            "regulator_decision",
            "yellow_card_reference",
            "not_reported_reason",
        )
        .order_by("-onset_date", "-id")
    )
