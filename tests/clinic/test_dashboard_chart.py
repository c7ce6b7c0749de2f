"""The dashboard's sessions chart on the data set of test_dashboard_figures.py: months for a
year, weeks for a month, no figure for weeks not begun, and the bucket labels."""

import json
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.periods import Period
from clinic.reports.selectors.sessions import WEEKLY_UP_TO_DAYS, bucket_labels, session_summary
from tests.clinic.test_dashboard_figures import (  # the data set and its SQL helpers
    clinic,  # noqa: F401 - a fixture
)
from tests.conftest import client_for


def _sessions_chart(html: str) -> tuple[str, list[str], list[int], list[tuple[str, str]]]:
    """The sessions chart as the page gives it: its heading, the labels and values
    reports.js draws (json_script) and the rows of its text alternative (the table)."""
    heading = re.search(r'id="sessions-over-time-heading">([^<]*)<', html)[1]
    charts = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html)[1]
    )["sessions"]
    table = re.search(r'data-table="sessions-over-time".*?<tbody>(.*?)</tbody>', html, re.S)[1]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", table)
    return heading, charts["labels"], charts["values"], rows


@pytest.mark.django_db
@pytest.mark.parametrize("printing", ["", "&print=1"], ids=["page", "print"])
def test_sessions_chart_reads_months_for_twelve_months(clinic, manager, printing):  # noqa: F811
    """Not "01/04/2025": the month as a manager says it, on the page and the print, in
    the chart and in its table."""
    html = client_for(manager).get(f"/dashboard/?start=01/04/2025&end=31/03/2026{printing}")
    heading, labels, values, rows = _sessions_chart(html.content.decode())
    assert heading == "Signed sessions per month"
    assert labels == [
        "Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025",
        "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026",
    ]  # fmt: skip
    assert values == [0] * 10 + [1, 3]  # s4 in February; s1, s2, s3 in March
    assert rows == [(label, str(value)) for label, value in zip(labels, values, strict=True)]


@pytest.mark.django_db
@pytest.mark.parametrize("printing", ["", "&print=1"], ids=["page", "print"])
def test_sessions_chart_reads_weeks_for_a_month(clinic, manager, printing):  # noqa: F811
    """A month is charted per week, each labelled by its Monday ("week commencing")."""
    html = client_for(manager).get(f"/dashboard/?start=01/03/2026&end=31/03/2026{printing}")
    heading, labels, values, rows = _sessions_chart(html.content.decode())
    assert heading == "Signed sessions per week"
    # 1 March 2026 is a Sunday: its week began on Monday 23 February, and counts that
    # Sunday only; the last counts Monday 30 and Tuesday 31 March: each says so.
    assert labels == [
        "w/c 23 Feb (from 01/03)",
        "w/c 2 Mar",
        "w/c 9 Mar",
        "w/c 16 Mar",
        "w/c 23 Mar",
        "w/c 30 Mar (to 31/03)",
    ]
    assert values == [0, 1, 1, 0, 0, 1]  # s1 5 March, s2 10 March, s3 31 March 23:30
    assert rows == [(label, str(value)) for label, value in zip(labels, values, strict=True)]


@pytest.mark.django_db
def test_weeks_not_begun_have_no_figure(clinic, manager):  # noqa: F811
    """A period running past today ("last 3 months" ends with the current month): weeks
    not begun are no point on the chart and "to come" in the table, not a 0 that reads
    as "nobody treated"; the current week has its figure in the table and apart from the
    chart, not on its line (its few sessions so far read as a fall)."""
    today = timezone.localdate()
    start, end = today - timedelta(days=20), today + timedelta(days=30)
    html = client_for(manager).get(f"/dashboard/?start={start:%d/%m/%Y}&end={end:%d/%m/%Y}")
    heading, _labels, values, rows = _sessions_chart(html.content.decode())
    assert heading == "Signed sessions per week"
    mondays = [start - timedelta(days=start.weekday()) + timedelta(weeks=i) for i in range(9)]
    mondays = [day for day in mondays if day <= end]
    assert len(values) == len(mondays) == len(rows)
    begun = [day <= today for day in mondays]
    over = [day + timedelta(days=7) <= today for day in mondays]
    assert [value is not None for value in values] == over
    assert [text != "to come" for _, text in rows] == begun
    assert all(isinstance(value, int) for value, b in zip(values, over, strict=True) if b)
    assert 'data-testid="sessions-so-far"' in html.content.decode()


@pytest.mark.django_db
def test_weeks_up_to_the_threshold_then_months(manager):
    """The one place the choice is made: WEEKLY_UP_TO_DAYS days are weeks, a day more
    is months; the dashboard's heading and labels follow it."""
    start = date(2026, 1, 5)
    for days, per in ((WEEKLY_UP_TO_DAYS, "week"), (WEEKLY_UP_TO_DAYS + 1, "month")):
        period = Period(start, start + timedelta(days=days - 1))
        summary = session_summary(selectors.scope_for(user=manager, period=period))
        assert summary["per"] == per
        # A month begun before the period says from when it counts (5 January).
        first = "w/c 5 Jan" if per == "week" else "Jan 2026 (from 05/01)"
        assert summary["over_time"][0]["label"] == first


@pytest.mark.django_db
def test_a_week_or_month_cut_by_the_period_says_so(manager):
    """Manager review, 07/12/2026: the last 12 months began on 8 December, and that
    month's few sessions read as a fall in the chart's first point."""
    period = Period(date(2025, 10, 8), date(2026, 3, 15))  # months: past, cut at both ends
    labels = [
        row["label"]
        for row in session_summary(selectors.scope_for(user=manager, period=period))["over_time"]
    ]
    assert labels == [
        "Oct 2025 (from 08/10)", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026",
        "Mar 2026 (to 15/03)",
    ]  # fmt: skip
    period = Period(date(2026, 1, 7), date(2026, 1, 31))  # weeks: Wednesday to Saturday
    labels = [
        row["label"]
        for row in session_summary(selectors.scope_for(user=manager, period=period))["over_time"]
    ]
    assert labels == ["w/c 5 Jan (from 07/01)", "w/c 12 Jan", "w/c 19 Jan", "w/c 26 Jan (to 31/01)"]
    period = Period(date(2026, 1, 7), date(2026, 1, 9))  # one week, cut at both ends
    labels = [
        row["label"]
        for row in session_summary(selectors.scope_for(user=manager, period=period))["over_time"]
    ]
    assert labels == ["w/c 5 Jan (from 07/01 to 09/01)"]


def test_bucket_labels():
    assert bucket_labels([date(2025, 12, 1), date(2026, 1, 1)], monthly=True) == [
        (date(2025, 12, 1), "Dec 2025"),
        (date(2026, 1, 1), "Jan 2026"),
    ]
    assert bucket_labels([date(2026, 5, 4), date(2026, 5, 11)], monthly=False) == [
        (date(2026, 5, 4), "w/c 4 May"),
        (date(2026, 5, 11), "w/c 11 May"),
    ]
    # Weeks running into a new year carry the year, so "w/c 29 Dec" is not ambiguous.
    assert [label for _, label in bucket_labels(
        [date(2025, 12, 29), date(2026, 1, 5)], monthly=False
    )] == ["w/c 29 Dec 2025", "w/c 5 Jan 2026"]  # fmt: skip
