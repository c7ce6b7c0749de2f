"""Enter in a form presses its first submit button in the page, whatever button the user
meant. Where a form has more than one, the first must be the safe, expected one (the
booking and Move forms: tests/e2e/test_diary_enter_key.py).

The session editor has two, "Save draft" then "Sign session": Enter in any of its fields
saves the draft and never signs, even when nothing stands in the way of signing (a
signed session cannot be changed, only added to)."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_session_flow import CONFIRMATIONS
from tests.e2e.test_session_screens import preempt_draft  # noqa: F401 - fixture
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
