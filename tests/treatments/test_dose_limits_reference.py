"""The seeded dose limits (treatments/migrations/0004_seed_dose_reference.py): every limit
sourced, valid and unique, and its values against DOMAIN.md §3.1-3.4 and §10 rules 8-15."""

import re
from decimal import Decimal

import pytest

from treatments.choices import Laterality, LimitScope, Population, SafetyLevel, UnitFamily
from treatments.models import AnatomicalSite, DoseLimit

pytestmark = pytest.mark.django_db


SLUG = re.compile(r"^[-a-z0-9]+$")


def _limit(code: str) -> DoseLimit:
    return DoseLimit.objects.select_related("product", "indication").get(code=code)


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
