"""Under a finger (an iPad, a coarse pointer), a patient's name in a list or a table is a
target at least 44 px tall, inside its own row: a tap never reaches the next patient's
(practitioner review 07/12/2026: the buttons were enlarged, the names on the home list
stayed 24 px targets)."""

import pytest
from playwright.sync_api import Browser

from tests.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IPAD = {"width": 820, "height": 1180}
PAGES = ("/", "/patients/?q=Thistlewood")  # the home page's list, the patient list's table


def _measured(browser: Browser, live_server, login, patient, *, touch: bool) -> dict:
    """Each page's name and its row (their boxes) in an iPad-sized window."""
    context = browser.new_context(viewport=IPAD, has_touch=touch)
    page = context.new_page()
    login(page, live_server, "rita")
    sizes = {}
    for url in PAGES:
        page.goto(f"{live_server.url}{url}")
        link = page.get_by_role("link", name=patient.display_name).first
        row = link.locator("xpath=ancestor::*[self::li or self::tr][1]")
        sizes[url] = (link.bounding_box(), row.bounding_box())
    context.close()
    return sizes


def test_a_patients_name_is_a_finger_sized_target_in_the_home_list_and_the_patient_list(
    browser: Browser, live_server, reception, login
):
    patient = PatientFactory(family_name="Thistlewood", given_names="Maud", registered_by=reception)
    mouse = _measured(browser, live_server, login, patient, touch=False)
    finger = _measured(browser, live_server, login, patient, touch=True)
    for url in PAGES:
        link, row = finger[url]
        assert link["height"] >= 44, (url, link)
        # Inside its row (a pixel of rounding aside): no part of it over a neighbour's.
        assert (
            row["y"] - 1 <= link["y"] and link["y"] + link["height"] <= row["y"] + row["height"] + 1
        )
    link, row = mouse["/"]
    assert link["height"] < 30  # with a mouse the home list's name is the line it was
