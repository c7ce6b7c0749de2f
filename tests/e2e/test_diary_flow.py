"""The diary in the browser (issue 15, acceptance), at a laptop's 1366x768 and an iPad's
820x1180: reception books a follow-up from the recall list, the booking before the
eligible date is flagged and moved to a free time from that date; a double booking is
refused with free times offered; a patient arrives (one click on the home page); the
practitioner starts the session from the diary with the booking's indication and
product, signs it, and the appointment shows completed."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from clinic.diary import services
from clinic.diary.models import Appointment, AppointmentType, WorkingPattern
from tests.e2e.session_helpers import (
    Actions,
    acknowledge_any_warnings,
    fresh_vial,
    tick_confirmations,
)
from tests.factories import PatientFactory, TreatmentSessionFactory
from treatments.models import Indication, Product

# Uses migrated reference data (appointment types, indications): migrated_reference_data.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


def working_every_day(user):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=user, weekday=weekday, starts=time(8), ends=time(19)
        )


def local(day_offset: int, hour: int, minute: int = 0):
    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_reception_books_from_the_recall_list_and_a_clash_offers_free_times(
    page: Page, live_server, reception, practitioner, login, shot, viewport
):
    from django.utils import timezone

    page.set_viewport_size(viewport)
    size = "laptop" if viewport is LAPTOP else "ipad"
    working_every_day(practitioner)
    migraine = Indication.objects.get(slug="chronic-migraine")
    botox = Product.objects.get(slug="botox")
    due = PatientFactory(family_name="Ravensworth", given_names="Clara")
    last = timezone.now() - timedelta(days=migraine.min_interval_days - 3)
    TreatmentSessionFactory(
        patient=due, practitioner=practitioner, indication=migraine, product=botox,
        performed_at=last, signed=True,
        summarised=True,  # as signing does (the recall list reads it)
    )  # fmt: skip
    eligible = timezone.localdate(last) + timedelta(days=migraine.min_interval_days)

    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/recall/")
    row = page.locator("tr", has_text="RAVENSWORTH")
    expect(row).to_be_visible()
    shot(page, f"diary-01-recall-list-{size}")
    row.get_by_role("link", name="Book").click()
    expect(page.get_by_role("heading", name="Next free slot")).to_be_visible()
    expect(page.get_by_label("Appointment")).to_have_value(
        str(AppointmentType.objects.get(slug="migraine-treatment").pk)
    )
    first_free = page.get_by_test_id("free-slots").get_by_role("link").first
    expect(first_free).to_contain_text(f"{eligible:%d/%m/%Y}")
    first_free.click()

    # The receptionist changes the date to tomorrow, as the patient asked: too soon.
    expect(page.get_by_test_id("booking-patient")).to_contain_text("RAVENSWORTH")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Date").fill(f"{tomorrow:%d/%m/%Y}")
    page.get_by_label("Time").select_option("10:00")
    page.get_by_label("Notes").fill("Asked for a morning")
    page.get_by_role("button", name="Book").click()
    flags = page.get_by_test_id("booking-flags")
    expect(flags).to_contain_text(f"the earliest eligible date is {eligible:%d/%m/%Y}")
    shot(page, f"diary-02-too-soon-flagged-{size}")
    # The free times from that date are the form's own buttons: one press books it, with
    # what was typed (a link to the free-slot page lost it; reception review 07/12/2026).
    expect(flags.get_by_test_id("slots-from-eligible")).to_contain_text(
        f"Free times from {eligible:%d/%m/%Y}"
    )
    flags.get_by_test_id("free-slot").first.click()
    expect(page.locator(".messages")).to_contain_text("Booked")
    booked = Appointment.objects.get(patient=due)
    assert timezone.localdate(booked.starts_at) == eligible and booked.booking_flags == []
    assert booked.notes == "Asked for a morning"
    shot(page, f"diary-03-booked-{size}")

    # A second patient at the same time: refused, with the free times to choose from.
    other = PatientFactory(family_name="Ellingham")
    start = timezone.localtime(booked.starts_at)
    page.goto(
        f"{live_server.url}/diary/book/?patient={other.public_id}"
        f"&practitioner={practitioner.pk}&start={quote(start.isoformat())}"
        f"&appointment_type={AppointmentType.objects.get(slug='review').pk}"
    )
    page.get_by_role("button", name="Book").click()
    clash = page.get_by_test_id("double-booking")
    expect(clash).to_contain_text("is taken")
    shot(page, f"diary-04-double-booking-refused-{size}")
    clash.get_by_test_id("free-slot").first.click()
    expect(page.locator(".messages")).to_contain_text("Ellingham")
    assert Appointment.objects.filter(patient=other).count() == 1


def test_arrival_start_from_the_diary_sign_and_completed(
    page: Page, live_server, reception, practitioner, adult_patient, login, shot
):
    from django.utils import timezone

    page.set_viewport_size(IPAD)
    working_every_day(practitioner)
    fresh_vial(practitioner)
    now = timezone.localtime()
    starts = now.replace(minute=(now.minute // 15) * 15, second=0, microsecond=0)
    appointment = services.appointment_book(
        patient=adult_patient,
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="migraine-treatment"),
        starts_at=starts,
        product=Product.objects.get(slug="botox"),
        booked_by=reception,
        acknowledge_flags=True,  # run at night, "now" is outside the 08:00-19:00 hours
    )

    login(page, live_server, "rita")
    today = page.get_by_test_id("today-list")
    expect(today).to_contain_text("OKAFOR")
    shot(page, "diary-05-reception-today")
    today.get_by_role("button", name="Arrived").click()
    expect(page.locator(".messages")).to_contain_text("Marked arrived")
    page.context.clear_cookies()

    page.set_viewport_size(LAPTOP)
    login(page, live_server, "amelia")
    mine = page.get_by_test_id("today-list")
    expect(mine).to_contain_text("Arrived")
    shot(page, "diary-06-practitioner-today")
    actions = Actions()
    actions.click(mine.get_by_role("button", name="Start session"), "Start session")
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/edit/$"))
    expect(
        page.get_by_role("heading", name=re.compile("BOTOX for Chronic migraine"))
    ).to_be_visible()
    expect(page.locator("#points-body tr.point-row")).to_have_count(31)
    tick_confirmations(page, actions)
    expect(page.locator("#safety .finding-block")).to_have_count(0)
    acknowledge_any_warnings(page)
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Session signed.")

    appointment.refresh_from_db()
    assert appointment.status == "completed" and appointment.session.status == "signed"
    page.goto(f"{live_server.url}{appointment.get_absolute_url()}")
    expect(page.get_by_test_id("appointment-status")).to_have_text("Completed")
    signed = timezone.localtime(appointment.session.signed_at)
    expect(page.get_by_test_id("appointment-completed")).to_have_text(
        f"{signed:%d/%m/%Y %H:%M}, when the session was signed"
    )
    shot(page, "diary-07-appointment-completed")
