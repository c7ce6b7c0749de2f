""" "I have read the warnings above" acknowledges the warnings it was ticked for (review
07/12/2026): the live check kept the box ticked while the panel changed, so a warning that
came up after the tick (the draft's vial discarded meanwhile) was signed unread. A warning
that came up before the tick is acknowledged by it, as the practitioner read it."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.session_helpers import (
    acknowledge_any_warnings,
    live_check_settled,
    safety_panel,
    started_preempt_draft,
)
from treatments import services
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

DISCARDED_SINCE = '.finding-warn[data-code="vial.discarded_since"]'


def _started(page: Page, live_server, practitioner, patient, login) -> TreatmentSession:
    session = started_preempt_draft(page, live_server, practitioner, patient, login)
    live_check_settled(page)
    return session


def _vial_rest_discarded_meanwhile(page: Page, session: TreatmentSession, practitioner) -> None:
    """The nurse throws the vial's rest away while the editor is open; the next change the
    practitioner makes (a note) sends a live check, which shows the new warning."""
    services.vial_discard(
        vial=session.vial, reason="End of session", wasted_units=Decimal(45),
        discarded_by=practitioner,
    )  # fmt: skip
    page.locator("textarea[name=notes]").fill("Tolerated well.")
    live_check_settled(page)
    expect(safety_panel(page).locator(DISCARDED_SINCE)).to_be_visible()


def test_a_warning_come_up_after_the_tick_is_read_before_signing(
    page: Page, live_server, practitioner, adult_patient, login
):
    session = _started(page, live_server, practitioner, adult_patient, login)
    acknowledge_any_warnings(page)
    box = page.get_by_label("I have read the warnings above")
    expect(box).to_be_checked()
    _vial_rest_discarded_meanwhile(page, session, practitioner)
    expect(box).to_be_checked()  # the tick stays while the panel changes
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("A warning came up after the box was ticked")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    box = page.get_by_label("I have read the warnings above")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Sign").click()
    expect(page.locator(".messages")).to_contain_text("Session signed.")


def test_a_warning_read_before_the_tick_is_acknowledged_by_it(
    page: Page, live_server, practitioner, adult_patient, login
):
    session = _started(page, live_server, practitioner, adult_patient, login)
    _vial_rest_discarded_meanwhile(page, session, practitioner)
    page.get_by_label("I have read the warnings above").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.locator(".messages")).to_contain_text("Session signed.")
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED


def test_the_box_ticked_again_after_a_new_warning_acknowledges_it(
    page: Page, live_server, practitioner, adult_patient, login
):
    """Ticked, a warning comes up, the practitioner reads it, unticks and ticks again: the
    box now stands for it too (it kept the warnings of the first tick: code review)."""
    session = _started(page, live_server, practitioner, adult_patient, login)
    acknowledge_any_warnings(page)
    _vial_rest_discarded_meanwhile(page, session, practitioner)
    # Unticked and ticked again at once, as a hand does: the live check the untick sends
    # answers after the new tick (the box then follows the panel no more).
    page.evaluate(
        """() => {
          const box = document.getElementById("acknowledge");
          for (const ticked of [false, true]) {
            box.checked = ticked;
            box.dispatchEvent(new Event("change", { bubbles: true }));
          }
        }"""
    )
    live_check_settled(page)
    expect(page.get_by_label("I have read the warnings above")).to_be_checked()
    page.get_by_role("button", name="Sign").click()
    expect(page.locator(".messages")).to_contain_text("Session signed.")
