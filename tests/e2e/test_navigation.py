"""Issue 13.15-16: the main menu fits a laptop (1366x768) and an iPad (820x1180) for every
role, nothing in it wraps, Sign out is always reachable, and the home page, the login page
and every page reached from the menu pass axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import account_menu, check_accessibility, open_menu
from tests.factories import FollowUpFactory, PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": {"width": 1366, "height": 768}, "820": {"width": 820, "height": 1180}}
ROLES = {"reception": "rita", "practitioner": "amelia", "manager": "marcus"}

# For each visible item of the navbar: its box, and how many lines its text takes.
MEASURE_NAV = """nav => {
    const items = [...nav.querySelectorAll(".nav-link, .navbar-brand, .dropdown-item")]
        .filter((el) => el.offsetParent !== null);
    return items.map((el) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        const inner = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
            - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
        return {
            text: el.innerText.trim().replace(/\\s+/g, " "),
            lines: Math.round(inner / parseFloat(style.lineHeight)),
            left: box.left, right: box.right, top: box.top, bottom: box.bottom,
        };
    });
}"""


def nav_items(page: Page) -> list[dict]:
    return page.get_by_role("navigation", name="Main").evaluate(MEASURE_NAV)


def assert_fits(page: Page, width: int) -> list[dict]:
    items = nav_items(page)
    assert items, "no navbar items visible"
    for item in items:
        assert item["lines"] <= 1, f"{item['text']!r} wraps to {item['lines']} lines"
        assert item["left"] >= 0 and item["right"] <= width, f"{item['text']!r} is off screen"
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways ({scroll_width} px > {width} px)"
    return items


@pytest.mark.parametrize("role", ROLES)
def test_menu_fits_on_one_line_and_sign_out_is_reachable(
    page: Page, live_server, reception, practitioner, manager, login, shot, role
):
    # The longest first name the account menu shows uncut; the tasks page with an overdue
    # and a today's row (their links were 3.4:1 on the tinted rows).
    manager.first_name = "Maximiliana"
    manager.save(update_fields=["first_name"])
    patient = PatientFactory(registered_by=reception)
    FollowUpFactory(patient=patient, due_on=timezone.localdate() - timedelta(days=3))
    FollowUpFactory(patient=patient)
    page.set_viewport_size(SIZES["1366"])
    page.goto(f"{live_server.url}/accounts/login/")
    check_accessibility(page, "login page")
    login(page, live_server, ROLES[role], through_form=True)
    nav = page.get_by_role("navigation", name="Main")

    # Laptop: the whole menu on one line, Sign out within reach without any click.
    items = assert_fits(page, 1366)
    tops = {round(item["top"]) for item in items if item["text"]}
    assert max(tops) - min(tops) <= 8, f"the menu takes more than one row: {items}"
    nav_box = nav.bounding_box()
    assert nav_box["height"] <= 64, f"the navbar is {nav_box['height']} px high"
    account_menu(page).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    assert_fits(page, 1366)
    shot(page, f"nav-{role}-1366")

    # Every page the menu leads to passes axe too (the admin site is Django's own).
    links = nav.locator("a.nav-link:not([href^='/admin']), a.dropdown-item[href]")
    hrefs = links.evaluate_all("els => els.map((a) => a.href)")
    for href in hrefs:
        page.goto(href)
        check_accessibility(page, href)

    # iPad: the menu collapses behind a button; opened, nothing wraps or runs off screen.
    page.set_viewport_size(SIZES["820"])
    page.goto(live_server.url)
    toggle = nav.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    assert_fits(page, 820)
    open_menu(page)
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_in_viewport()
    account_menu(page).click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_in_viewport()
    assert_fits(page, 820)
    shot(page, f"nav-{role}-820-open")
    sign_out.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
