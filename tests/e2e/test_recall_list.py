"""The recall list's tick boxes in the browser, at a laptop's 1366x768 and an iPad's
820x1180 (browser review, 07/12/2026: on the iPad the Recall boxes, most of them ticked,
were in a last column off the screen, and "Send recall messages to the ticked patients"
sent to every one of them). Each box is beside the patient's name, on the screen; the
button says how many are ticked, and keeps count as boxes change."""

import re

import pytest
from playwright.sync_api import Page, expect

from clinic.diary.messaging.models import PatientMessage
from tests.clinic.messaging_helpers import CONSENTS, signed_session
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_the_recall_boxes_are_beside_the_names_and_the_button_counts_them(
    page: Page, live_server, practitioner, reception, login, shot, viewport
):
    page.set_viewport_size(viewport)
    agreed = [
        PatientFactory(family_name="Ravensworth", **CONSENTS["sms"]),
        PatientFactory(family_name="Quenby", **CONSENTS["email"]),
    ]
    declined = PatientFactory(family_name="Pelham", **CONSENTS["service messages only"])
    for patient in [*agreed, declined]:
        signed_session(patient, practitioner, days_ago=100)

    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/recall/")
    send = page.get_by_test_id("send-recalls")
    expect(send).to_have_text("Send recall messages to 2 ticked patients")
    boxes = {
        name: page.get_by_role("checkbox", name=re.compile(name.upper()))
        for name in ("Ravensworth", "Quenby", "Pelham")
    }
    for name, box in boxes.items():
        expect(box).to_be_in_viewport()  # not in a column scrolled off the screen
        if name == "Pelham":
            expect(box).not_to_be_checked()  # no consent to recalls
        else:
            expect(box).to_be_checked()
    # The table fits: Book is on the screen too, with no sideways scrolling.
    expect(page.get_by_role("link", name="Book")).to_have_count(3)
    expect(page.get_by_role("link", name="Book").first).to_be_in_viewport()
    shot(page, f"recall-list-{'laptop' if viewport is LAPTOP else 'ipad'}")  # and axe

    boxes["Quenby"].uncheck()
    expect(send).to_have_text("Send recall messages to 1 ticked patient")
    page.get_by_text(re.compile("^PELHAM")).click()  # the name is the box's label
    expect(boxes["Pelham"]).to_be_checked()
    expect(send).to_have_text("Send recall messages to 2 ticked patients")
    boxes["Pelham"].uncheck()
    # Nobody ticked: the button cannot be pressed, and the page says why.
    boxes["Ravensworth"].uncheck()
    expect(send).to_have_text("Send recall messages to 0 ticked patients")
    expect(send).to_be_disabled()
    expect(page.get_by_text("Nobody is ticked: tick the patients to send to.")).to_be_visible()
    boxes["Ravensworth"].check()
    expect(send).to_be_enabled()
    expect(page.get_by_text("Nobody is ticked: tick the patients to send to.")).to_be_hidden()

    send.click()
    expect(page.locator(".messages")).to_contain_text("Recall messages for 1 patient")
    recalled = set(PatientMessage.objects.filter(kind="recall").values_list("patient", flat=True))
    assert recalled == {agreed[0].pk}
