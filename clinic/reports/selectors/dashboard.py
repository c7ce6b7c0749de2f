"""The dashboard: every tile in a fixed number of queries (listed in
tests/clinic/test_report_query_counts.py), and its deferred panels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from clinic.reports.selectors.compliance import (
    CHART_COMPLETION_HOURS,
    questionnaires_unreviewed,
    unsigned_overdue,
)
from clinic.reports.selectors.diary import diary_attendance
from clinic.reports.selectors.followups import follow_up_counts
from clinic.reports.selectors.outcomes import outcome_responders, responder_thresholds_and_keys
from clinic.reports.selectors.retreatment import retreatment_counts
from clinic.reports.selectors.rollups import period_sums_by_indication_and_product
from clinic.reports.selectors.scope import Scope
from clinic.reports.selectors.sessions import (
    compliance_sums,
    registered_patients,
    session_summary,
)
from clinic.reports.selectors.side_effects import (
    side_effect_rates_by_indication_and_product,
    side_effect_worklist,
)
from clinic.reports.selectors.stock import units_by_product, wastage


@dataclass
class Comparison:
    current: Decimal | int | None
    previous: Decimal | int | None

    @property
    def change_percent(self) -> Decimal | None:
        if self.current is None or not self.previous:
            return None
        return (Decimal(self.current - self.previous) * 100 / Decimal(self.previous)).quantize(
            Decimal("0.1")
        )

    @property
    def direction(self) -> str:
        if self.current is None or self.previous is None or self.current == self.previous:
            return "same"
        return "up" if self.current > self.previous else "down"


@dataclass
class Dashboard:
    scope: Scope
    sessions: Comparison
    active_patients: Comparison
    new_patients: Comparison
    registered_patients: Comparison | None
    sessions_over_time: list[dict]  # bucket (first day), label, sessions, under_way
    sessions_per: str  # "week" or "month": the buckets of sessions_over_time
    units_by_product: list[dict] | None  # None: deferred to its own request
    wastage_by_product: list[dict] | None
    wastage_by_lot: list[dict] | None
    sessions_by_practitioner: list[dict]
    side_effects_by_indication: list[dict]
    side_effects_by_product: list[dict]
    side_effect_worklist: dict
    responders: list[dict] | None  # None: deferred to its own request (dashboard_panel)
    follow_ups: dict
    retreatment: dict | None  # None: deferred to its own request
    compliance: dict
    thresholds: dict = field(default_factory=dict)
    diary: object | None = None  # the diary's attendance (issue 15); None: deferred
    # The week or month under way (since, sessions), off the chart's line; None: none is.
    sessions_so_far: dict | None = None


def dashboard(*, scope: Scope, whole_clinic: bool, deferred: bool = False) -> Dashboard:
    """Every tile of the dashboard; a fixed number of queries (listed in
    tests/clinic/test_report_query_counts.py). With `deferred`, the two heaviest panels
    (outcome responder rates and re-treatment due, over every series and every patient's
    latest course) are left out: the page loads them with their own requests
    (dashboard_panels), so it shows its figures without waiting for them."""
    # Two reads of the session summaries for every session tile (session_summary: per
    # practitioner and week or month over both periods, with the distinct patients;
    # the period's daily-rollup sums per indication and product), added up in Python.
    summary = session_summary(scope)
    figures = summary["figures"]
    period_sums = period_sums_by_indication_and_product(scope)
    thresholds = responder_thresholds_and_keys()
    registered = None
    if whole_clinic:
        counts = registered_patients(scope.period)
        registered = Comparison(counts["current"], counts["previous"])
    side_effect_rates = side_effect_rates_by_indication_and_product(scope, period_sums)
    compliance = {
        "unsigned_overdue": unsigned_overdue(scope).count(),
        **compliance_sums(period_sums),
        "questionnaires_unreviewed": questionnaires_unreviewed().count(),
        "hours": CHART_COMPLETION_HOURS,
    }
    return Dashboard(
        scope=scope,
        sessions=Comparison(figures["sessions"], figures["sessions_previous"]),
        active_patients=Comparison(figures["active"], figures["active_previous"]),
        new_patients=Comparison(figures["new"], None),
        registered_patients=registered,
        sessions_over_time=summary["over_time"],
        sessions_per=summary["per"],
        sessions_so_far=summary["so_far"],
        units_by_product=None if deferred else units_by_product(scope, period_sums),
        wastage_by_product=wastage(scope, by_lot=False) if whole_clinic and not deferred else None,
        wastage_by_lot=(
            wastage(scope, by_lot=True, limit=8) if whole_clinic and not deferred else None
        ),
        sessions_by_practitioner=summary["by_practitioner"],
        side_effects_by_indication=side_effect_rates["indication"],
        side_effects_by_product=side_effect_rates["product"],
        side_effect_worklist=side_effect_worklist(scope),
        responders=None if deferred else outcome_responders(scope, thresholds=thresholds),
        follow_ups=follow_up_counts(scope),
        retreatment=None if deferred else retreatment_counts(scope),
        compliance=compliance,
        thresholds=thresholds,
        diary=None if deferred else diary_attendance(scope),
    )


DASHBOARD_PANELS = ("stock", "outcomes", "retreatment", "diary")


def dashboard_panel(*, scope: Scope, panel: str, whole_clinic: bool = False) -> dict:
    """One deferred panel of the dashboard (see dashboard(deferred=True)): units per
    product and, for the whole clinic, vial wastage by product and lot (1 or 3 queries);
    the responder rates with their thresholds (2); or the re-treatment counts (3)."""
    if panel == "stock":
        return {
            "units_by_product": units_by_product(scope),
            "wastage_by_product": wastage(scope, by_lot=False) if whole_clinic else None,
            "wastage_by_lot": wastage(scope, by_lot=True, limit=8) if whole_clinic else None,
        }
    if panel == "outcomes":
        thresholds = responder_thresholds_and_keys()
        return {
            "thresholds": thresholds,
            "responders": outcome_responders(scope, thresholds=thresholds),
        }
    if panel == "retreatment":
        return {"retreatment": retreatment_counts(scope)}
    if panel == "diary":
        return {"diary": diary_attendance(scope)}
    raise ValueError(panel)
