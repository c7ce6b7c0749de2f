"""A save that leaves the points as the page showed them skips their form validation
(treatments.forms.unchanged_points); anything else is validated as always."""

from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from tests.factories import InjectionPointFactory, TreatmentSessionFactory
from tests.treatments.administration_flow import post_form, save_data
from treatments.forms import PointForm, SiteChoices, unchanged_points
from treatments.models import InjectionPoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(practitioner):
    session = TreatmentSessionFactory(practitioner=practitioner)
    for order in range(3):
        InjectionPointFactory(session=session, order=order, volume_ml="0.100")
    return session


@pytest.fixture
def validated(monkeypatch):
    """How many point rows Django's form validation checked."""
    calls = []
    original = PointForm.full_clean

    def counting(self):
        if self.is_bound:  # the page's own (unbound) rows are not validation
            calls.append(self.prefix)
        return original(self)

    monkeypatch.setattr(PointForm, "full_clean", counting)
    return calls


def _edit(session) -> str:
    return f"/sessions/{session.public_id}/edit/"


def test_unchanged_rows_are_not_validated_again(draft, practitioner_client, validated):
    before = list(InjectionPoint.objects.filter(session=draft).values_list("pk", "units"))
    data = save_data(practitioner_client, draft)
    assert data["points_signature"]
    response = post_form(practitioner_client, _edit(draft), data)
    assert response.status_code == 302
    assert validated == []
    draft.refresh_from_db()
    assert draft.version == data["version"] + 1  # saved
    after = list(InjectionPoint.objects.filter(session=draft).values_list("pk", "units"))
    assert after == before  # the same rows, none rewritten


def test_an_edited_row_is_validated_and_saved(draft, practitioner_client, validated):
    data = save_data(practitioner_client, draft)
    data["points-1-units"] = "7"
    response = post_form(practitioner_client, _edit(draft), data)
    assert response.status_code == 302
    assert len(validated) == 3
    units = InjectionPoint.objects.filter(session=draft).order_by("order")
    assert [p.units for p in units][1] == Decimal("7")


def test_a_bad_edit_under_the_old_signature_is_an_error_on_the_page(
    draft, practitioner_client, validated
):
    data = save_data(practitioner_client, draft)
    data["points-0-units"] = "-5"
    response = post_form(practitioner_client, _edit(draft), data)
    assert response.status_code == 200
    assert "Please correct the highlighted entries" in response.content.decode()
    assert validated


@pytest.mark.parametrize(
    "change",
    [
        {"points_signature": "0" * 64},  # forged
        {"points_signature": ""},
        {"points-2-DELETE": "on"},
        {"points-TOTAL_FORMS": "2"},  # a row removed
        {"points-0-site": "points-1-site"},  # rows swapped (filled in below)
    ],
    ids=["forged", "missing", "deleted", "removed", "reordered"],
)
def test_anything_else_is_validated(draft, practitioner_client, validated, change):
    data = save_data(practitioner_client, draft)
    if change.get("points-0-site") == "points-1-site":
        data["points-0-site"], data["points-1-site"] = data["points-1-site"], data["points-0-site"]
        if data["points-0-site"] == data["points-1-site"]:
            data["points-0-side"], data["points-1-side"] = "left", "right"
    else:
        data.update(change)
    post_form(practitioner_client, _edit(draft), data)
    assert validated


def _posted(data: dict) -> QueryDict:
    """What the view reads: the browser's strings."""
    return QueryDict(urlencode(data, doseq=True))


def test_another_version_is_validated(draft, practitioner_client):
    data = save_data(practitioner_client, draft)
    sites = SiteChoices.load()
    assert unchanged_points(_posted(data), session_pk=draft.pk, sites=sites) is not None
    assert (
        unchanged_points(
            _posted({**data, "version": data["version"] + 1}), session_pk=draft.pk, sites=sites
        )
        is None
    )
    assert unchanged_points(_posted(data), session_pk=draft.pk + 1, sites=sites) is None


def test_a_site_no_longer_listed_falls_back_to_validation(draft, practitioner_client):
    data = save_data(practitioner_client, draft)
    sites = SiteChoices.load()
    sites.by_pk.pop(int(data["points-0-site"]))
    assert unchanged_points(_posted(data), session_pk=draft.pk, sites=sites) is None


class _Inputs(HTMLParser):
    """The editor form's values as a browser would post them: inputs' values, each
    select's selected option (checkboxes left out: none is ticked for these rows)."""

    def __init__(self):
        super().__init__()
        self.values, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") != "checkbox" and "name" in attrs:
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name")
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_the_page_as_a_browser_posts_it_is_recognised(draft, practitioner_client):
    """The signature is over the strings the page renders: what a browser sends back
    unchanged matches it (a rendering change that broke this would only cost speed)."""
    page = practitioner_client.get(_edit(draft))
    parser = _Inputs()
    parser.feed(page.content.decode())
    posted = {k: v for k, v in parser.values.items() if k.startswith("points") or k == "version"}
    assert posted["points_signature"] and posted["points-TOTAL_FORMS"] == "3"
    points = unchanged_points(
        QueryDict(urlencode(posted)), session_pk=draft.pk, sites=SiteChoices.load()
    )
    stored = InjectionPoint.objects.filter(session=draft).order_by("order")
    assert [(p["site"].pk, p["units"], p["points"]) for p in points] == [
        (p.site_id, p.units, p.points) for p in stored
    ]
