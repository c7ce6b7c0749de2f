"""The dose-safety reference data seeded by treatments/migrations/0004_seed_dose_reference.py
and the seeds after it: counts and sources, product flags and indication profiles, safety
parameters and dose guidelines. The dose limits are in test_dose_limits_reference.py, the
site templates and the seed's reverse in test_site_templates_reference.py.

Migrations run when the test database is created, so the seeded rows are present in every
test. Values are checked against DOMAIN.md §2, §3.1-3.4, §10 rules 8-32 and §11.
"""

import datetime
from decimal import Decimal

import pytest

from tests.treatments.seeds import (
    CHILDBEARING_KEYS,
    CONSENT_VALIDITY_SEED,
    COSMETIC_TEMPLATES_SEED,
    VERIFIED_ON,
)
from treatments.models import (
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
