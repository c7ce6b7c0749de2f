"""Messages and the waiting list in the browser (issue 15.5-15.6, acceptance), at a laptop's
1366x768 and an iPad's 820x1180: a reminder the worker processed appears in reception's
outbox (and a channel without consent as skipped, with why); a cancellation offers its
slot on the waiting list with "Book this slot", which opens the booking form filled in;
the unsubscribe page says only that the patient is unsubscribed. Screenshots are checked
by axe (the `shot` fixture)."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from clinic.diary import services
from clinic.diary.messaging import texts
from clinic.diary.models import AppointmentType, WorkingPattern
from clinic.diary.waiting_list import services as waiting_services
from tests.clinic.worker import run_worker
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


def local(day_offset: int, hour: int):
    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_a_reminder_the_worker_sent_is_in_the_outbox_and_a_cancellation_is_offered(
    page: Page, live_server, reception, practitioner, login, shot, viewport
):
    from django.utils import timezone

    page.set_viewport_size(viewport)
    size = "laptop" if viewport is LAPTOP else "ipad"
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(8), ends=time(19)
        )
    review = AppointmentType.objects.get(slug="review")
    patient = PatientFactory(
        family_name="Ashcombe", consent_contact_sms=True, consent_contact_email=False
    )
    services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=review,
        starts_at=local(1, 11),
        booked_by=reception,
    )
    run_worker()  # the reminder is due (inside 48 hours): the worker sends it

    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/outbox/")
    outbox = page.get_by_test_id("outbox")
    sms = outbox.locator("tr", has_text="ASHCOMBE").filter(has_text="SMS")
    expect(sms).to_contain_text("Sent")
    expect(sms).to_contain_text("Appointment reminder from Kensington Neurotoxin Clinic")
    email = outbox.locator("tr", has_text="ASHCOMBE").filter(has_text="Email")
    expect(email).to_contain_text("No consent to contact by email")
    shot(page, f"outbox-01-reminder-sent-{size}")

    # A cancellation offers its slot to the patient waiting for a review.
    waiting = PatientFactory(family_name="Weatherall")
    waiting_services.waiting_list_add(
        patient=waiting,
        appointment_type=review,
        from_date=timezone.localdate(),
        created_by=reception,
    )
    other = services.appointment_book(
        patient=PatientFactory(),
        practitioner=practitioner,
        appointment_type=review,
        starts_at=local(2, 15),
        booked_by=reception,
    )
    page.goto(f"{live_server.url}{other.get_absolute_url()}")
    page.locator("summary", has_text="Cancel").click()
    page.get_by_label("The clinic", exact=True).check()
    page.get_by_label("Reason").fill("Practitioner on a course")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_role("alert").filter(has_text="Waiting for this slot")).to_contain_text(
        waiting.full_name
    )
    page.get_by_role("link", name="Book one of them").click()
    entry = page.get_by_test_id("waiting-entry").filter(has_text="WEATHERALL")
    expect(entry).to_contain_text("Slot free")
    shot(page, f"outbox-02-waiting-list-offer-{size}")
    entry.get_by_test_id("book-offered-slot").click()
    expect(page.get_by_test_id("booking-patient")).to_contain_text("WEATHERALL")
    expect(page.get_by_label("Time", exact=True)).to_have_value("15:00")


def test_the_unsubscribe_page_names_nobody(page: Page, live_server, shot):
    patient = PatientFactory(
        family_name="Pendleford", consent_contact_email=True, consent_marketing_email=True
    )
    url = texts.unsubscribe_url(patient=patient, channel="email").replace(
        "http://localhost:8000", live_server.url
    )
    page.set_viewport_size(IPAD)
    page.goto(url)
    page.get_by_test_id("confirm-unsubscribe").click()
    expect(page.get_by_test_id("unsubscribed")).to_contain_text("You are unsubscribed")
    expect(page.locator("body")).not_to_contain_text("Pendleford")
    shot(page, "outbox-03-unsubscribed-ipad")
    patient.refresh_from_db()
    assert not patient.consent_marketing_email  # recalls and news stop
    assert patient.consent_contact_email  # appointment reminders go on
