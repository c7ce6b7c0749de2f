"""Enter in a booking or move form sends what the form says, even after a clash offered
free times as buttons. A form's Enter presses its first submit button in the page: on
the booking page the free times stood before the form's own Book button, so a receptionist
who corrected the time and pressed Enter booked the first free time instead (09:30, not
the 12:00 typed); the Move panel's new free times would have done the same (05/12)."""

from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.diary.models import Appointment
from tests.clinic.diary_helpers import at, book, kind, working
from tests.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def taken(practitioner, reception):
    working(practitioner)
    return book(
        PatientFactory(), practitioner, reception, at(1, 9), "consultation", acknowledge_flags=True
    )


def test_enter_after_a_clash_books_the_time_typed(
    page: Page, live_server, practitioner, reception, taken, login
):
    patient = PatientFactory(family_name="Perry")
    login(page, live_server, "rita")
    page.goto(
        f"{live_server.url}/diary/book/?patient={patient.public_id}"
        f"&practitioner={practitioner.pk}"
        f"&start={quote(timezone.localtime(taken.starts_at).isoformat())}"
        f"&appointment_type={kind('consultation').pk}"
    )
    page.get_by_role("button", name="Book").last.click()
    expect(page.get_by_test_id("free-slot").first).to_be_visible()
    page.get_by_label("Time").select_option("12:00")
    page.get_by_label("Date").press("Enter")
    expect(page.locator(".messages")).to_contain_text("Booked")
    booked = Appointment.objects.get(patient=patient)
    assert f"{timezone.localtime(booked.starts_at):%H:%M}" == "12:00"


def test_enter_after_a_clash_moves_to_the_time_typed(
    page: Page, live_server, practitioner, reception, taken, login
):
    appointment = book(
        PatientFactory(family_name="Perry"),
        practitioner,
        reception,
        at(1, 11),
        "consultation",
        acknowledge_flags=True,
    )
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{appointment.get_absolute_url()}")
    page.get_by_text("Move", exact=True).first.click()
    local = timezone.localtime(taken.starts_at)
    page.get_by_label("Date").fill(f"{local:%d/%m/%Y}")
    page.get_by_label("Time").select_option(f"{local:%H:%M}")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_test_id("free-slot").first).to_be_visible()
    page.get_by_label("Time").select_option("12:00")
    page.get_by_label("Date").press("Enter")
    expect(page.locator(".messages")).to_contain_text("Moved to")
    appointment.refresh_from_db()
    assert f"{timezone.localtime(appointment.starts_at):%H:%M}" == "12:00"
