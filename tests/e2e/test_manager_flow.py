"""The manager in the browser: the dashboard, a different period, a tile's list, a CSV."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.reports.models import ReportExport
from tests.factories import (
    PatientFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
)

# Uses migrated reference data (products, indications): see migrated_reference_data.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def signed(patient, practitioner, performed):
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        performed_at=performed,
        signed=True,
        signed_at=performed + timedelta(hours=1),
        consent_taken=True,
        points=3,
        points__units=Decimal(5),
    )


def test_manager_reads_the_dashboard_and_downloads_a_report(
    page: Page, live_server, manager, practitioner, reception, login, shot
):
    today = timezone.localdate()
    # Just after midnight today: in this month whatever the day.
    early_today = timezone.make_aware(datetime.combine(today, time(0, 1)))
    for _ in range(3):
        signed(PatientFactory(registered_by=reception), practitioner, early_today)
    older = PatientFactory(registered_by=reception, family_name="Fairweather")
    old_session = signed(older, practitioner, timezone.now() - timedelta(days=200))
    SideEffectFactory(session=old_session, patient=older, is_serious=True)
    # Factories write sessions as rows, not through the signing service that keeps the
    # dashboard's rollups (issue 14.5): rebuild them as the runbook does after a load.
    call_command("rebuild_rollups", stdout=StringIO())

    login(page, live_server, "marcus")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    expect(page.locator("[data-period]")).to_contain_text(f"{today:%B %Y}")
    expect(page.locator('[data-tile="sessions"]')).to_have_text("3")
    expect(page.locator('[data-tile="serious_pending"]')).to_have_text("1")
    expect(page.locator('[data-units="BOTOX"]')).to_have_text("45")
    page.wait_for_timeout(300)  # charts drawn (no animation)
    # This month's sessions had no side effect: said, not an empty pair of axes.
    expect(
        page.get_by_text("No side effects reported for the sessions of this period.")
    ).to_be_visible()
    expect(page.locator('canvas[data-report-chart="side_effects"]')).to_have_count(0)
    shot(page, "manager-01-dashboard-this-month")

    page.get_by_role("link", name="Last 12 months").click()
    expect(page.get_by_role("link", name="Last 12 months")).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator('[data-tile="sessions"]')).to_have_text("4")
    expect(page.locator("[data-period]")).to_contain_text(
        f"{today - timedelta(days=364):%d/%m/%Y} to {today:%d/%m/%Y}"
    )
    # The chart's buckets read as months ("May 2026", not "01/05/2026"), in its table too.
    expect(page.get_by_role("heading", name="Signed sessions per month")).to_be_visible()
    expect(page.locator('[data-table="sessions-over-time"] tbody tr').last).to_contain_text(
        f"{today:%b %Y}"
    )
    # The first month, begun before the period, says from when it counts.
    first_day = today - timedelta(days=364)
    if first_day.day != 1:
        expect(page.locator('[data-table="sessions-over-time"] tbody tr').first).to_contain_text(
            f"{first_day:%b %Y} (from {first_day:%d/%m})"
        )
    expect(page.locator('canvas[data-report-chart="side_effects"]')).to_be_visible()
    shot(page, "manager-02-dashboard-last-12-months")

    # The filters typed by hand: just the old session's month.
    old_day = timezone.localdate(old_session.performed_at)
    page.get_by_label("From", exact=True).fill(f"{old_day.replace(day=1):%d/%m/%Y}")
    page.get_by_label("To", exact=True).fill(f"{old_day:%d/%m/%Y}")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator('[data-tile="sessions"]')).to_have_text("1")

    page.get_by_role("link", name="Last 12 months").click()
    page.get_by_role("link", name="Signed sessions", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports/sessions/\?start=.*status=signed"))
    expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
    rows = page.locator("table.report-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("table.report-table")).to_contain_text(older.record_number)
    expect(page.locator("table.report-table")).not_to_contain_text("Fairweather")  # pseudonymised
    shot(page, "manager-03-sessions-report")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(r"sessions-\d{8}-\d{8}\.csv", download.suggested_filename)
    text = download.path().read_text(encoding="utf-8-sig")
    assert text.startswith("Performed,Record number,Practitioner")
    assert len(text.strip().splitlines()) == 5
    assert older.record_number in text and "Fairweather" not in text
    assert ReportExport.objects.get().row_count == 4

    page.goto(f"{live_server.url}/reports/side-effects/?worklist=serious-pending")
    expect(page.locator("table.report-table")).to_contain_text(older.record_number)
    shot(page, "manager-04-serious-awaiting-decision")


def test_manager_has_a_large_report_prepared_in_the_background(
    page: Page, live_server, settings, manager, practitioner, reception, login, shot
):
    """Above the threshold, Download CSV opens a page that says the file will be prepared
    (opening or reloading it makes nothing); its button queues one export."""
    from django_tasks_db.models import DBTaskResult

    settings.REPORT_EXPORT_ASYNC_ROWS = 2
    performed = timezone.now() - timedelta(hours=2)
    for _ in range(3):
        signed(PatientFactory(registered_by=reception), practitioner, performed)

    login(page, live_server, "marcus")
    page.goto(f"{live_server.url}/reports/sessions/")
    page.get_by_role("link", name="Download CSV").click()
    expect(
        page.get_by_role("heading", name="This CSV will be prepared in the background")
    ).to_be_visible()
    expect(page.get_by_text("more than 2 rows")).to_be_visible()
    page.reload()
    assert not ReportExport.objects.exists() and not DBTaskResult.objects.exists()
    shot(page, "manager-05-large-export-offer")

    page.get_by_role("button", name="Prepare the export").click()
    expect(page.get_by_role("heading", name="Your exports")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Your export is being prepared")
    expect(page.get_by_test_id("export-row")).to_have_count(1)
    shot(page, "manager-06-large-export-queued")
    export = ReportExport.objects.get()
    assert export.prepared and export.report == "sessions"
    assert DBTaskResult.objects.count() == 1
