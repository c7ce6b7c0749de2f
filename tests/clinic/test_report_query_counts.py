"""Pinned query counts of the dashboard and the reports: the same with 1 and with 55+
rows behind every tile and table (aggregates in SQL, no per-row queries)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.reports.registry import REPORTS
from tests.conftest import PERSONAS, client_for
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    OutcomeAssessmentFactory,
    PatientFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
)
from tests.shared_rows import shared_rows
from treatments.services import rollup_rebuild

# Every signed-in page: 1 session with its user (one JOIN; roles and permissions come
# from the session's access snapshot, clinic.session_store, issue 14.1); and the
# access-log INSERT after it (clinic.audit).
BASE = 1
# (+ 1 SELECT of the hash chain's last link before it on SQLite: clinic.access_chain)
AUDIT = 1 if connection.vendor == "postgresql" else 2
# The filter form's choices: practitioners (by permission), indications, products.
FILTER_CHOICES = 3

# The dashboard: 1 signed sessions per practitioner and month (or week) over both
# periods, with the practitioners' names and distinct patients and the clinic's active
# and new patients as subqueries (PatientReturnRollup, or the daily rollup for an
# indication or product; the distinct patients over the per-session totals), 2 the
# period's daily-rollup sums per indication and product (compliance counts, side effects
# per 100 by indication and by product; in a print, units per product too): the session
# tiles, added up in Python from these two reads (5 reads of the rollups before; at 1M
# patients / 5M sessions each cost 30-70 ms, bench/README.md), 3 outcome responder
# thresholds, 4 unsigned sessions older than 72 hours, 5 unreviewed questionnaires,
# 6 side-effect worklist, 7 open follow-ups. The units/wastage, responder rates and
# re-treatment panels load on their own (below); a print has them inline.
DASHBOARD_COMMON = 7
# Deferred panels (no access-log row: the page's own request is logged): units per
# product + wastage by product and by lot (managers); responder thresholds + rates;
# minimum intervals (guidelines, indications) + re-treatment counts.
# The diary panel (issue 15): patterns, exceptions, appointments, recalls sent and booked,
# sessions with their lead time from recall or referral.
PANELS = {"stock": 3, "outcomes": 2, "retreatment": 3, "diary": 5}
# Managers also: registrations.
DASHBOARD_MANAGER = DASHBOARD_COMMON + 1


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_activity(practitioner, reception, n: int):
    """n signed sessions this month (points, vial closed with waste, a side effect, an
    outcome score, a follow-up) plus a draft and a questionnaire each."""
    for i in range(n):
        patient = PatientFactory(registered_by=reception)
        performed = timezone.now() - timedelta(hours=2 + i)
        session = TreatmentSessionFactory(
            patient=patient,
            practitioner=practitioner,
            performed_at=performed,
            signed=True,
            signed_at=performed + timedelta(hours=1),
            points=2,
        )
        session.vial.discarded_at = performed + timedelta(hours=2)
        session.vial.wasted_units = Decimal(90)
        session.vial.save()
        SideEffectFactory(session=session, patient=patient, is_serious=True)
        OutcomeAssessmentFactory(
            patient=patient, value=20, assessed_on=timezone.localdate() - timedelta(days=60)
        )
        OutcomeAssessmentFactory(patient=patient, value=9, assessed_on=timezone.localdate())
        FollowUpFactory(patient=patient, session=session, due_on=timezone.localdate())
        TreatmentSessionFactory(
            patient=patient, practitioner=practitioner, performed_at=performed - timedelta(days=5)
        )
        QuestionnaireFactory(patient=patient, entered_by=reception)
    rollup_rebuild.rebuild()  # the factories write sessions directly: the dashboard's summaries


CSV = "/reports/sessions/csv/"
PRINT = "/dashboard/?print=1"


def measured_pages():
    """(who, url) of every page pinned below."""
    pages = [("manager", "/dashboard/"), ("practitioner", "/dashboard/"), ("manager", PRINT)]
    pages += [("manager", f"/dashboard/panels/{panel}/") for panel in sorted(PANELS)]
    pages += [("manager", f"/reports/{report.slug}/") for report in REPORTS]
    return [*pages, ("manager", CSV)]


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every page's statements with 1 and then with 56 rows behind it: {(who, url): (with 1,
    with 56)}. Measured once for the module (tests/shared_rows.py): making the 55 more rows
    takes seconds, and each page's count is its own either way."""
    with shared_rows(django_db_blocker):
        staff = {role: UserFactory(**PERSONAS[role]) for role in ("manager", "practitioner")}
        reception = UserFactory(**PERSONAS["reception"])
        clients = {role: client_for(user) for role, user in staff.items()}
        pages = measured_pages()
        add_activity(staff["practitioner"], reception, 1)
        first = {page: count_queries(clients[page[0]], page[1]) for page in pages}
        add_activity(staff["practitioner"], reception, 55)
        yield {page: (first[page], count_queries(clients[page[0]], page[1])) for page in pages}


@pytest.mark.django_db
def test_dashboard_query_counts_do_not_grow(measured):
    manager = BASE + AUDIT + DASHBOARD_MANAGER + FILTER_CHOICES
    mine = BASE + AUDIT + DASHBOARD_COMMON + FILTER_CHOICES - 1  # no practitioner choice
    assert measured["manager", "/dashboard/"] == (manager, manager)
    assert measured["practitioner", "/dashboard/"] == (mine, mine)


@pytest.mark.django_db
def test_dashboard_print_query_count_does_not_grow(measured):
    # The page's statements and its panels inline, less what the page has read already:
    # the units per product (from the page's sums per indication and product) and the
    # responder thresholds.
    panels = sum(PANELS.values()) - 1 - 1
    expected = BASE + AUDIT + DASHBOARD_MANAGER + FILTER_CHOICES + panels
    assert measured["manager", PRINT] == (expected, expected)


@pytest.mark.django_db
@pytest.mark.parametrize("panel", sorted(PANELS))
def test_dashboard_panel_query_counts_do_not_grow(measured, panel):
    expected = BASE + PANELS[panel]  # no filter form: no choices read
    assert measured["manager", f"/dashboard/panels/{panel}/"] == (expected, expected)


# Per report, beyond BASE + AUDIT + the filter choices it shows: the page of rows (one
# query; LazyPaginator: no COUNT(*) over the period), and for the recall list the two
# minimum-interval reads for the eligible dates.
EXTRA = {"recall": 2, "outcomes": 1}  # outcomes: + the responder thresholds
# The diary's attendance (issue 15): working patterns, exceptions and appointments (the
# page of rows), the sessions with their lead time from recall or referral, then the
# recalls sent and booked in the period.
EXTRA["diary-attendance"] = 4
# Practitioner activity (issue 14.5): the daily rollup's sums, then the distinct patients
# from the per-session totals.
EXTRA["practitioner-activity"] = 1
CHOICES = {"units-wastage": 1, "questionnaires": 0, "diary-attendance": 1}  # filters left out


@pytest.mark.django_db
@pytest.mark.parametrize("report", REPORTS, ids=[r.slug for r in REPORTS])
def test_report_query_counts_do_not_grow(measured, report):
    expected = (
        BASE + AUDIT + CHOICES.get(report.slug, FILTER_CHOICES) + 1 + EXTRA.get(report.slug, 0)
    )
    assert measured["manager", f"/reports/{report.slug}/"] == (expected, expected)


@pytest.mark.django_db
def test_csv_query_count_does_not_grow(measured):
    # No page around it: the session with its user (permissions from its snapshot); the
    # export log (its user checked by full_clean, INSERT), the access log INSERT, the rows
    # (one server-side cursor, inside a transaction: a savepoint pair here, as the test
    # runs in one), the export log's row count UPDATE after the last row; and (issue
    # 12.2) the row count, bounded at REPORT_EXPORT_ASYNC_ROWS + 1, that decides between
    # streaming and preparing the file in the background.
    expected = 1 + 2 + AUDIT + 2 + 1 + 1 + 1
    assert measured["manager", CSV] == (expected, expected)


@pytest.mark.django_db
def test_history_query_counts_do_not_grow(manager_client, practitioner):
    session = TreatmentSessionFactory(practitioner=practitioner)
    InjectionPointFactory(session=session)
    # + 1 the session + 1 its history + 1 its points' history (with sites)
    url = f"/history/sessions/{session.public_id}/"
    assert count_queries(manager_client, url) == BASE + AUDIT + 3
    for n in range(55):
        session.notes = f"note {n}"
        session.save()
        InjectionPointFactory(session=session)
    assert count_queries(manager_client, url) == BASE + AUDIT + 3
    # + 1 latest session changes + 1 latest vial changes
    assert count_queries(manager_client, "/history/") == BASE + AUDIT + 2


@pytest.mark.django_db
def test_reception_recall_list_query_count_does_not_grow(reception, practitioner):
    """Reception's recall list, with a tick box beside each name and the Send button's
    count of those ticked (read from the page of rows the table shows, not again): the
    same statements for 1 patient due as for 55."""
    from tests.clinic.messaging_helpers import CONSENTS, signed_session

    client = client_for(reception)

    def due(n: int) -> None:
        for _ in range(n):
            signed_session(PatientFactory(**CONSENTS["sms"]), practitioner, days_ago=100)

    due(1)
    first = count_queries(client, "/reports/recall/")
    due(54)
    page = client.get("/reports/recall/").content.decode()
    assert "<span data-ticked-count>50</span>" in page  # a page of 50 rows, all ticked
    expected = BASE + AUDIT + FILTER_CHOICES + 1 + EXTRA["recall"]
    assert (first, count_queries(client, "/reports/recall/")) == (expected, expected)
