"""Two receptionists edit the same patient at once: the second save is stopped, not lost."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import phone_pattern, staff_name_pattern
from tests.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_edit_page(page: Page, live_server, patient) -> None:
    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    page.get_by_role("link", name="Edit details").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Edit "))).to_be_visible()


def test_second_save_shows_conflict_and_keeps_typed_email(
    new_context, live_server, reception, second_reception, login, shot
):
    patient = PatientFactory(
        family_name="Achterberg",
        given_names="Lotte",
        phone="07700900200",
        email="lotte@example.com",
        registered_by=reception,
    )
    rita = new_context().new_page()
    rosa = new_context().new_page()
    login(rita, live_server, "rita")
    login(rosa, live_server, "rosa")
    open_edit_page(rita, live_server, patient)
    open_edit_page(rosa, live_server, patient)

    # Rita changes the phone and saves first.
    rita.locator("#id_phone").fill("07700 900 333")
    rita.get_by_role("button", name="Save changes").click()
    expect(rita.locator(".messages .alert-success")).to_contain_text("Saved changes to Lotte")
    patient.refresh_from_db()
    assert patient.phone == "07700900333"
    assert patient.version == 2

    # Rosa, still on the page she opened before, changes the email and saves.
    rosa.locator("#id_email").fill("lotte.achterberg@example.com")
    rosa.get_by_role("button", name="Save changes").click()

    conflict = rosa.locator("#edit-conflict")
    expect(conflict).to_be_visible()
    by_rita = staff_name_pattern(reception)
    expect(conflict.locator("h2")).to_have_text(
        re.compile(rf"Not saved yet: {by_rita} changed this record while you were editing")
    )
    expect(conflict).to_contain_text("Your changes (kept in the form below)")
    expect(conflict.locator("tr", has_text="Email")).to_contain_text("lotte.achterberg@example.com")
    expect(conflict.locator("tr", has_text="phone")).to_contain_text(
        re.compile(phone_pattern("07700900333"))
    )
    # The form now holds the saved record plus Rosa's own change only.
    expect(rosa.locator("#id_email")).to_have_value("lotte.achterberg@example.com")
    expect(rosa.locator("#id_phone")).to_have_value(re.compile(phone_pattern("07700900333")))
    patient.refresh_from_db()
    assert patient.email == "lotte@example.com"  # nothing of Rosa's was written
    shot(rosa, "reception-08-edit-conflict")

    # Having read the differences, Rosa saves again deliberately.
    rosa.get_by_role("button", name="Save changes").click()

    expect(rosa.locator(".messages .alert-success")).to_contain_text("Saved changes to Lotte")
    expect(rosa.locator("#edit-conflict")).to_have_count(0)
    patient.refresh_from_db()
    assert patient.email == "lotte.achterberg@example.com"
    assert patient.version == 3
    assert patient.phone == "07700900333"  # Rita's change survives Rosa's second save
