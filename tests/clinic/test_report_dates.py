"""Dates far outside any clinic's records (year 1, year 9999) in the dashboard's and the
reports' filters: the page answers with a message saying which dates it takes, never a
500 (the period before year 1, or the day after 31/12/9999, is no date at all)."""

import django_filters
import pytest
from django.utils.html import escape

from clinic.models import AccessEvent
from clinic.reports.models import ReportExport
from clinic.reports.periods import OUT_OF_RANGE
from clinic.reports.registry import REPORTS
from clinic.reports.selectors import DASHBOARD_PANELS

pytestmark = pytest.mark.django_db

MESSAGE = escape(OUT_OF_RANGE)


def _date_fields(filterset) -> list[str]:
    return [
        name
        for name, f in filterset.base_filters.items()
        if isinstance(f, django_filters.DateFilter) and name not in filterset.unused
    ]


def _far_queries(fields: list[str]) -> list[str]:
    """Year 1 in every date, then a first date as usual and the last in year 9999, then
    the last date alone in year 9999 (the others left to their defaults). None for a
    report without dates (questionnaires)."""
    if not fields:
        return []
    first, last = fields[0], fields[-1]
    far_past = "&".join(f"{name}=0{i + 1}/01/0001" for i, name in enumerate(fields))
    queries = [far_past, f"{last}=31/12/9999"]
    if first != last:
        queries.insert(1, f"{first}=01/01/2020&{last}=31/12/9999")
    return queries


PERIOD_QUERIES = _far_queries(["start", "end"])
REPORT_QUERIES = [
    (report.slug, query)
    for report in REPORTS
    for query in _far_queries(_date_fields(report.filterset))
]


@pytest.mark.parametrize("query", PERIOD_QUERIES)
def test_dashboard_explains_dates_out_of_range(manager_client, query):
    response = manager_client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    for panel in DASHBOARD_PANELS:  # the deferred panels read the same filters
        assert manager_client.get(f"/dashboard/panels/{panel}/?{query}").status_code == 200


@pytest.mark.parametrize(("slug", "query"), REPORT_QUERIES)
def test_report_page_explains_dates_out_of_range(manager_client, slug, query):
    response = manager_client.get(f"/reports/{slug}/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE in html
    for pair in query.split("&"):  # what was typed is shown again
        assert 'value="{}"'.format(pair.split("=")[1]) in html


@pytest.mark.parametrize(("slug", "query"), REPORT_QUERIES)
def test_report_csv_with_dates_out_of_range_goes_back_to_the_page(manager_client, slug, query):
    response = manager_client.get(f"/reports/{slug}/csv/?{query}", follow=True)
    assert response.redirect_chain == [(f"/reports/{slug}/?{query.replace('/', '%2F')}", 302)]
    html = response.content.decode()
    assert MESSAGE in html
    assert "The CSV was not downloaded" in html
    assert not ReportExport.objects.exists()
    assert not AccessEvent.objects.filter(action="report.download").exists()


def test_dates_at_the_edges_of_the_range_are_answered(manager_client):
    """The widest period allowed, and the period before it, are real dates."""
    query = "start=01/01/1900&end=31/12/2199"
    for url in ("/dashboard/", *(f"/reports/{r.slug}/" for r in REPORTS)):
        response = manager_client.get(f"{url}?{query}")
        assert response.status_code == 200, url
        assert MESSAGE not in response.content.decode(), url
    for panel in DASHBOARD_PANELS:
        assert manager_client.get(f"/dashboard/panels/{panel}/?{query}").status_code == 200
    response = manager_client.get(
        "/reports/recall/?eligible_from=01/01/1900&eligible_to=31/12/2199"
    )
    assert response.status_code == 200
    assert MESSAGE not in response.content.decode()
