"""The seeded site templates (PREEMPT, the other protocols, the cosmetic templates per
product) against DOMAIN.md §11, and the seed migration's reverse."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps

from tests.treatments.seeds import (
    CHILDBEARING_KEYS,
    CHILDBEARING_SEED,
    CONSENT_VALIDITY_SEED,
    COSMETIC_TEMPLATES_SEED,
    NICE_SEED,
    RESPONDER_SEED,
    SEED,
    SIDE_EFFECT_SEED,
    VERIFIED_ON,
)
from treatments.choices import Side
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

pytestmark = pytest.mark.django_db


# --- Site templates ---------------------------------------------------------------------


def _rows(slug: str) -> list[SiteTemplateRow]:
    return list(
        SiteTemplateRow.objects.filter(template__slug=slug).select_related("site").order_by("order")
    )


def test_preempt_template():
    template = SiteTemplate.objects.get(slug="preempt")
    assert template.indication.slug == "chronic-migraine"
    assert template.product.slug == "botox"
    assert (template.protocol_min_units, template.protocol_max_units) == (
        Decimal(155),
        Decimal(195),
    )
    assert (template.protocol_min_sites, template.protocol_max_sites) == (31, 39)
    rows = _rows("preempt")
    assert len(rows) == 39
    fixed = [row for row in rows if not row.optional]
    assert len(fixed) == 31
    assert sum(row.units for row in fixed) == Decimal(155)
    assert sum(row.units for row in rows) == Decimal(195)
    for row in rows:
        assert (row.units, row.volume_ml, row.points) == (Decimal(5), Decimal("0.1"), 1)
    assert [row.order for row in rows] == list(range(1, 40))


PREEMPT_GROUPS = {
    # group: (fixed rows, optional rows, group fixed U, group max U)
    "Corrugator": (2, 0, Decimal(10), None),
    "Procerus": (1, 0, Decimal(5), None),
    "Frontalis": (4, 0, Decimal(20), None),
    "Temporalis": (8, 2, None, Decimal(50)),
    "Occipitalis": (6, 2, None, Decimal(40)),
    "Cervical paraspinal": (4, 0, Decimal(20), None),
    "Trapezius": (6, 4, None, Decimal(50)),
}


def test_preempt_groups():
    by_group = defaultdict(list)
    for row in _rows("preempt"):
        by_group[row.site.muscle_group].append(row)
    assert set(by_group) == set(PREEMPT_GROUPS)
    for group, (fixed, optional, group_fixed, group_max) in PREEMPT_GROUPS.items():
        rows = by_group[group]
        assert sum(not row.optional for row in rows) == fixed, group
        assert sum(row.optional for row in rows) == optional, group
        assert {row.group_fixed_units for row in rows} == {group_fixed}, group
        assert {row.group_max_units for row in rows} == {group_max}, group
        fixed_units = sum(row.units for row in rows if not row.optional)
        if group_fixed is not None:
            assert fixed_units == group_fixed, group
        if group_max is not None:
            assert sum(row.units for row in rows) == group_max, group


def test_preempt_sides_are_symmetric():
    sides = defaultdict(lambda: defaultdict(int))
    for row in _rows("preempt"):
        sides[row.site.muscle_group][row.side] += 1
    for group, counts in sides.items():
        if group == "Procerus":
            assert dict(counts) == {Side.MIDLINE: 1}
        else:
            assert counts[Side.LEFT] == counts[Side.RIGHT], group
            assert set(counts) == {Side.LEFT, Side.RIGHT}, group


@pytest.mark.parametrize(
    ("slug", "indication", "product", "units", "volume", "points"),
    [
        ("oab-20", "oab", "botox", 100, 10, 20),
        ("ndo-30", "ndo-adult", "botox", 200, 30, 30),
        ("axillary-grid", "hyperhidrosis-axillary", "botox", 100, 4, 20),
        ("glabellar-botox", "glabellar-lines", "botox", 20, "0.5", 5),
        ("glabellar-azzalure", "glabellar-lines", "azzalure", 50, "0.25", 5),
        ("crows-feet-botox", "lateral-canthal-lines", "botox", 24, "0.6", 6),
        ("forehead-botox", "forehead-lines", "botox", 20, "0.5", 5),
    ],
)
def test_other_templates(slug, indication, product, units, volume, points):
    template = SiteTemplate.objects.get(slug=slug)
    assert template.indication.slug == indication
    assert template.product.slug == product
    rows = _rows(slug)
    assert sum(row.units for row in rows) == Decimal(units)
    assert sum(row.volume_ml for row in rows) == Decimal(volume)
    assert sum(row.points for row in rows) == points
    assert not any(row.optional for row in rows)


def test_template_totals_match_the_guideline_dose():
    for template in SiteTemplate.objects.exclude(slug="preempt"):
        guideline = DoseGuideline.objects.get(
            product=template.product, indication=template.indication
        )
        total = sum(row.units for row in template.rows.all())
        assert guideline.expected_min_units <= total <= guideline.expected_max_units, template


def test_only_single_family_templates_carry_protocol_bounds():
    bounded = set(
        SiteTemplate.objects.filter(protocol_min_units__isnull=False).values_list("slug", flat=True)
    )
    assert bounded == {"preempt", "oab-20"}
    oab = SiteTemplate.objects.get(slug="oab-20")
    assert (oab.protocol_min_units, oab.protocol_max_units) == (Decimal(100), Decimal(100))


def test_glabellar_rows():
    botox = [
        (r.site.slug, r.side, r.units, r.volume_ml, r.points) for r in _rows("glabellar-botox")
    ]
    assert botox == [
        ("procerus", "midline", Decimal(4), Decimal("0.1"), 1),
        ("corrugator", "left", Decimal(8), Decimal("0.2"), 2),
        ("corrugator", "right", Decimal(8), Decimal("0.2"), 2),
    ]
    azzalure = [(r.site.slug, r.units, r.volume_ml, r.points) for r in _rows("glabellar-azzalure")]
    assert azzalure == [
        ("procerus", Decimal(10), Decimal("0.05"), 1),
        ("corrugator", Decimal(20), Decimal("0.1"), 2),
        ("corrugator", Decimal(20), Decimal("0.1"), 2),
    ]


def test_bladder_rows_are_midline_detrusor():
    for slug in ("oab-20", "ndo-30"):
        (row,) = _rows(slug)
        assert row.site.slug == "bladder-detrusor"
        assert row.side == "midline"


# --- The migration's reverse ------------------------------------------------------------


def _counts() -> tuple[int, ...]:
    return (
        SafetyParameter.objects.count(),
        DoseGuideline.objects.count(),
        DoseLimit.objects.count(),
        SiteTemplate.objects.count(),
        SiteTemplateRow.objects.count(),
    )


def _flags(slug: str) -> tuple:
    product = Product.objects.get(slug=slug)
    return (
        product.milk_protein_contraindicated,
        product.cosmetic_neuromuscular_contraindicated,
        product.inflammation_contraindicated,
        product.cosmetic_max_age_years,
        product.source,
        product.notes,
    )


def test_unseed_removes_exactly_what_seed_created_and_seed_restores_it():
    # Later migrations' rows, undone first, as migrating back would.
    CHILDBEARING_SEED.unseed(apps, None)
    CONSENT_VALIDITY_SEED.unseed(apps, None)
    COSMETIC_TEMPLATES_SEED.unseed(apps, None)
    SIDE_EFFECT_SEED.unseed(apps, None)
    RESPONDER_SEED.unseed(apps, None)
    NICE_SEED.unseed(apps, None)
    seeded = _counts()
    assert seeded == (11, 57, 35, 8, 52)
    seeded_flags = {slug: _flags(slug) for slug in ("dysport", "azzalure", "vistabel", "bocouture")}
    extra = DoseLimit.objects.create(
        code="dose-test-extra",
        label="Test extra",
        unit_family="allergan",
        scope="session",
        max_units=Decimal(1),
        level="warn",
        source="test",
        verified_on=VERIFIED_ON,
    )

    SEED.unseed(apps, None)
    assert _counts() == (0, 0, 1, 0, 0)
    assert DoseLimit.objects.get() == extra
    assert not Indication.objects.exclude(safety_profile="general").exists()
    assert AnatomicalSite.objects.get(slug="sternocleidomastoid").muscle_group == ""
    dysport = Product.objects.get(slug="dysport")
    assert dysport.milk_protein_contraindicated is False
    assert dysport.cosmetic_max_age_years is None
    assert "§3.4" not in dysport.source
    assert not Product.objects.filter(cosmetic_neuromuscular_contraindicated=True).exists()

    SEED.seed(apps, None)
    SEED.seed(apps, None)  # idempotent: update_or_create on natural keys
    assert _counts() == (seeded[0], seeded[1], seeded[2] + 1, *seeded[3:])
    assert {slug: _flags(slug) for slug in seeded_flags} == seeded_flags
    assert Indication.objects.get(slug="chronic-migraine").safety_profile == "chronic-migraine"
    assert AnatomicalSite.objects.get(slug="sternocleidomastoid").muscle_group == (
        "Sternocleidomastoid"
    )
    assert len(_rows("preempt")) == 39
    NICE_SEED.seed(apps, None)
    RESPONDER_SEED.seed(apps, None)
    COSMETIC_TEMPLATES_SEED.seed(apps, None)
    CHILDBEARING_SEED.seed(apps, None)
    assert set(SafetyParameter.objects.values_list("key", flat=True)) >= CHILDBEARING_KEYS


@pytest.mark.parametrize(
    ("indication", "product", "units"),
    [
        ("glabellar-lines", "botox", 20),
        ("glabellar-lines", "vistabel", 20),
        ("glabellar-lines", "azzalure", 50),
        ("glabellar-lines", "bocouture", 20),
        ("lateral-canthal-lines", "botox", 24),
        ("lateral-canthal-lines", "vistabel", 24),
        ("lateral-canthal-lines", "azzalure", 60),
        ("lateral-canthal-lines", "bocouture", 24),
    ],
)
def test_every_product_licensed_for_a_cosmetic_area_has_its_own_template(
    indication, product, units
):
    """Issue 13.9: a Vistabel (or Azzalure, Bocouture) session starts pre-filled."""
    from treatments.selectors import site_template_for

    template = site_template_for(
        indication=Indication.objects.get(slug=indication),
        product=Product.objects.get(slug=product),
    )
    assert template is not None and template.product.slug == product
    assert sum(row.units for row in template.rows.all()) == units


def test_the_site_list_offers_the_indications_sites_first():
    from treatments.forms import SiteChoices

    glabellar = Indication.objects.get(slug="glabellar-lines")
    choices = SiteChoices.load(indication=glabellar).choices
    label, options = choices[1]
    assert label == "Sites for Glabellar lines"
    assert {name for _, name in options} == {"Procerus", "Corrugator supercilii"}
    listed = [pk for _, group in choices[1:] for pk, _ in group]
    assert len(listed) == len(set(listed))  # each site once
