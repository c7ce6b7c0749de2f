"""Reception's waiting list in the browser (browser review): a search with one match, left
unticked, adds that patient; a form sent back for the patient keeps the search, lists
its matches again and puts the cursor in the search box with the error read out; a sent
offer is said on its row."""

import re

import pytest
from playwright.sync_api import Page, expect

from clinic.diary.waiting_list.models import WaitingListEntry
from tests.clinic.diary_helpers import offered_entry
from tests.e2e.helpers import check_accessibility
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def add_form(page: Page):
    return page.get_by_test_id("waiting-list-add")


def test_the_one_match_shown_is_added_without_ticking_it(page: Page, live_server, reception, login):
    elliott = PatientFactory(family_name="Elliott", given_names="Ruth")
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/waiting-list/")
    form = add_form(page)
    form.get_by_label("Find the patient").press_sequentially("elliott")
    expect(form.get_by_role("radio", name=re.compile("ELLIOTT"))).to_have_count(1)
    form.get_by_label("Waiting for").select_option(label="Review")
    form.get_by_label("Notes").fill("Mornings only")
    form.get_by_role("button", name="Add").click()

    expect(page.locator(".messages")).to_contain_text("is on the waiting list for Review")
    entry = WaitingListEntry.objects.get()
    assert (entry.patient, entry.notes) == (elliott, "Mornings only")


def test_a_patient_left_unchosen_keeps_the_search_and_gets_the_cursor(
    page: Page, live_server, reception, login
):
    PatientFactory(family_name="Pemberton", given_names="Ann")
    bea = PatientFactory(family_name="Pemberton", given_names="Bea")
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/waiting-list/")
    form = add_form(page)
    form.get_by_label("Find the patient").press_sequentially("pemberton")
    expect(form.get_by_role("radio", name=re.compile("PEMBERTON"))).to_have_count(2)
    form.get_by_label("Waiting for").select_option(label="Review")
    form.get_by_label("Notes").fill("Mornings only")
    form.get_by_role("button", name="Add").click()

    search = add_form(page).get_by_label("Find the patient")
    expect(search).to_be_focused()
    expect(search).to_have_value("pemberton")
    expect(search).to_have_attribute("aria-invalid", "true")
    expect(search).to_have_accessible_description(re.compile("Choose the patient first"))
    expect(add_form(page).get_by_label("Notes")).to_have_value("Mornings only")
    # The matches are listed again, to tick one.
    picks = add_form(page).get_by_role("radio", name=re.compile("PEMBERTON"))
    expect(picks).to_have_count(2)
    add_form(page).get_by_role("radio", name=re.compile("PEMBERTON, Bea")).check()
    add_form(page).get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("is on the waiting list for Review")
    assert WaitingListEntry.objects.get().patient == bea


def test_a_sent_offer_is_said_on_its_row(page: Page, live_server, reception, practitioner, login):
    waiting = PatientFactory(
        family_name="Elliott", consent_contact_email=True, consent_contact_sms=False
    )
    offered_entry(reception, practitioner, waiting)
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/waiting-list/")
    row = page.get_by_test_id("waiting-entry").filter(has_text="ELLIOTT")
    expect(row.get_by_test_id("offer-not-sent")).to_be_visible()
    row.get_by_role("button", name="Send offer").click()

    expect(page.locator(".messages")).to_contain_text("Offer to")
    row = page.get_by_test_id("waiting-entry").filter(has_text="ELLIOTT")
    expect(row.get_by_test_id("offer-sent")).to_have_text(
        re.compile(
            r"^Offer of this slot not sent yet \(asked \w{3} \d\d/\d\d at \d\d:\d\d\): "
            r"email waiting to send · SMS skipped$"
        )
    )
    expect(row.get_by_role("button", name="Send the offer again")).to_be_visible()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1366, "height": 768}, {"width": 820, "height": 1180}],
    ids=["laptop", "ipad"],
)
def test_when_they_can_come_is_asked_and_said_on_their_row(
    page: Page, live_server, reception, login, shot, viewport
):
    """Front-desk review: "Mornings only" lived in the notes, unread by the matching. The
    form asks (any time chosen, every day ticked); the row says what was chosen."""
    page.set_viewport_size(viewport)
    size = "laptop" if viewport["width"] == 1366 else "ipad"
    PatientFactory(family_name="Elliott", given_names="Ruth")
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/waiting-list/")
    form = add_form(page)
    expect(form.get_by_role("radio", name="Any time")).to_be_checked()
    days = form.get_by_role("group", name="Which days?").get_by_role("checkbox")
    expect(days).to_have_count(7)
    form.get_by_label("Find the patient").press_sequentially("elliott")
    expect(form.get_by_role("radio", name=re.compile("ELLIOTT"))).to_have_count(1)
    form.get_by_label("Waiting for").select_option(label="Review")
    form.get_by_role("radio", name="Mornings (before 12:00)").check()
    form.get_by_role("checkbox", name="Fri").uncheck()
    shot(page, f"waiting-list-01-can-come-form-{size}")
    form.get_by_role("button", name="Add").click()

    expect(page.locator(".messages")).to_contain_text("is on the waiting list for Review")
    row = page.get_by_test_id("waiting-entry").filter(has_text="ELLIOTT")
    expect(row.get_by_test_id("waiting-availability")).to_have_text(
        "Mornings · Mon\u2013Thu, Sat, Sun"
    )
    shot(page, f"waiting-list-02-can-come-row-{size}")

    # On the phone: any time now, Fridays too. Changed in place (withdrawing and adding
    # again put them at the end of the queue).
    row.get_by_test_id("change-entry").click()
    expect(page.get_by_role("heading", name=re.compile("Change when ELLIOTT"))).to_be_visible()
    page.get_by_role("radio", name="Any time").check()
    page.get_by_role("checkbox", name="Fri").check()
    shot(page, f"waiting-list-03-change-{size}")
    check_accessibility(page, "the waiting list entry's change form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Review entry changed")
    row = page.get_by_test_id("waiting-entry").filter(has_text="ELLIOTT")
    expect(row.get_by_test_id("waiting-availability")).to_have_text("Any time · any day")
