"""The reference data seeded by treatments/migrations/0002_seed_reference_data.py: outcome
instruments, anatomical sites, every row sourced and dated, and the migration's reverse.

Migrations run when the test database is created, so the seeded rows are present in every
test. Values are checked against DOMAIN.md §11 (and §2, §3.2, §5, §10 rule 31). Products
and indications: test_reference_products_indications.py.
"""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from tests.treatments.seeds import VERIFIED_ON, slugs
from treatments.models import AnatomicalSite, Indication, OutcomeInstrument, Product

pytestmark = pytest.mark.django_db

SEED = importlib.import_module("treatments.migrations.0002_seed_reference_data")
DOSE_SEED = importlib.import_module("treatments.migrations.0004_seed_dose_reference")
# The diary's appointment types (issue 15) point at indications too.
DIARY_SEED = importlib.import_module("clinic.diary.migrations.0003_seed_appointment_types")
# The cosmetic templates of every licensed product (issue 13.9) too.
TEMPLATE_SEED = importlib.import_module(
    "treatments.migrations.0017_seed_cosmetic_templates_per_product"
)

INSTRUMENT_SLUGS = {
    "headache-days",
    "migraine-days",
    "hit6",
    "midas",
    "twstrs",
    "tsui",
    "pain-vas",
    "jrs",
    "bsdi",
    "mas",
    "tardieu",
    "gas",
    "hdss",
    "gravimetric",
    "ui-episodes-day",
    "iqol",
    "pvr-ml",
    "dsfs",
    "usfr",
    "mmo-mm",
    "prism-dioptres",
    "fws",
    "merz-mas",
    "gais",
    "pgic",
}

PREEMPT_GROUPS = {
    "corrugator": "Corrugator",
    "procerus": "Procerus",
    "frontalis": "Frontalis",
    "temporalis": "Temporalis",
    "occipitalis": "Occipitalis",
    "cervical-paraspinal": "Cervical paraspinal",
    "trapezius": "Trapezius",
}

MODELS = (Product, Indication, AnatomicalSite, OutcomeInstrument)


# --- Outcome instruments ----------------------------------------------------------------


def test_all_outcome_instruments_are_seeded():
    assert slugs(OutcomeInstrument.objects.all()) == INSTRUMENT_SLUGS


def test_instrument_bounds_are_ordered():
    bounded = OutcomeInstrument.objects.filter(min_value__isnull=False, max_value__isnull=False)
    assert bounded.count() >= 15
    for instrument in bounded:
        assert instrument.min_value <= instrument.max_value, instrument.slug


@pytest.mark.parametrize(
    ("slug", "low", "high", "direction"),
    [
        ("hit6", Decimal("36"), Decimal("78"), "lower"),
        ("twstrs", Decimal("0"), Decimal("85"), "lower"),
        ("jrs", Decimal("0"), Decimal("8"), "lower"),
        ("hdss", Decimal("1"), Decimal("4"), "lower"),
        ("dsfs", Decimal("2"), Decimal("9"), "lower"),
        ("fws", Decimal("0"), Decimal("3"), "lower"),
        ("merz-mas", Decimal("0"), Decimal("4"), "lower"),
        ("iqol", Decimal("0"), Decimal("100"), "higher"),
        ("gas", Decimal("-2"), Decimal("2"), "higher"),
        ("pvr-ml", Decimal("0"), None, "lower"),
        ("mmo-mm", Decimal("0"), None, "higher"),
        ("tardieu", None, None, "higher"),
    ],
)
def test_instrument_ranges(slug, low, high, direction):
    instrument = OutcomeInstrument.objects.get(slug=slug)
    assert instrument.min_value == low
    assert instrument.max_value == high
    assert instrument.direction == direction


def test_only_mas_and_tardieu_are_per_muscle():
    assert slugs(OutcomeInstrument.objects.filter(per_muscle=True)) == {"mas", "tardieu"}


# --- Anatomical sites -------------------------------------------------------------------


def test_preempt_muscle_groups_exist():
    for slug, group in PREEMPT_GROUPS.items():
        site = AnatomicalSite.objects.get(slug=slug)
        assert site.muscle_group == group
        assert site.paired is (slug != "procerus"), slug
        assert "S7" in site.source


@pytest.mark.parametrize(
    ("slug", "region", "paired"),
    [
        ("masseter", "head-face", True),
        ("sternocleidomastoid", "neck", True),
        ("orbicularis-oculi-pretarsal", "eye", True),
        ("medial-rectus", "eye", True),
        ("biceps-brachii", "upper-limb", True),
        ("gastrocnemius", "lower-limb", True),
        ("bladder-detrusor", "bladder", False),
        ("parotid-gland", "salivary", True),
        ("submandibular-gland", "salivary", True),
        ("axilla-intradermal", "skin", True),
        ("palm-intradermal", "skin", True),
        ("glabellar-complex", "head-face", False),
        ("lateral-orbicularis-oculi", "head-face", True),
        ("platysma", "neck", True),
        ("mentalis", "head-face", True),
        ("depressor-anguli-oris", "head-face", True),
    ],
)
def test_sites(slug, region, paired):
    site = AnatomicalSite.objects.get(slug=slug)
    assert site.region == region
    assert site.paired is paired


def test_spasticity_and_dystonia_muscles_exist():
    expected = {
        "splenius-capitis",
        "levator-scapulae",
        "scalenes",
        "semispinalis-capitis",
        "brachialis",
        "brachioradialis",
        "flexor-carpi-radialis",
        "flexor-carpi-ulnaris",
        "flexor-digitorum-superficialis",
        "flexor-digitorum-profundus",
        "flexor-pollicis-longus",
        "adductor-pollicis",
        "pronator-teres",
        "soleus",
        "tibialis-posterior",
        "flexor-digitorum-longus",
        "flexor-hallucis-longus",
        "hamstrings",
        "hip-adductors",
        "lateral-rectus",
    }
    assert expected <= slugs(AnatomicalSite.objects.all())


# --- Every row --------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_row_is_sourced_and_dated(model):
    assert model.objects.exists()
    for row in model.objects.all():
        assert row.source.strip(), row.slug
        assert row.verified_on == VERIFIED_ON, row.slug


# --- The migration's reverse ------------------------------------------------------------


def _counts() -> tuple[int, ...]:
    return (
        *(model.objects.count() for model in MODELS),
        Indication.uk_licensed_products.through.objects.count(),
        Indication.us_licensed_products.through.objects.count(),
        Indication.outcome_instruments.through.objects.count(),
    )


def test_unseed_removes_exactly_the_seeded_rows_and_seed_restores_them():
    seeded = _counts()
    assert seeded[:4] == (14, 24, 45, 25)
    extra = Product.objects.create(
        slug="test-extra",
        brand="Test extra",
        generic_name="testtoxinA",
        unit_family="allergan",
        form="powder",
        uk_licensed=False,
        us_licensed=False,
        source="test",
        verified_on=VERIFIED_ON,
    )

    # The dose reference (0004) and the diary's appointment types point at these rows: undo
    # them first, as migrating back would.
    DIARY_SEED.reverse(apps, None)
    TEMPLATE_SEED.unseed(apps, None)
    DOSE_SEED.unseed(apps, None)
    SEED.unseed(apps, None)
    assert _counts() == (1, 0, 0, 0, 0, 0, 0)
    assert Product.objects.get() == extra

    SEED.seed(apps, None)
    SEED.seed(apps, None)  # idempotent: update_or_create on slug
    DOSE_SEED.seed(apps, None)
    TEMPLATE_SEED.seed(apps, None)
    DIARY_SEED.forward(apps, None)
    assert _counts() == (seeded[0] + 1, *seeded[1:])
    assert Product.objects.get(slug="botox").presentations == [50, 100, 200]
    cm = Indication.objects.get(slug="chronic-migraine")
    assert slugs(cm.uk_licensed_products.all()) == {"botox"}
