"""Issue 13.14: in the session editor with all 31 PREEMPT points, "Save draft" and "Sign
session" are never covered (the sticky safety panel covered them at 1366x768), and on an
iPad (820x1180) the findings are counted in view and one tap away from any point."""

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.helpers import PASSWORD, SCREENSHOT_DIR, idle_for_longer_than_the_limit
from tests.e2e.session_helpers import add_preempt_points
from tests.factories import (
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)

# Reference data (products, the PREEMPT template) comes from migrations: see conftest.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

SIZES = {"1366": {"width": 1366, "height": 768}, "820": {"width": 820, "height": 1180}}

# What is drawn at the centre of the element: the element itself (or something inside it).
IS_ON_TOP = """el => {
    const box = el.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return "off screen";
    const hit = document.elementFromPoint(x, y);
    if (el.contains(hit)) return "";
    return `covered by ${hit.tagName.toLowerCase()}#${hit.id}.${hit.className}`;
}"""


@pytest.fixture
def preempt_draft(reception, practitioner):
    """A BOTOX chronic-migraine draft with the 31 PREEMPT points and nothing ticked yet,
    so the panel holds findings that block signing."""
    patient = PatientFactory(
        family_name="Okafor", given_names="Grace", date_of_birth=date(1979, 4, 12)
    )
    QuestionnaireFactory(patient=patient, entered_by=reception)
    vial = VialFactory(received_by=practitioner, presentation_units=200, diluent_ml=Decimal("4.00"))
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner, vial=vial)
    add_preempt_points(session)
    return session


def assert_not_covered(button: Locator) -> None:
    """In view and on top once any scrolling has settled (Bootstrap scrolls smoothly where
    the system allows motion: checked mid-scroll, the action bar could still be over it)."""
    expect(button).to_be_in_viewport()
    with contextlib.suppress(PlaywrightTimeoutError):  # the assertion says what covers it
        button.page.wait_for_function(
            f"el => ({IS_ON_TOP})(el) === ''", arg=button.element_handle(), timeout=3000
        )
    assert button.evaluate(IS_ON_TOP) == "", button


@pytest.mark.parametrize(
    "size",
    # The iPad with a finger (a coarse pointer), as the practitioner review used it.
    ["1366", pytest.param("820", marks=pytest.mark.browser_context_args(has_touch=True))],
)
def test_save_and_sign_stay_uncovered_and_findings_are_one_tap_away(
    page: Page, live_server, practitioner, preempt_draft, login, shot, size
):
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{preempt_draft.public_id}/edit/")
    rows = page.locator("#points-body tr.point-row")
    expect(rows).to_have_count(31)
    save = page.get_by_role("button", name="Save draft")
    sign = page.get_by_role("button", name="Sign session")
    panel = page.locator("#safety")
    blocks = panel.locator(".finding-block").count()
    assert blocks >= 3  # screening, consent and advice not yet confirmed

    if size == "820":
        # Under a finger at least 44 px tall (practitioner review 07/12/2026: 38 and 31).
        for button in (save, sign, page.get_by_role("button", name="Add point")):
            assert button.bounding_box()["height"] >= 44, button

    # Scrolled to the points, first and last: both buttons in view, nothing over them.
    for row in (rows.first, rows.last):
        row.scroll_into_view_if_needed()
        assert_not_covered(save)
        assert_not_covered(sign)
    shot(page, f"session-screens-last-point-{size}")
    # What the practitioner sees at that moment (the full-page shot cannot show sticking).
    page.screenshot(path=str(SCREENSHOT_DIR / f"session-screens-viewport-{size}.png"))

    # The findings are counted in view; the count follows the panel as it is refreshed.
    summary = page.get_by_role("link", name="Safety checks:")
    expect(summary).to_be_in_viewport()
    expect(summary.locator("[data-level=block]")).to_have_text(f"{blocks} block signing")
    page.get_by_label("Consent for this episode taken").check()
    expect(summary.locator("[data-level=block]")).to_have_text(f"{blocks - 1} block signing")
    rows.last.scroll_into_view_if_needed()
    summary.click()
    expect(panel.locator(".finding-block").first).to_be_in_viewport()
    assert_not_covered(sign)
    shot(page, f"session-screens-panel-{size}")


def test_every_finding_and_the_warnings_tick_box_are_reachable_at_1366(
    page: Page, live_server, practitioner, preempt_draft, login, shot
):
    """Review: at 1366x768 the panel was a box of its own height; findings were cut off
    mid-card and the warnings tick box sat below its edge with no cue. It now scrolls with
    the page, says how much is still below, and one click brings the rest (and the tick
    box) into view above the action bar."""
    page.set_viewport_size(SIZES["1366"])
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{preempt_draft.public_id}/edit/")
    panel = page.locator("#safety")
    tick = page.get_by_label("I have read the warnings above")
    expect(tick).to_have_count(1)
    # No scroll box inside the panel: what it holds is as tall as the panel itself.
    assert panel.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert panel.locator(".card-body").evaluate("el => getComputedStyle(el).overflowY") in (
        "visible",
        "",
    )
    more = page.locator("[data-safety-more]")
    expect(more).to_be_visible()
    expect(more).to_contain_text("below")
    assert_not_covered(more)
    more.click()
    assert_not_covered(tick)
    expect(more).to_be_hidden()
    expect(panel.locator(".finding").last).to_be_in_viewport()
    assert_not_covered(page.get_by_role("button", name="Sign session"))
    tick.check()
    shot(page, "session-screens-panel-end-1366")


def test_the_first_vial_is_never_offered_again_as_a_further_vial(
    page: Page, live_server, practitioner, preempt_draft, login
):
    """Review: "Further vials" listed the vial already chosen as the first. Choosing
    another first vial hides (and unticks) its box and offers the previous one back; the
    live check then counts both vials, so the short-vial finding goes."""
    first = preempt_draft.vial
    first.presentation_units = 100
    first.save()
    second = VialFactory(
        received_by=practitioner, presentation_units=100, diluent_ml=Decimal("2.00")
    )
    page.set_viewport_size(SIZES["1366"])
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{preempt_draft.public_id}/edit/")
    short = page.locator("#safety [data-code='vial.insufficient']")
    expect(short).to_contain_text("Tick another vial under “Further vials”")
    box = {
        v.pk: page.locator(f"input[name=further_vials][data-further-vial='{v.pk}']")
        for v in (first, second)
    }
    expect(box[first.pk]).to_be_hidden()
    expect(box[second.pk]).to_be_visible()
    box[second.pk].check()
    page.locator("select[name=vial]").select_option(str(second.pk))
    expect(box[second.pk]).to_be_hidden()
    expect(box[second.pk]).not_to_be_checked()
    expect(box[first.pk]).to_be_visible()
    box[first.pk].check()
    expect(short).to_have_count(0)


def test_half_typed_session_comes_back_after_the_idle_sign_out(
    page: Page, live_server, practitioner, preempt_draft, login
):
    """Issue 13.17 in the session editor: notes and ticks typed before the idle sign-out
    are offered back on the same session, and the safety panel follows them."""
    edit_url = f"{live_server.url}/sessions/{preempt_draft.public_id}/edit/"
    login(page, live_server, "amelia", through_form=True)
    page.goto(edit_url)
    consent = page.locator(".finding-block[data-code='consent.missing']")
    expect(consent).to_have_count(1)
    page.get_by_label("Notes").fill("Anxious about needles; ice pack offered")
    page.get_by_label("Consent for this episode taken").check()
    expect(consent).to_have_count(0)

    idle_for_longer_than_the_limit(page)
    page.reload()
    page.get_by_label("Username").fill("amelia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(edit_url)
    expect(page.get_by_label("Notes")).to_have_value("")
    page.get_by_test_id("draft-offer").get_by_role("button", name="Restore what I typed").click()
    expect(page.get_by_label("Notes")).to_have_value("Anxious about needles; ice pack offered")
    expect(page.get_by_label("Consent for this episode taken")).to_be_checked()
    expect(page.locator("#points-body tr.point-row")).to_have_count(31)
    expect(consent).to_have_count(0)  # re-checked with what was restored
