"""The patient list as a plain template (issue 14.2, clinic.listing): the same columns,
allow-listed sort links and pages as the django-tables2 table it replaced."""

import re
from datetime import date

import pytest

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _record_numbers(html: str) -> list[str]:
    return re.findall(r'<td><a href="/patients/[0-9a-f-]+/">([A-Z]\d+)</a></td>', html)


def test_sorting_is_allow_listed_and_marked_in_the_header(reception_client, reception):
    old = PatientFactory(registered_by=reception, date_of_birth=date(1940, 1, 1))
    young = PatientFactory(registered_by=reception, date_of_birth=date(2000, 1, 1))
    html = reception_client.get("/patients/?sort=-date_of_birth").content.decode()
    assert _record_numbers(html) == [young.record_number, old.record_number]
    assert '<th class="desc orderable" scope="col"><a href="?sort=date_of_birth">' in html
    assert '<th scope="col">Phone</th>' in html  # not sortable: no link
    # Anything else is the default (surname), never passed to the query.
    default = reception_client.get("/patients/?sort=phone").content.decode()
    assert '<th class="asc orderable" scope="col"><a href="?sort=-name">Name</a>' in default


def test_pages_without_a_count(reception_client, reception):
    PatientFactory.create_batch(30, registered_by=reception)
    first = reception_client.get("/patients/").content.decode()
    assert len(_record_numbers(first)) == 25
    assert 'href="?page=2" class="page-link">next' in first
    second = reception_client.get("/patients/?page=2").content.decode()
    assert len(_record_numbers(second)) == 5
    assert "previous" in second and "next" not in second
    assert reception_client.get("/patients/?page=99").status_code == 200  # the first page


def test_empty_list_and_the_htmx_partial(reception_client):
    response = reception_client.get("/patients/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert '<td colspan="7">No patients match.' in html


def test_a_sortable_column_may_place_its_nulls_and_is_turned_round_whole(rf):
    """clinic.listing: a column's order may be an expression that says where NULLs go (the
    vial list's and the serious list's: SQLite and PostgreSQL place them differently), and
    `?sort=-name` reverses every term, a descending one included (it was sent as "--x")."""
    from django.db.models import F
    from django.utils import timezone

    from clinic.listing import Column, fast_list
    from patients.models import Patient

    for name in ("Adams", "Baker", "Cole"):
        PatientFactory(family_name=name)
    Patient.objects.filter(family_name="Baker").update(archived_at=timezone.now())
    columns = [Column("kept", "Kept", (F("archived_at").asc(nulls_first=True), "-family_name"))]

    def names(**query):
        listed = fast_list(
            rf.get("/", query),
            Patient.objects.all(),
            columns=columns,
            default_sort="kept",
            per_page=5,
        )
        return [p.family_name for p in listed.rows]

    assert names() == ["Cole", "Adams", "Baker"]  # not archived (NULL) first, on both engines
    assert names(sort="-kept") == ["Baker", "Adams", "Cole"]
