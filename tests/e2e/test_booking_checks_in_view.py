"""Reception review, 07/12/2026, at a laptop's 1366x768: a booking that needs its checks
read came back at the top of the page, the same form as before, with "Before you book"
and its tick box below the screen's edge: it looked as if Book had done nothing. The
checks are brought into view, the tick box and Book with them; what was typed is kept."""

from datetime import datetime, time, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from clinic.diary.models import Appointment, AppointmentType, WorkingPattern
from tests.factories import PatientFactory, TreatmentSessionFactory
from treatments.models import Indication, Product

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def test_the_checks_before_booking_are_in_view_on_a_laptop(
    page: Page, live_server, reception, practitioner, login, shot
):
    from django.utils import timezone

    page.set_viewport_size({"width": 1366, "height": 768})
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(8), ends=time(19)
        )
    migraine = Indication.objects.get(slug="chronic-migraine")
    patient = PatientFactory(family_name="Ravensworth")
    TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, indication=migraine,
        product=Product.objects.get(slug="botox"), signed=True,
        performed_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    start = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=2), time(10))
    )
    login(page, live_server, "rita")
    page.goto(
        f"{live_server.url}/diary/book/?patient={patient.public_id}"
        f"&practitioner={practitioner.pk}&start={quote(start.isoformat())}"
        f"&appointment_type={AppointmentType.objects.get(slug='migraine-treatment').pk}"
    )
    page.get_by_label("Notes for the day").fill("Prefers the window seat")
    page.get_by_role("button", name="Book").click()

    flags = page.get_by_test_id("booking-flags")
    expect(flags).to_contain_text("Too soon for Chronic migraine")
    expect(flags).to_be_in_viewport(ratio=1)
    expect(page.get_by_label("I have read the points above: book it anyway.")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Book")).to_be_in_viewport()
    expect(page.get_by_label("Notes for the day")).to_have_value("Prefers the window seat")
    shot(page, "booking-checks-in-view-laptop")

    page.get_by_label("I have read the points above: book it anyway.").check()
    page.get_by_role("button", name="Book").click()
    expect(page.locator(".messages")).to_contain_text("Booked")
    assert Appointment.objects.get(patient=patient).notes == "Prefers the window seat"
