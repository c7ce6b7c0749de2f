"""Two receptionists on the same appointment in the browser, at a laptop's 1366x768 and an
iPad's 820x1180: each move or cancellation made on a page that someone else has changed
since says who did what and how the appointment is now, keeps what was typed, and a second
press does what was asked. Screenshots checked by axe and looked at."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from clinic.diary import services
from clinic.diary.models import Appointment, AppointmentType, WorkingPattern
from tests.e2e.helpers import staff_name_pattern
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


def local(day_offset: int, hour: int, minute: int = 0):
    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def open_page(page: Page, live_server, appointment: Appointment, viewport) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/diary/appointments/{appointment.public_id}/")
    expect(page.get_by_test_id("appointment-status")).to_be_visible()


def move(page: Page, day, start: str) -> None:
    page.locator("summary", has_text="Move").click()
    page.get_by_label("Date").fill(f"{day:%d/%m/%Y}")
    page.get_by_label("Time").select_option(start)
    page.get_by_role("button", name="Move", exact=True).click()


def cancel(page: Page, reason: str) -> None:
    page.locator("summary", has_text="Cancel").click()
    page.get_by_label("The patient").check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Cancel the appointment").click()


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_two_receptionists_move_and_cancel_the_same_appointment(
    new_context, live_server, reception, second_reception, practitioner, login, shot, viewport
):
    from django.utils import timezone

    size = "laptop" if viewport is LAPTOP else "ipad"
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(8), ends=time(19)
        )
    patient = PatientFactory(family_name="Wetherby", given_names="Imogen")
    appointment = services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="review"),
        starts_at=local(1, 10),
        booked_by=reception,
    )
    rita = new_context().new_page()
    rosa = new_context().new_page()
    login(rita, live_server, reception.username)
    login(rosa, live_server, second_reception.username)
    open_page(rita, live_server, appointment, viewport)
    open_page(rosa, live_server, appointment, viewport)
    tomorrow, in_two_days = (timezone.localdate() + timedelta(days=n) for n in (1, 2))

    # Rita moves it to 14:00 first; Rosa, on the page she opened before, asks for 15:00
    # the day after: told who moved it and where, her date and time kept in the form.
    move(rita, tomorrow, "14:00")
    expect(rita.locator(".messages")).to_contain_text("Moved")
    move(rosa, in_two_days, "15:00")
    said = rosa.locator(".messages")
    expect(said).to_contain_text(
        re.compile(
            rf"{staff_name_pattern(reception)} moved or changed this appointment meanwhile: "
            rf"it is now {tomorrow:%d/%m/%Y} at 14:00"
        )
    )
    expect(rosa.get_by_label("Date")).to_have_value(f"{in_two_days:%d/%m/%Y}")
    expect(rosa.get_by_label("Time")).to_have_value("15:00")
    expect(rosa.get_by_role("button", name="Move", exact=True)).to_be_in_viewport()
    shot(rosa, f"diary-conflict-01-moved-meanwhile-{size}")
    rosa.get_by_role("button", name="Move", exact=True).click()  # press again: done
    expect(rosa.locator(".messages")).to_contain_text("Moved")
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == local(2, 15)

    # Rita, still on her page, cancels it: told Rosa moved it, her reason kept.
    cancel(rita, "Flu, will ring to rebook")
    expect(rita.locator(".messages")).to_contain_text(
        re.compile(rf"{staff_name_pattern(second_reception)} moved or changed this appointment")
    )
    expect(rita.get_by_label("Reason")).to_have_value("Flu, will ring to rebook")
    shot(rita, f"diary-conflict-02-cancel-kept-{size}")
    rita.get_by_role("button", name="Cancel the appointment").click()
    expect(rita.get_by_test_id("appointment-status")).to_contain_text("Cancelled")

    # Rosa, on her page from before the cancellation, moves it again: told it was
    # cancelled, by whom and why, and the time she asked for is in the message.
    move(rosa, in_two_days, "16:00")
    expect(rosa.locator(".messages")).to_contain_text(
        re.compile(
            rf"{staff_name_pattern(reception)} cancelled this appointment meanwhile "
            rf"\(the patient: Flu, will ring to rebook\)\. It was not moved to "
            rf"{in_two_days:%d/%m/%Y} at 16:00"
        )
    )
    shot(rosa, f"diary-conflict-03-cancelled-meanwhile-{size}")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert timezone.localtime(appointment.starts_at) == local(2, 15)


def test_back_after_a_corrected_move_shows_the_page_not_a_resubmission(
    page: Page, live_server, reception, practitioner, login
):
    """Review: a move refused (an impossible date), corrected and made, then Back: the page
    it went back to was the answer to a form, and Chrome asked to send the form again
    ("Confirm Form Resubmission"). That answer takes the appointment page's address, so
    Back loads the page."""
    from django.utils import timezone

    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(8), ends=time(19)
        )
    appointment = services.appointment_book(
        patient=PatientFactory(family_name="Wetherby"),
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="review"),
        starts_at=local(1, 10),
        booked_by=reception,
    )
    login(page, live_server, reception.username)
    open_page(page, live_server, appointment, IPAD)
    page.locator("summary", has_text="Move").click()
    page.get_by_label("Date").fill("31/02/2026")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("#id_day_error")).to_contain_text("That is not a date")
    address = f"{live_server.url}{appointment.get_absolute_url()}"
    expect(page).to_have_url(address)  # the refused move's answer, at the page's address

    page.get_by_label("Date").fill(f"{timezone.localdate() + timedelta(days=2):%d/%m/%Y}")
    page.get_by_label("Time").select_option("11:00")
    page.get_by_role("button", name="Move", exact=True).click()  # the panel is still open
    expect(page.locator(".messages")).to_contain_text("Moved to")
    page.go_back()
    expect(page).to_have_url(address)
    expect(page.get_by_test_id("appointment-status")).to_be_visible()
