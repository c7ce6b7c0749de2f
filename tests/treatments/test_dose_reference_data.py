"""The dose-safety reference data seeded by treatments/migrations/0004_seed_dose_reference.py.

Migrations run when the test database is created, so the seeded rows are present in every
test. Values are checked against DOMAIN.md §2, §3.1-3.4, §10 rules 8-32 and §11.
"""

import datetime
import importlib
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps

from treatments.choices import Laterality, LimitScope, Population, SafetyLevel, Side, UnitFamily
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
from treatments.safety import NICE_PARAMETER_KEYS, PARAMETER_KEYS

pytestmark = pytest.mark.django_db

SEED = importlib.import_module("treatments.migrations.0004_seed_dose_reference")
NICE_SEED = importlib.import_module("treatments.migrations.0007_seed_nice_parameters")
RESPONDER_SEED = importlib.import_module("treatments.migrations.0009_seed_responder_parameters")
SIDE_EFFECT_SEED = importlib.import_module("treatments.migrations.0011_seed_side_effect_terms")
COSMETIC_TEMPLATES_SEED = importlib.import_module(
    "treatments.migrations.0017_seed_cosmetic_templates_per_product"
)
# The diary's reference row (issue 15.4), a SafetyParameter the diary reads, not the engine.
CONSENT_VALIDITY_SEED = importlib.import_module(
    "clinic.diary.migrations.0007_seed_consent_validity"
)
CHILDBEARING_SEED = importlib.import_module(
    "treatments.migrations.0028_seed_childbearing_age_parameters"
)
CHILDBEARING_KEYS = {key for key, *_ in CHILDBEARING_SEED.PARAMETERS}

VERIFIED_ON = datetime.date(2026, 11, 21)
SLUG = re.compile(r"^[-a-z0-9]+$")

SOURCED_MODELS = (SafetyParameter, DoseGuideline, DoseLimit, SiteTemplate)


def _limit(code: str) -> DoseLimit:
    return DoseLimit.objects.select_related("product", "indication").get(code=code)


# --- Counts -----------------------------------------------------------------------------


def test_counts():
    # 0004 + 0007 + the two responder thresholds of 0009 + the three side-effect rows of 0011
    # + the diary's consent validity (diary 0007) + rule 27's childbearing ages (0028)
    assert SafetyParameter.objects.count() == 11 + len(NICE_PARAMETER_KEYS) + 2 + 3 + 1 + 2
    assert DoseGuideline.objects.count() == 57
    assert DoseGuideline.objects.filter(licensed_uk=True).count() == 45
    assert DoseLimit.objects.count() == 35
    # 0004's 8 and 52, and 0017's 5 templates of 12 rows (issue 13.9)
    assert SiteTemplate.objects.count() == 8 + 5
    assert SiteTemplateRow.objects.count() == 52 + 12


@pytest.mark.parametrize("model", SOURCED_MODELS, ids=lambda m: m.__name__)
def test_every_row_is_sourced_and_dated(model):
    assert model.objects.exists()
    # 0017's templates and the diary's consent validity (diary 0007) were checked later.
    # Rule 27's childbearing ages (0028) on 04/12.
    later = {
        "2026-12-02": {*COSMETIC_TEMPLATES_SEED.TEMPLATES_BY_SLUG, CONSENT_VALIDITY_SEED.KEY},
        "2026-12-04": CHILDBEARING_KEYS,
    }
    for row in model.objects.all():
        assert row.source.strip(), row
        expected = next(
            (
                day
                for day, slugs in later.items()
                if getattr(row, "slug", getattr(row, "key", None)) in slugs
            ),
            None,
        )
        assert row.verified_on == (
            VERIFIED_ON if expected is None else datetime.date.fromisoformat(expected)
        ), row


def test_verify_items_are_noted():
    assert "verify" in _limit("dose-allergan-adult-84d").notes
    assert "verify" in _limit("dose-allergan-child-84d").notes
    assert "verify" in _limit("dose-botox-paed-ll-session").notes
    assert "verify" in _limit("dose-botox-cd-first-course").notes
    azzalure_lcl = DoseGuideline.objects.get(
        product__slug="azzalure", indication__slug="lateral-canthal-lines"
    )
    assert "verify" in azzalure_lcl.notes
    xeomin_cd = DoseGuideline.objects.get(
        product__slug="xeomin", indication__slug="cervical-dystonia"
    )
    assert "verify" in xeomin_cd.notes


# --- Product flags and indication profiles ----------------------------------------------


def test_milk_protein_flag_is_dysport_and_azzalure():
    flagged = set(
        Product.objects.filter(milk_protein_contraindicated=True).values_list("slug", flat=True)
    )
    assert flagged == {"dysport", "azzalure"}
    assert "verify" in Product.objects.get(slug="azzalure").notes


def test_other_product_flags():
    def flagged(**kwargs):
        return set(Product.objects.filter(**kwargs).values_list("slug", flat=True))

    assert flagged(cosmetic_neuromuscular_contraindicated=True) == {
        "vistabel",
        "bocouture",
        "azzalure",
    }
    assert flagged(inflammation_contraindicated=True) == {"bocouture"}
    assert flagged(cosmetic_max_age_years=65) == {"azzalure", "bocouture", "dysport"}
    assert flagged(cosmetic_max_age_years__isnull=False) == {"azzalure", "bocouture", "dysport"}


@pytest.mark.parametrize(
    ("slug", "profile"),
    [
        ("chronic-migraine", "chronic-migraine"),
        ("oab", "bladder"),
        ("ndo-adult", "bladder"),
        ("ndo-paediatric", "bladder"),
        ("blepharospasm", "blepharospasm"),
        ("hemifacial-spasm", "blepharospasm"),
        ("strabismus", "strabismus"),
        ("cervical-dystonia", "general"),
        ("glabellar-lines", "general"),
    ],
)
def test_safety_profiles(slug, profile):
    assert Indication.objects.get(slug=slug).safety_profile == profile


def test_only_seven_indications_have_a_specific_profile():
    assert Indication.objects.exclude(safety_profile="general").count() == 7


# --- Safety parameters ------------------------------------------------------------------


def test_every_engine_parameter_key_is_seeded():
    keys = set(SafetyParameter.objects.values_list("key", flat=True))
    assert set(PARAMETER_KEYS) <= keys
    assert keys == {
        *PARAMETER_KEYS,
        *NICE_PARAMETER_KEYS,
        "responder_good_percent",
        "responder_partial_percent",
        "bladder_review_days",
        "first_treatment_review_days",
        "side_effect_review_days",
        "side_effect_late_window_days",
        "yellow_card_older_age_years",
        CONSENT_VALIDITY_SEED.KEY,
        *CHILDBEARING_KEYS,  # rule 27 (0028)
    }


@pytest.mark.parametrize(
    ("key", "value", "unit"),
    [
        ("adult_age_years", 18, "years"),
        ("other_family_window_days", 112, "days"),
        ("volume_mismatch_percent", 5, "%"),
        ("child_weight_valid_days", 90, "days"),
        ("top_up_window_days", 14, "days"),
        ("bladder_pvr_max_ml", 200, "mL"),
        ("antiplatelet_stop_days", 3, "days"),
        ("cosmetic_min_age_years", 18, "years"),
        ("cosmetic_caution_age_years", 65, "years"),
        ("bladder_review_days", 14, "days"),
        ("first_treatment_review_days", 14, "days"),
    ],
)
def test_parameter_values(key, value, unit):
    parameter = SafetyParameter.objects.get(key=key)
    assert parameter.value == Decimal(value)
    assert parameter.unit == unit
    assert parameter.description


def test_unsourced_parameter_says_so():
    assert "not sourced" in SafetyParameter.objects.get(key="first_treatment_review_days").source


# --- Dose guidelines --------------------------------------------------------------------


def test_uk_licensed_guidelines_match_the_licensing_matrix():
    through = Indication.uk_licensed_products.through.objects.values_list(
        "product__slug", "indication__slug"
    )
    licensed = set(
        DoseGuideline.objects.filter(licensed_uk=True).values_list(
            "product__slug", "indication__slug"
        )
    )
    assert licensed == set(through)


def test_unlicensed_guidelines_are_not_in_the_uk_matrix():
    for guideline in DoseGuideline.objects.filter(licensed_uk=False).select_related(
        "product", "indication"
    ):
        assert not guideline.indication.uk_licensed_products.filter(
            pk=guideline.product_id
        ).exists(), guideline


@pytest.mark.parametrize(
    "indication",
    [
        "strabismus",
        "ndo-paediatric",
        "tmd-bruxism",
        "hyperhidrosis-palmar",
        "masseter-contouring",
        "platysma-bands",
    ],
)
def test_botox_off_label_pairings(indication):
    guideline = DoseGuideline.objects.get(product__slug="botox", indication__slug=indication)
    assert guideline.licensed_uk is False


@pytest.mark.parametrize(
    ("product", "indication", "low", "high"),
    [
        ("botox", "chronic-migraine", 155, 195),
        ("botox", "oab", 100, 100),
        ("botox", "ndo-adult", 200, 200),
        ("botox", "hyperhidrosis-axillary", 100, 100),
        ("dysport", "hyperhidrosis-axillary", 200, 400),
        ("botox", "glabellar-lines", 20, 20),
        ("vistabel", "glabellar-lines", 20, 20),
        ("azzalure", "glabellar-lines", 50, 50),
        ("bocouture", "glabellar-lines", 20, 30),
        ("botox", "lateral-canthal-lines", 24, 24),
        ("vistabel", "lateral-canthal-lines", 24, 24),
        ("bocouture", "lateral-canthal-lines", 24, 24),
        ("azzalure", "lateral-canthal-lines", 60, 60),
        ("botox", "forehead-lines", 20, 20),
        ("vistabel", "forehead-lines", 20, 20),
        ("bocouture", "forehead-lines", 10, 20),
        ("botox", "upper-face-combined", 64, 64),
        ("vistabel", "upper-face-combined", 64, 64),
        ("dysport", "cervical-dystonia", 250, 1000),
        ("botox", "cervical-dystonia", 25, 300),
        ("xeomin", "cervical-dystonia", 120, 400),
        ("xeomin", "sialorrhoea-adult", 100, 100),
    ],
)
def test_expected_doses(product, indication, low, high):
    guideline = DoseGuideline.objects.get(product__slug=product, indication__slug=indication)
    assert guideline.expected_min_units == Decimal(low)
    assert guideline.expected_max_units == Decimal(high)


@pytest.mark.parametrize(
    ("product", "indication", "days"),
    [
        ("botox", "cervical-dystonia", 70),
        ("dysport", "spasticity-paed-ul", 112),
        ("botox", "spasticity-paed-ul", 84),
        ("dysport", "hyperhidrosis-axillary", 112),
        ("botox", "hyperhidrosis-axillary", 84),
        ("xeomin", "sialorrhoea-adult", 112),
        ("xeomin", "sialorrhoea-paediatric", 112),
        ("botox", "chronic-migraine", None),
    ],
)
def test_product_specific_intervals(product, indication, days):
    guideline = DoseGuideline.objects.get(product__slug=product, indication__slug=indication)
    assert guideline.min_interval_days == days


@pytest.mark.parametrize(
    ("product", "indication", "age"),
    [
        ("botox", "spasticity-paed-ul", 2),
        ("botox", "spasticity-paed-ll", 2),
        ("dysport", "spasticity-paed-ul", 2),
        ("dysport", "spasticity-paed-ll", 2),
        ("botox", "blepharospasm", 12),
        ("botox", "hemifacial-spasm", 12),
        ("botox", "cervical-dystonia", 12),
        ("botox", "hyperhidrosis-axillary", 12),
        ("xeomin", "sialorrhoea-paediatric", 2),
        ("botox", "ndo-paediatric", 5),
    ],
)
def test_product_specific_minimum_ages(product, indication, age):
    guideline = DoseGuideline.objects.get(product__slug=product, indication__slug=indication)
    assert guideline.min_age_years == age


def test_xeomin_paediatric_sialorrhoea_minimum_weight():
    guideline = DoseGuideline.objects.get(
        product__slug="xeomin", indication__slug="sialorrhoea-paediatric"
    )
    assert guideline.min_weight_kg == Decimal("12")


def test_expected_ranges_are_ordered():
    for guideline in DoseGuideline.objects.filter(
        expected_min_units__isnull=False, expected_max_units__isnull=False
    ):
        assert guideline.expected_min_units <= guideline.expected_max_units, guideline


# --- Dose limits ------------------------------------------------------------------------


def test_every_limit_has_a_maximum_and_valid_choices():
    for limit in DoseLimit.objects.select_related("product"):
        assert (
            limit.max_units is not None
            or limit.max_units_per_kg is not None
            or limit.max_volume_ml is not None
        ), limit.code
        assert limit.label.strip(), limit.code
        assert limit.unit_family in UnitFamily.values, limit.code
        assert limit.scope in LimitScope.values, limit.code
        assert limit.population in Population.values, limit.code
        assert limit.laterality in Laterality.values, limit.code
        assert limit.level in SafetyLevel.values, limit.code
        if limit.scope == LimitScope.ROLLING_WINDOW:
            assert limit.window_days, limit.code
        else:
            assert limit.window_days is None, limit.code
        if limit.scope == LimitScope.MUSCLE_GROUP:
            assert limit.muscle_group, limit.code
        if limit.product is not None:
            assert limit.product.unit_family == limit.unit_family, limit.code


def test_limit_codes_are_unique_slugs():
    codes = list(DoseLimit.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    for code in codes:
        assert SLUG.match(code), code
        assert code.startswith("dose-"), code


def test_limit_muscle_groups_name_seeded_sites():
    groups = set(
        AnatomicalSite.objects.exclude(muscle_group="").values_list("muscle_group", flat=True)
    )
    for limit in DoseLimit.objects.exclude(muscle_group=""):
        assert limit.muscle_group in groups, limit.code


def test_scm_limit_matches_the_sternocleidomastoid_site():
    scm = AnatomicalSite.objects.get(slug="sternocleidomastoid")
    limit = _limit("dose-botox-cd-scm")
    assert scm.muscle_group == "Sternocleidomastoid"
    assert limit.muscle_group == scm.muscle_group
    # No other site shares the group, so the limit counts the SCM only.
    assert AnatomicalSite.objects.filter(muscle_group=scm.muscle_group).count() == 1
    assert (limit.scope, limit.max_units, limit.level) == ("muscle-group", Decimal(100), "warn")
    assert limit.product.slug == "botox"
    assert limit.indication.slug == "cervical-dystonia"


def test_botox_family_adult_400_in_84_days():
    limit = _limit("dose-allergan-adult-84d")
    assert limit.unit_family == "allergan"
    assert limit.product is None
    assert limit.indication is None
    assert limit.population == "adult"
    assert limit.scope == "window"
    assert limit.window_days == 84
    assert limit.max_units == Decimal(400)
    assert limit.max_units_per_kg is None
    assert limit.level == "override"
    assert "rule 8" in limit.source


def test_botox_family_child_lower_of_10_per_kg_and_340():
    limit = _limit("dose-allergan-child-84d")
    assert (limit.product, limit.indication, limit.population) == (None, None, "child")
    assert (limit.scope, limit.window_days) == ("window", 84)
    assert limit.max_units == Decimal(340)
    assert limit.max_units_per_kg == Decimal(10)
    assert limit.level == "override"


@pytest.mark.parametrize(
    ("code", "product", "indication", "scope", "laterality", "units", "per_kg", "level"),
    [
        (
            "dose-botox-paed-ul-session",
            "botox",
            "spasticity-paed-ul",
            "session",
            "any",
            200,
            6,
            "override",
        ),
        (
            "dose-botox-paed-ll-session",
            "botox",
            "spasticity-paed-ll",
            "session",
            "any",
            300,
            8,
            "override",
        ),
        (
            "dose-dysport-paed-ul-session",
            "dysport",
            "spasticity-paed-ul",
            "session",
            "any",
            1000,
            30,
            "override",
        ),
        (
            "dose-dysport-paed-ll-session",
            "dysport",
            "spasticity-paed-ll",
            "session",
            "any",
            1000,
            30,
            "override",
        ),
        (
            "dose-dysport-paed-ul-unilateral",
            "dysport",
            "spasticity-paed-ul",
            "session",
            "unilateral",
            640,
            16,
            "override",
        ),
        (
            "dose-dysport-paed-ul-bilateral",
            "dysport",
            "spasticity-paed-ul",
            "session",
            "bilateral",
            840,
            21,
            "override",
        ),
        (
            "dose-dysport-paed-ll-unilateral",
            "dysport",
            "spasticity-paed-ll",
            "session",
            "unilateral",
            None,
            15,
            "override",
        ),
        (
            "dose-dysport-paed-ll-bilateral",
            "dysport",
            "spasticity-paed-ll",
            "session",
            "bilateral",
            None,
            30,
            "override",
        ),
        (
            "dose-botox-ndo-paed-session",
            "botox",
            "ndo-paediatric",
            "session",
            "any",
            200,
            6,
            "override",
        ),
        (
            "dose-dysport-ul-adult-session",
            "dysport",
            "spasticity-ul-adult",
            "session",
            "any",
            1000,
            None,
            "override",
        ),
        ("dose-xeomin-session", "xeomin", None, "session", "any", 400, None, "override"),
        (
            "dose-xeomin-upper-face-session",
            "xeomin",
            "upper-face-combined",
            "session",
            "any",
            64,
            None,
            "override",
        ),
        (
            "dose-botox-strabismus-injection",
            "botox",
            "strabismus",
            "site",
            "any",
            25,
            None,
            "block",
        ),
        (
            "dose-botox-cd-session",
            "botox",
            "cervical-dystonia",
            "session",
            "any",
            300,
            None,
            "override",
        ),
    ],
)
def test_limit_values(code, product, indication, scope, laterality, units, per_kg, level):
    limit = _limit(code)
    assert limit.product.slug == product
    assert (limit.indication.slug if limit.indication else None) == indication
    assert limit.scope == scope
    assert limit.laterality == laterality
    assert limit.max_units == (Decimal(units) if units is not None else None)
    assert limit.max_units_per_kg == (Decimal(per_kg) if per_kg is not None else None)
    assert limit.level == level


def test_paediatric_limits_apply_to_children():
    for limit in DoseLimit.objects.filter(max_units_per_kg__isnull=False):
        assert limit.population == "child", limit.code


def test_dysport_per_site_volumes():
    child = _limit("dose-dysport-child-site-volume")
    assert (child.population, child.scope, child.level) == ("child", "site", "warn")
    assert child.max_volume_ml == Decimal("0.5")
    adult = _limit("dose-dysport-ul-adult-site-volume")
    assert (adult.population, adult.scope, adult.level) == ("adult", "site", "warn")
    assert adult.max_volume_ml == Decimal("1")
    assert adult.indication.slug == "spasticity-ul-adult"


def test_botox_50_units_per_site_indications():
    indications = set(
        DoseLimit.objects.filter(
            product__slug="botox", scope="site", max_units=50, level="warn"
        ).values_list("indication__slug", flat=True)
    )
    assert indications == {
        "spasticity-ul-adult",
        "spasticity-ll-adult",
        "spasticity-paed-ul",
        "spasticity-paed-ll",
        "cervical-dystonia",
    }


@pytest.mark.parametrize("indication", ["blepharospasm", "hemifacial-spasm"])
def test_botox_blepharospasm_rule_set(indication):
    limits = DoseLimit.objects.filter(product__slug="botox", indication__slug=indication)
    facts = {
        (limit.scope, limit.window_days, limit.max_units, limit.first_treatment_only, limit.level)
        for limit in limits
    }
    assert facts == {
        ("site", None, Decimal(5), False, "warn"),
        ("side", None, Decimal(25), True, "override"),
        ("window", 84, Decimal(100), False, "override"),
        ("window", 30, Decimal(200), False, "override"),
    }


def test_xeomin_blepharospasm_first_treatment():
    eye = _limit("dose-xeomin-blepharospasm-initial-eye")
    total = _limit("dose-xeomin-blepharospasm-initial-session")
    assert (eye.scope, eye.max_units, eye.first_treatment_only) == ("side", Decimal(35), True)
    assert (total.scope, total.max_units, total.first_treatment_only) == (
        "session",
        Decimal(70),
        True,
    )
    assert eye.level == total.level == "override"


def test_botox_cervical_dystonia_first_course():
    limit = _limit("dose-botox-cd-first-course")
    assert (limit.scope, limit.max_units, limit.first_treatment_only, limit.level) == (
        "session",
        Decimal(200),
        True,
        "override",
    )


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
