"""The products and indications seeded by treatments/migrations/0002_seed_reference_data.py.

Migrations run when the test database is created, so the seeded rows are present in every
test. Values are checked against DOMAIN.md §11 (and §2, §3.2, §5, §10 rule 31). The
instruments, anatomical sites, every row's source and the migration's reverse:
test_reference_data.py.
"""

import pytest

from tests.treatments.seeds import slugs
from treatments.models import Indication, Product

pytestmark = pytest.mark.django_db

PRODUCT_SLUGS = {
    "botox",
    "botox-cosmetic",
    "vistabel",
    "dysport",
    "azzalure",
    "alluzience",
    "xeomin",
    "bocouture",
    "myobloc",
    "jeuveau",
    "nuceiva",
    "daxxify",
    "letybo",
    "relfydess",
}

INDICATION_SLUGS = {
    "chronic-migraine",
    "cervical-dystonia",
    "blepharospasm",
    "hemifacial-spasm",
    "strabismus",
    "spasticity-ul-adult",
    "spasticity-ll-adult",
    "spasticity-paed-ul",
    "spasticity-paed-ll",
    "hyperhidrosis-axillary",
    "hyperhidrosis-palmar",
    "oab",
    "ndo-adult",
    "ndo-paediatric",
    "sialorrhoea-adult",
    "sialorrhoea-paediatric",
    "tmd-bruxism",
    "parkinsons-tremor",
    "glabellar-lines",
    "lateral-canthal-lines",
    "forehead-lines",
    "upper-face-combined",
    "platysma-bands",
    "masseter-contouring",
}


# --- Products ---------------------------------------------------------------------------


def test_all_fourteen_products_are_seeded():
    assert Product.objects.count() == 14
    assert slugs(Product.objects.all()) == PRODUCT_SLUGS


def test_botox_row():
    botox = Product.objects.get(slug="botox")
    assert botox.brand == "BOTOX"
    assert botox.generic_name == "onabotulinumtoxinA"
    assert botox.unit_family == "allergan"
    assert botox.presentations == [50, 100, 200]
    assert botox.form == "powder"
    assert botox.in_use_hours == 24
    assert botox.uk_licensed is True
    assert botox.us_licensed is True
    assert botox.on_formulary is True


def test_dysport_is_speywood():
    dysport = Product.objects.get(slug="dysport")
    assert dysport.unit_family == "speywood"
    assert dysport.presentations == [300, 500]
    assert dysport.company == "Ipsen"


@pytest.mark.parametrize(
    ("slug", "family"),
    [
        ("botox", "allergan"),
        ("botox-cosmetic", "allergan"),
        ("vistabel", "allergan"),
        ("dysport", "speywood"),
        ("azzalure", "speywood"),
        ("alluzience", "speywood"),
        ("xeomin", "merz"),
        ("bocouture", "merz"),
        ("myobloc", "solstice-b"),
        ("jeuveau", "evolus"),
        ("nuceiva", "evolus"),
        ("daxxify", "revance"),
        ("letybo", "hugel"),
        ("relfydess", "galderma-rela"),
    ],
)
def test_unit_families(slug, family):
    assert Product.objects.get(slug=slug).unit_family == family


@pytest.mark.parametrize(
    ("slug", "hours"),
    [
        ("botox", 24),
        ("dysport", 24),
        ("xeomin", 24),
        ("jeuveau", 24),
        ("daxxify", 72),
        ("myobloc", 4),
        ("alluzience", None),
        ("bocouture", None),
        ("nuceiva", None),
    ],
)
def test_in_use_hours(slug, hours):
    assert Product.objects.get(slug=slug).in_use_hours == hours


def test_formulary_is_the_six_uk_licensed_products():
    formulary = Product.objects.filter(on_formulary=True)
    assert slugs(formulary) == {"botox", "vistabel", "dysport", "azzalure", "xeomin", "bocouture"}
    assert all(product.uk_licensed for product in formulary)


def test_licensing_flags_and_verify_notes():
    assert Product.objects.get(slug="botox-cosmetic").uk_licensed is False
    vistabel = Product.objects.get(slug="vistabel")
    assert vistabel.uk_licensed is True
    assert "verify" in vistabel.notes
    myobloc = Product.objects.get(slug="myobloc")
    assert myobloc.uk_licensed is False
    assert myobloc.us_licensed is True
    assert "NeuroBloc" in myobloc.notes
    assert "verify" in myobloc.notes
    assert Product.objects.get(slug="daxxify").uk_licensed is False


def test_unsourced_presentations_are_empty():
    for slug in ("alluzience", "nuceiva", "letybo", "relfydess"):
        product = Product.objects.get(slug=slug)
        assert product.presentations == [], slug
        assert "Presentations: verify" in product.notes, slug


def test_solutions_and_powders():
    solutions = slugs(Product.objects.filter(form="solution"))
    assert solutions == {"alluzience", "myobloc", "relfydess"}


# --- Indications ------------------------------------------------------------------------


def test_all_twenty_four_indications_are_seeded():
    assert Indication.objects.count() == 24
    assert slugs(Indication.objects.all()) == INDICATION_SLUGS


def test_chronic_migraine():
    cm = Indication.objects.get(slug="chronic-migraine")
    assert cm.category == "therapeutic"
    assert cm.min_interval_days == 84
    assert cm.min_age_years == 18
    assert cm.max_age_years is None
    assert slugs(cm.uk_licensed_products.all()) == {"botox"}
    assert slugs(cm.us_licensed_products.all()) == {"botox"}
    assert slugs(cm.outcome_instruments.all()) == {
        "headache-days",
        "migraine-days",
        "hit6",
        "midas",
    }
    assert "195" in cm.notes


def test_glabellar_lines():
    gl = Indication.objects.get(slug="glabellar-lines")
    assert gl.category == "cosmetic"
    assert gl.min_age_years == 18
    assert gl.min_interval_days == 84
    assert slugs(gl.uk_licensed_products.all()) == {
        "botox",
        "vistabel",
        "azzalure",
        "bocouture",
        "alluzience",
        "letybo",
        "nuceiva",
        "relfydess",
    }
    assert slugs(gl.us_licensed_products.all()) == {
        "botox-cosmetic",
        "dysport",
        "xeomin",
        "jeuveau",
        "daxxify",
        "letybo",
    }
    assert slugs(gl.outcome_instruments.all()) == {"fws", "merz-mas", "gais"}


def test_cervical_dystonia():
    cd = Indication.objects.get(slug="cervical-dystonia")
    assert cd.min_age_years == 12
    assert cd.min_interval_days == 84
    assert "70" in cd.notes  # BOTOX (UK) 10 weeks
    assert slugs(cd.uk_licensed_products.all()) == {"botox", "dysport", "xeomin"}
    assert slugs(cd.us_licensed_products.all()) == {
        "botox",
        "dysport",
        "xeomin",
        "myobloc",
        "daxxify",
    }
    assert slugs(cd.outcome_instruments.all()) == {"twstrs", "tsui", "pain-vas"}


@pytest.mark.parametrize(
    ("slug", "category"),
    [
        ("hyperhidrosis-palmar", "off-label"),
        ("tmd-bruxism", "off-label"),
        ("masseter-contouring", "cosmetic"),  # what it is for; off-label via its guideline
        ("parkinsons-tremor", "investigational"),
        ("platysma-bands", "cosmetic"),
        ("strabismus", "therapeutic"),
    ],
)
def test_categories(slug, category):
    assert Indication.objects.get(slug=slug).category == category


@pytest.mark.parametrize(
    ("slug", "days"),
    [
        ("blepharospasm", 84),
        ("strabismus", 84),
        ("hyperhidrosis-palmar", 84),
        ("hyperhidrosis-axillary", 112),
        ("spasticity-paed-ul", 112),
        ("spasticity-paed-ll", 84),
        ("sialorrhoea-adult", 112),
        ("sialorrhoea-paediatric", 112),
        ("oab", 84),
        ("forehead-lines", 84),
        ("masseter-contouring", 84),
    ],
)
def test_min_intervals(slug, days):
    assert Indication.objects.get(slug=slug).min_interval_days == days


@pytest.mark.parametrize(
    ("slug", "min_age", "max_age"),
    [
        ("spasticity-paed-ul", 2, 17),
        ("spasticity-paed-ll", 2, 17),
        ("ndo-paediatric", 5, 17),
        ("sialorrhoea-paediatric", 2, 17),
        ("blepharospasm", 12, None),
        ("hemifacial-spasm", 12, None),
        ("hyperhidrosis-axillary", 12, None),
        ("spasticity-ul-adult", 18, None),
        ("oab", 18, None),
        ("sialorrhoea-adult", 18, None),
    ],
)
def test_ages(slug, min_age, max_age):
    indication = Indication.objects.get(slug=slug)
    assert indication.min_age_years == min_age
    assert indication.max_age_years == max_age


def test_every_cosmetic_indication_is_adults_only():
    for indication in Indication.objects.filter(category="cosmetic"):
        assert indication.min_age_years == 18, indication.slug


def test_off_label_indications_have_no_licensed_products():
    for slug in ("hyperhidrosis-palmar", "tmd-bruxism", "parkinsons-tremor", "masseter-contouring"):
        indication = Indication.objects.get(slug=slug)
        assert not indication.uk_licensed_products.exists(), slug
        assert not indication.us_licensed_products.exists(), slug


def test_licensed_products_exist_and_carry_the_matching_licence():
    for indication in Indication.objects.all():
        for product in indication.uk_licensed_products.all():
            assert product.uk_licensed, (indication.slug, product.slug)
        for product in indication.us_licensed_products.all():
            assert product.us_licensed, (indication.slug, product.slug)
    through = Indication.uk_licensed_products.through
    assert through.objects.count() == 45
    assert set(through.objects.values_list("product__slug", flat=True)) <= PRODUCT_SLUGS


def test_every_indication_has_outcome_instruments():
    for indication in Indication.objects.all():
        assert indication.outcome_instruments.exists(), indication.slug


def test_bladder_indications_track_pvr():
    for slug in ("oab", "ndo-adult", "ndo-paediatric"):
        instruments = slugs(Indication.objects.get(slug=slug).outcome_instruments.all())
        assert instruments == {"ui-episodes-day", "iqol", "pvr-ml"}, slug
