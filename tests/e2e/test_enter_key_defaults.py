"""Enter in a form presses its first submit button in the page, whatever button the user
meant. Where a form has more than one, the first must be the safe, expected one (the
booking and Move forms: tests/e2e/test_diary_enter_key.py).

The session editor has two, "Save draft" then "Sign session": Enter in any of its fields
saves the draft and never signs, even when nothing stands in the way of signing (a
signed session cannot be changed, only added to).

A patient search inside a form (booking, waiting list) is not a button but sent the
form all the same: Enter there looks the patient up (clinic/app.js, data-enter-searches)."""

import re

import pytest
from playwright.sync_api import Page, expect

from clinic.diary.messaging.models import PatientMessage
from clinic.diary.models import Appointment
from clinic.diary.waiting_list.models import WaitingListEntry
from tests.clinic.messaging_helpers import CONSENTS, signed_session
from tests.e2e.session_helpers import CONFIRMATIONS
from tests.e2e.test_session_screens import preempt_draft  # noqa: F401 - fixture
from tests.factories import PatientFactory
from treatments.choices import SessionStatus

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def test_enter_in_the_session_editor_saves_the_draft_and_does_not_sign(
    page: Page,
    live_server,
    practitioner,
    preempt_draft,  # noqa: F811
    login,
):
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{preempt_draft.public_id}/edit/")
    panel = page.locator("#safety")
    for label in CONFIRMATIONS:
        page.get_by_label(label).check()
    expect(panel.locator(".finding-block")).to_have_count(0)
    expect(panel.locator(".finding-override")).to_have_count(0)
    page.get_by_label("I have read the warnings above").check()
    # Nothing blocks signing now: had Enter pressed "Sign session", it would be signed.
    units = page.locator("input[name='points-0-units']")
    units.fill("10")
    units.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    expect(page.get_by_role("button", name="Sign session")).to_be_visible()
    preempt_draft.refresh_from_db()
    assert preempt_draft.status == SessionStatus.DRAFT
    assert preempt_draft.signed_at is None
    assert preempt_draft.points.order_by("order").first().units == 10


@pytest.mark.parametrize("path", ["/diary/book/", "/diary/waiting-list/"])
def test_enter_in_the_patient_search_looks_up_and_sends_nothing(
    page: Page, live_server, practitioner, reception, login, path
):
    """The booking and waiting-list forms find the patient as you type. Enter in that box
    sent the whole form half filled in (the booking page came back with four errors and
    the search gone); it now looks the patient up again and sends nothing."""
    PatientFactory(family_name="Perry", given_names="Joan")
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{path}")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    search = page.get_by_label("Find the patient")
    search.press_sequentially("Perry")
    expect(page.get_by_role("radio", name=re.compile("PERRY"))).to_have_count(1)
    with page.expect_response(lambda response: "/diary/book/patients/" in response.url):
        search.press("Enter")

    assert posts == []
    expect(search).to_have_value("Perry")
    expect(page.get_by_role("radio", name=re.compile("PERRY"))).to_have_count(1)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    assert not Appointment.objects.exists() and not WaitingListEntry.objects.exists()


def test_enter_on_a_recall_tick_box_sends_no_recall(
    page: Page, live_server, practitioner, reception, login
):
    """On the recall list the boxes come ticked for everyone who agreed to recalls, and
    "Send recall messages" is their form's only button: Enter on a box (to tick or untick
    it, as Space does) sent recall messages to every ticked patient. Only the button
    sends them now."""
    due = PatientFactory(family_name="Ravensworth", **CONSENTS["sms"])
    signed_session(due, practitioner, days_ago=100)
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/recall/")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    box = page.get_by_role("checkbox", name=re.compile("RAVENSWORTH"))
    expect(box).to_be_checked()
    box.press("Enter")
    page.wait_for_timeout(500)  # a form sent by Enter is on its way by now

    assert posts == []
    assert not PatientMessage.objects.filter(kind="recall").exists()
    page.get_by_role("button", name="Send recall messages to 1 ticked patient", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Recall messages for 1 patient")
    assert PatientMessage.objects.filter(kind="recall", patient=due).exists()
