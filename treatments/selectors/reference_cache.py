"""The reference data the session editor, the live check and signing read on every request
(safety parameters, dose guidelines and limits, protocols, anatomical sites, which
indications have outcome measures), kept per process as the engine's plain facts.

Each request checks the copy against the database (`reference_snapshot`): a fingerprint
of the reference tables, read by one query of its own, or as a column of a read the
request makes anyway (`reference_stamp`: the session editor's session, the patient a
session starts for). On PostgreSQL it sums the rows' `xmin` (the
transaction that last wrote each row), so any INSERT, UPDATE or DELETE, from the admin, a
migration, a shell `.update()` or another worker, changes it; on SQLite (the demo, one
process) it is each table's row count and latest `updated_at` (or id). A rolled-back
change restores the old fingerprint, so a copy built inside it is never kept. The copy is
rebuilt (ten queries) whenever the fingerprint differs from the one it was built for."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from treatments import safety
from treatments.models import (
    AnatomicalSite,
    DoseGuideline,
    DoseLimit,
    Indication,
    Product,
    SafetyParameter,
    SiteTemplate,
    SiteTemplateRow,
)

_TIMESTAMPED = (
    AnatomicalSite,
    DoseGuideline,
    DoseLimit,
    Indication,
    Product,
    SafetyParameter,
    SiteTemplate,
)
_PLAIN = (SiteTemplateRow, Indication.outcome_instruments.through)


@dataclass(frozen=True)
class ReferenceSnapshot:
    """One consistent copy of the reference data, as engine facts and form choices."""

    parameters: dict[str, object]
    parameter_sources: dict[str, str]
    guidelines: dict[tuple[int, int], safety.GuidelineFacts]
    limits_by_family: dict[str, tuple[safety.DoseLimitFacts, ...]]
    protocols: dict[tuple[int, int], safety.ProtocolFacts]
    sites: tuple[AnatomicalSite, ...]
    sites_by_indication: dict[int, frozenset[int]]
    indications_with_outcomes: frozenset[int]
    # The session start form's choices and the site templates (with their rows, each
    # row's site from `sites`): model instances, shared read-only by the requests.
    indications: dict[int, Indication] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    templates: tuple[SiteTemplate, ...] = ()
    stamp: str = field(default="", compare=False)
    # What the requests derive from this copy and share while it is current (the editor's
    # site choices per indication, with their rows' fields and option HTML): built once
    # per copy, read-only once stored, and gone with the copy when the data changes.
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def sites_by_pk(self) -> dict[int, AnatomicalSite]:
        return {site.pk: site for site in self.sites}

    def site_template(self, indication, product) -> SiteTemplate | None:
        """The template to start from: the indication's template for this product, else
        its generic one (no product); the first by id (selectors.site_template_for)."""
        candidates = [
            t
            for t in self.templates
            if t.indication_id == indication.pk and t.product_id in (product.pk, None)
        ]
        candidates.sort(key=lambda t: (t.product_id is None, t.pk))
        return candidates[0] if candidates else None

    def guideline(self, product, indication) -> safety.GuidelineFacts | None:
        if product is None:
            return None
        return self.guidelines.get((product.pk, indication.pk))

    def protocol(self, indication, product) -> safety.ProtocolFacts | None:
        """The protocol of this product's template for the indication: a protocol is in
        one product's units, so it is never applied to another product."""
        if product is None:
            return None
        return self.protocols.get((indication.pk, product.pk))

    def reference(self, product) -> safety.ReferenceFacts:
        return safety.ReferenceFacts(
            limits=self.limits_by_family.get(product.unit_family, ()) if product else (),
            parameters=self.parameters,
            parameter_sources=self.parameter_sources,
        )


_GUIDELINE_FIELDS = (
    "product_id",
    "indication_id",
    "licensed_uk",
    "source",
    "expected_min_units",
    "expected_max_units",
    "min_interval_days",
    "min_age_years",
    "min_weight_kg",
)

_lock = threading.Lock()
_current: ReferenceSnapshot | None = None


def _stamp_sql() -> str:
    """The fingerprint as one SQL expression: each reference table's row count and latest
    change, joined. Table names come from the models, never from input."""
    if connection.vendor == "postgresql":
        changed = dict.fromkeys((*_TIMESTAMPED, *_PLAIN), "SUM(xmin::text::bigint)")
    else:
        changed = {
            **dict.fromkeys(_TIMESTAMPED, "MAX(updated_at)"),
            **dict.fromkeys(_PLAIN, "MAX(id)"),
        }
    parts = [
        f"(SELECT COUNT(*) || ':' || COALESCE({expression}, 0) "  # noqa: S608 (see above)
        f"FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model, expression in changed.items()
    ]
    return "(" + " || '|' || ".join(parts) + ")"


def reference_stamp() -> RawSQL:
    """The fingerprint as an annotation, so that a read the request makes anyway (the
    session editor's session, the patient a session starts for) brings it along and
    `reference_snapshot(stamp=...)` costs no query of its own."""
    return RawSQL(_stamp_sql(), (), output_field=CharField())  # noqa: S611 (no input in it)


def reference_snapshot(stamp: str | None = None) -> ReferenceSnapshot:
    """The current reference data: one query when this process's copy is up to date, none
    when the caller read `stamp` (the `reference_stamp()` annotation) in this request."""
    global _current
    if stamp is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_stamp_sql()}")
            (stamp,) = cursor.fetchone()
    snapshot = _current
    if snapshot is not None and snapshot.stamp == stamp:
        return snapshot
    snapshot = _build(stamp)
    with _lock:
        _current = snapshot
    return snapshot


def _build(stamp: str) -> ReferenceSnapshot:
    parameters = list(SafetyParameter.objects.all())
    guidelines = {
        (g.product_id, g.indication_id): safety.GuidelineFacts(
            licensed_uk=g.licensed_uk,
            source=g.source,
            expected_min_units=g.expected_min_units,
            expected_max_units=g.expected_max_units,
            min_interval_days=g.min_interval_days,
            min_age_years=g.min_age_years,
            min_weight_kg=g.min_weight_kg,
        )
        for g in DoseGuideline.objects.order_by().only(*_GUIDELINE_FIELDS)
    }
    limits: dict[str, list[safety.DoseLimitFacts]] = {}
    # The model's own order (unit family, code), as the engine has always read them.
    for limit in DoseLimit.objects.select_related("product", "indication"):
        limits.setdefault(limit.unit_family, []).append(
            safety.DoseLimitFacts(
                code=limit.code,
                label=limit.label,
                unit_family=limit.unit_family,
                level=safety.Level(limit.level),
                source=limit.source,
                scope=limit.scope,
                product_slug=limit.product.slug if limit.product else None,
                indication_slug=limit.indication.slug if limit.indication else None,
                population=limit.population,
                laterality=limit.laterality,
                muscle_group=limit.muscle_group,
                window_days=limit.window_days,
                max_units=limit.max_units,
                max_units_per_kg=limit.max_units_per_kg,
                max_volume_ml=limit.max_volume_ml,
                first_treatment_only=limit.first_treatment_only,
            )
        )
    sites = tuple(AnatomicalSite.objects.order_by("region", "name"))
    by_pk = {site.pk: site for site in sites}
    sites_by_indication: dict[int, set[int]] = {}
    for indication_id, site_id in SiteTemplateRow.objects.order_by().values_list(
        "template__indication_id", "site_id"
    ):
        sites_by_indication.setdefault(indication_id, set()).add(site_id)
    protocols = {}
    templates = list(SiteTemplate.objects.prefetch_related("rows").order_by("id"))
    for template in templates:
        for row in template.rows.all():
            row.site = by_pk[row.site_id]
    # The first template (by id) with protocol bounds, per indication and product.
    for template in templates:
        key = (template.indication_id, template.product_id)
        if template.protocol_min_units is None or template.product_id is None:
            continue
        if key in protocols:
            continue
        groups: dict[str, safety.ProtocolGroup] = {}
        for row in template.rows.all():
            site = by_pk[row.site_id]
            group = site.muscle_group or site.name
            if row.group_fixed_units is not None or row.group_max_units is not None:
                groups[group] = safety.ProtocolGroup(
                    muscle_group=group,
                    fixed_units=row.group_fixed_units,
                    max_units=row.group_max_units,
                )
        protocols[key] = safety.ProtocolFacts(
            name=template.name,
            source=template.source,
            min_units=template.protocol_min_units,
            max_units=template.protocol_max_units,
            min_sites=template.protocol_min_sites,
            max_sites=template.protocol_max_sites,
            groups=tuple(groups.values()),
        )
    with_outcomes = frozenset(
        Indication.outcome_instruments.through.objects.values_list("indication_id", flat=True)
    )
    return ReferenceSnapshot(
        parameters={p.key: p.value for p in parameters},
        parameter_sources={p.key: p.source for p in parameters},
        guidelines=guidelines,
        limits_by_family={family: tuple(items) for family, items in limits.items()},
        protocols=protocols,
        sites=sites,
        sites_by_indication={k: frozenset(v) for k, v in sites_by_indication.items()},
        indications_with_outcomes=with_outcomes,
        indications={i.pk: i for i in Indication.objects.order_by("category", "name")},
        products={p.pk: p for p in Product.objects.order_by("brand")},
        templates=tuple(templates),
        stamp=stamp,
    )
