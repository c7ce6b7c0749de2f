"""What the dashboard compares a period with (clinic.reports.periods.Period.compared)."""

from datetime import date

import pytest
from django.utils import timezone

from clinic.reports.periods import Period, month_end, month_start

pytestmark = pytest.mark.django_db


def test_a_period_under_way_is_compared_with_the_same_days_of_the_one_before():
    """Browser review 05/12: five days of December against the whole of November read
    as a fall of 87% on the dashboard."""
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    assert december.compared(today=date(2026, 12, 5)) == Period(
        date(2026, 11, 1), date(2026, 11, 5)
    )
    assert december.compared(today=date(2026, 12, 1)) == Period(
        date(2026, 11, 1), date(2026, 11, 1)
    )
    # On its last day, or once it is over (or before it starts): the whole period before.
    whole = Period(date(2026, 11, 1), date(2026, 11, 30))
    for today in (date(2026, 12, 31), date(2027, 1, 9), date(2026, 11, 20)):
        assert december.compared(today=today) == whole
    # Never past the end of the period before: 30 days of March against all of February.
    march = Period(date(2027, 3, 1), date(2027, 3, 31))
    assert march.compared(today=date(2027, 3, 30)) == Period(date(2027, 2, 1), date(2027, 2, 28))
    # The presets still name whole months.
    assert december.previous() == whole


def test_the_dashboard_says_it_compares_the_same_days(manager_client):
    today = timezone.localdate()
    page = manager_client.get("/dashboard/").content.decode()
    compared = Period(month_start(today), month_end(today)).compared(today=today)
    assert f"compared with {compared.label}" in page
