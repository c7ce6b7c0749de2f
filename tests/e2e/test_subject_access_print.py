"""Issue 13.20 in the browser: the manager opens the printable subject access copy; at the
laptop, the iPad and printed (A4), nothing is wider than the page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.models import AccessEvent
from patients.models import SubjectAccessRequest
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

SIZES = {"1366": {"width": 1366, "height": 768}, "820": {"width": 820, "height": 1180}}
WIDEST = """() => Math.max(...[...document.querySelectorAll("main *")].map(
    (el) => el.getBoundingClientRect().right))"""


def test_printable_copy_fits_the_page(
    page: Page, live_server, manager, reception, practitioner, login, shot
):
    patient = PatientFactory(
        registered_by=reception,
        referral_detail="Referred by her neurologist after three preventives failed " * 3,
    )
    QuestionnaireFactory(patient=patient, entered_by=reception)
    session = TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, performed_at=timezone.now() - timedelta(days=30)
    )
    InjectionPointFactory.create_batch(3, session=session)
    FollowUpFactory(patient=patient)
    AccessEvent.objects.create(
        username=practitioner.username,
        role="Practitioner",
        patient=patient,
        action="session.view",
        method="GET",
        path="/",
        status_code=200,
    )
    SubjectAccessRequest.objects.create(
        patient=patient,
        received_on=date(2026, 1, 5),
        identity_verified_on=date(2026, 1, 6),
        recorded_by=manager,
    )

    login(page, live_server, "marcus")
    page.goto(f"{live_server.url}/patients/{patient.public_id}/subject-access/")
    page.get_by_role("button", name="Readable copy").click()  # a button: POST, one copy
    expect(page.get_by_role("heading", name="The records")).to_be_visible()
    expect(page.get_by_role("heading", name="Who looked at your record")).to_be_visible()
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        assert page.evaluate(WIDEST) <= size["width"], f"wider than the screen at {label}"
        shot(page, f"sar-print-{label}")
    # Printed on A4 (about 180 mm of width at 96 dpi inside the margins).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 1000})
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    assert page.evaluate(WIDEST) <= 680, "wider than an A4 page"
    shot(page, "sar-print-a4")
