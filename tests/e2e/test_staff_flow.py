"""The manager adds a practitioner on the staff page; another practitioner confirms the role
on their home page (a manager's grant of clinical authority needs a second person) and
copies the one-time link to hand over; the new practitioner opens it in their own browser,
chooses a password and signs in (issue 10)."""

import re

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.models import StaffChange

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "quiet harbour lantern morning"
SIZES = {"1366": {"width": 1366, "height": 768}, "820": {"width": 820, "height": 1180}}


def shots(page: Page, shot, name: str) -> None:
    """The page at the laptop and the tablet size (the viewport is left at the laptop's).
    No `shot`: nothing (the flow's second variant)."""
    if shot is None:
        return
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        shot(page, f"staff-{name}-{label}")
    page.set_viewport_size(SIZES["1366"])


# "refuses": the clipboard API turns the copy down (it did once under load in CI, and
# the button never said "Copied"); the page copies the selected link the older way.
@pytest.mark.parametrize("clipboard", ["works", "refuses"])
def test_manager_adds_a_practitioner_who_sets_a_password_and_signs_in(
    page: Page, new_context, live_server, manager, practitioner, login, shot, clipboard
):
    if clipboard == "refuses":
        # The same pages as "works": screenshots and axe once (18 axe runs), here only the
        # behaviour.
        shot = None
    page.set_viewport_size(SIZES["1366"])
    login(page, live_server, "marcus")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    shots(page, shot, "01-list")

    page.get_by_role("link", name="Add a staff member").click()
    expect(page.get_by_role("heading", name="Add a staff member")).to_be_visible()
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("Username").fill("nadia.okoro")
    page.get_by_role("radio", name=re.compile(r"^Practitioner")).check()
    shots(page, shot, "02-add")
    page.get_by_role("button", name="Add and get the link").click()
    # No link for the manager: a practitioner's role, and the link, wait for a practitioner.
    expect(page.get_by_test_id("created-waiting")).to_be_visible()
    expect(page.get_by_test_id("password-link")).to_have_count(0)
    shots(page, shot, "03-waiting")

    # Another practitioner confirms the role on their home page and is given the link.
    colleague = new_context().new_page()
    colleague.set_viewport_size(SIZES["1366"])
    colleague.context.grant_permissions(["clipboard-read", "clipboard-write"])
    if clipboard == "refuses":
        colleague.add_init_script(
            "navigator.clipboard.writeText = () => Promise.reject(new Error('refused'))"
        )
    login(colleague, live_server, practitioner.username)
    expect(colleague.get_by_test_id("staff-to-confirm")).to_contain_text("Nadia Okoro")
    shots(colleague, shot, "03b-to-confirm")
    colleague.get_by_role("button", name="Confirm for Nadia Okoro").click()
    expect(colleague.get_by_role("heading", name="Give this link to Nadia Okoro")).to_be_visible()
    expect(colleague.get_by_text("shown only this once")).to_be_visible()
    link_box = colleague.get_by_label("One-time set-password link")
    # The Copy button works once its deferred script has run, before DOMContentLoaded. CI
    # once (05/12, loaded machine) saw the button stay "Copy"; a click before the script
    # ran is the likely cause (the clipboard refusing has its own fallback in the script).
    colleague.wait_for_load_state("domcontentloaded")
    colleague.get_by_role("button", name="Copy").click()
    expect(colleague.get_by_role("button", name="Copied")).to_be_visible()
    link = colleague.evaluate("navigator.clipboard.readText()")
    assert link == link_box.input_value()
    assert re.match(rf"^{re.escape(live_server.url)}/staff/password/[^/]+/[^/]+/$", link)
    shots(colleague, shot, "03c-one-time-link")

    # Nadia, in her own browser.
    nadia = new_context().new_page()
    nadia.set_viewport_size(SIZES["1366"])
    nadia.goto(link)
    expect(nadia.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(nadia.get_by_test_id("set-password-username")).to_have_text("nadia.okoro")
    assert "/staff/password/" in nadia.url and nadia.url.endswith("/set-password/")
    nadia.locator("#id_new_password1").fill(NEW_PASSWORD)
    nadia.locator("#id_new_password2").fill(NEW_PASSWORD)
    shots(nadia, shot, "04-choose-password")
    nadia.get_by_role("button", name="Set my password").click()
    expect(nadia.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(nadia.locator(".messages")).to_contain_text("Your password is set")
    shots(nadia, shot, "05-password-set")
    login(nadia, live_server, "nadia.okoro", NEW_PASSWORD)
    expect(nadia.locator("[data-role]")).to_have_text("Practitioner")

    # The link was for one use only.
    nadia.goto(link)
    expect(nadia.get_by_role("heading", name="You are signed in as nadia.okoro")).to_be_visible()
    stranger = new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="This link no longer works")).to_be_visible()
    shots(stranger, shot, "06-used-link")

    # Back on the staff page, the manager sees her signed in, and the account's history.
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Nadia Okoro").click()
    expect(page.get_by_role("heading", name="Nadia Okoro")).to_be_visible()
    history = page.get_by_test_id("staff-history")
    expect(history).to_contain_text("Account created")
    expect(history).to_contain_text("Role changed from none to Practitioner")
    expect(history).to_contain_text("Set-password link issued")
    expect(history).to_contain_text("Password set through a link")
    # Her account is in use now and has no email address: no link for the manager to
    # open (it would let the manager choose her password).
    page.reload()
    expect(page.get_by_text("the system administrator resets the password")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("set-password link"))).to_have_count(0)
    shots(page, shot, "07-detail")
    page.get_by_role("link", name="Staff", exact=True).first.click()
    row = page.get_by_test_id("staff-table").locator("tr", has_text="Nadia Okoro")
    expect(row).to_contain_text("Practitioner")
    expect(row).not_to_contain_text("Never")
    # Created, asked for, confirmed, link issued, password set.
    assert StaffChange.objects.filter(subject__username="nadia.okoro").count() == 5
