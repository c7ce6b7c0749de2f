"""The sources the reference data and the safety checks cite (DOMAIN §9), as reference data:
every code cited anywhere is on the sources page, which any member of staff can open, and
a finding's "Source:" links each code to its row there."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from clinic.models import SourcedReferenceModel
from tests.conftest import client_for
from tests.factories import InjectionPointFactory, TreatmentSessionFactory
from treatments.models import Source
from treatments.templatetags.sources import CODE, source_links

pytestmark = pytest.mark.django_db

SAFETY_RULES = Path(__file__).resolve().parents[2] / "treatments" / "safety"
DIARY_CHECKS = SAFETY_RULES.parent.parent / "clinic" / "diary" / "checks.py"  # bookings' rules


def cited_codes() -> dict[str, str]:
    """Every source code cited: in any reference row's `source` (or another *source text
    field), in the safety engine's rules and in the diary's booking checks; each with one
    place that cites it."""
    cited = {}
    for model in apps.get_models():
        if not issubclass(model, SourcedReferenceModel):
            continue
        fields = [f.name for f in model._meta.concrete_fields if f.name.endswith("source")]
        for row in model.objects.values("pk", *fields):
            for name in fields:
                for code in CODE.findall(row[name] or ""):
                    cited.setdefault(code, f"{model.__name__} {row['pk']}.{name}")
    for path in [*SAFETY_RULES.rglob("*.py"), DIARY_CHECKS]:
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(code, str(path.relative_to(SAFETY_RULES.parent.parent)))
    return cited


def test_every_source_cited_by_the_reference_data_and_the_rules_is_on_file():
    on_file = set(Source.objects.values_list("code", flat=True))
    cited = cited_codes()
    assert len(cited) > 40  # the walk found the citations (products, limits, rules...)
    missing = {code: where for code, where in cited.items() if code not in on_file}
    assert not missing, f"cited but not on the sources page: {missing}"


def test_the_sources_are_domains_list_in_its_order():
    sources = list(Source.objects.all())
    assert len(sources) == 154
    assert [s.code for s in sources[:4]] == ["S1", "S2", "S3", "S3b"]
    label = Source.objects.get(code="S10")
    assert label.title == "emc: BOTOX 100 U SmPC; BOTOX 200 U SmPC"
    assert label.urls == [
        "https://www.medicines.org.uk/emc/product/859/smpc",
        "https://www.medicines.org.uk/emc/product/436/smpc/print",
    ]
    assert all(url.startswith(("https://", "http://")) for s in sources for url in s.urls)


def test_any_member_of_staff_reads_the_sources_page(reception, client):
    url = reverse("treatments:sources")
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    page = client_for(reception).get(url).content.decode()
    assert '<tr id="S89"><th scope="row" class="text-nowrap">S89</th>' in page
    assert "RxReasoner: botulinum toxin type A precautions and interactions" in page
    assert 'href="https://rxreasoner.com/substances/botulinum/precautions" rel="noopener' in page
    assert '>rxreasoner.com<span class="visually-hidden"> (opens in a new tab)' in page
    assert f'href="{url}">Clinical sources</a>' in page  # from every page's footer


def test_a_findings_source_links_each_code_and_escapes_the_rest():
    html = source_links("DOMAIN §10 rule 40; S89; S3b <b>")
    page = reverse("treatments:sources")
    assert html.startswith("rule 40; ")  # the clinic's rule, as staff know it
    assert f'<a href="{page}#S89" target="_blank" rel="noopener">S89<span' in html
    assert f'<a href="{page}#S3b" target="_blank" rel="noopener">S3b<span' in html
    assert html.endswith("&lt;b&gt;")
    # Read as text (tags and the screen reader's words taken out): what was written.
    visible = re.sub(r'<span class="visually-hidden">[^<]*</span>|<[^>]+>', "", html)
    assert visible == "rule 40; S89; S3b &lt;b&gt;"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("DOMAIN §10 rule 40; S89", "rule 40; S89"),
        ("DOMAIN §10 rules 9-11, 17", "rules 9-11, 17"),
        ("DOMAIN §6.3; §10 rules 21-28", "§6.3; rules 21-28"),
        ("DOMAIN §1.5; §10 rule 3", "§1.5; rule 3"),
        ("DOMAIN §10 rule 6; §1.4", "rule 6; §1.4"),
        # A rule's codes and its reference row's, the same ones: each once.
        ("DOMAIN §10 rule 30; S30; S32; S40; S30, S32, S40", "rule 30; S30; S32; S40"),
        ("DOMAIN §10 rule 2; S54; S53b; S99; S54, S99, S12", "rule 2; S54; S53b; S99; S12"),
    ],
)
def test_sources_are_worded_as_staff_know_them(written, read):
    """The review (07/12/2026): plural and second references still said "DOMAIN §10"."""
    visible = re.sub(
        r'<span class="visually-hidden">[^<]*</span>|<[^>]+>', "", source_links(written)
    )
    assert visible == read


def test_the_session_pages_link_their_findings_sources(practitioner):
    session = TreatmentSessionFactory(practitioner=practitioner)
    InjectionPointFactory.create_batch(2, session=session)
    page = client_for(practitioner).get(
        reverse("treatments:session_edit", args=[session.public_id])
    )
    html = page.content.decode()
    assert "Source: " in html
    assert f'href="{reverse("treatments:sources")}#S' in html


@pytest.mark.parametrize(
    "urls", [["javascript:alert(1)"], "https://example.org/label", [42], ["ftp://x.example"]]
)
def test_a_source_is_read_at_web_addresses_only(urls):
    """Every member of staff follows these links: the admin refuses anything but a list of
    http(s) addresses (the review, 07/12/2026)."""
    from django.core.exceptions import ValidationError

    source = Source(code="S999", position=999, title="A label", urls=urls)
    with pytest.raises(ValidationError, match="A list of web addresses"):
        source.full_clean()
    Source(code="S998", position=998, title="A label", urls=["https://x.example/"]).full_clean()
