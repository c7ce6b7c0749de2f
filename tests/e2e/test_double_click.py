"""One click on a form's button shows what that click did (browser review 05/12: a
double-click on Sign showed "This session was signed meanwhile (a second click, or
another tab?)" and never "Session signed."; CI 06/12: a live check due as Sign was clicked
did the same). clinic/app.js ignores a second submission of a form while the first is on
its way, and sends no htmx request from it meanwhile; the server's guards (versions,
one-time tokens) stay for what gets through."""

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.session_helpers import (
    acknowledge_any_warnings,
    fresh_vial,
    live_check_settled,
    safety_panel,
    started_preempt_draft,
)
from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
)
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession
from treatments.views import sessions as session_views

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def a_draft_ready_to_sign(page: Page, live_server, practitioner, patient, login) -> None:
    """Amelia's PREEMPT session for the patient, started from their page, its three
    confirmations ticked and any warnings acknowledged: Sign is all that is left."""
    started_preempt_draft(page, live_server, practitioner, patient, login)
    acknowledge_any_warnings(page)


def test_a_double_click_on_sign_shows_the_session_signed(
    page: Page,
    live_server,
    practitioner,
    adult_patient,
    login,
):
    a_draft_ready_to_sign(page, live_server, practitioner, adult_patient, login)
    # The first click's request is held on its way (as on a slow connection) while the
    # second click comes: without the guard the browser sends a second POST, and the
    # page shows its answer ("signed meanwhile").
    held = []
    page.route(
        "**/edit/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    # Both clicks from the page's own script, the second 150 ms after the first (as a
    # hand double-clicks): Playwright's own click waits for the first's navigation.
    page.evaluate(
        """() => {
          const sign = document.querySelector("button[name=action][value=sign]");
          sign.click();
          setTimeout(() => sign.click(), 150);
        }"""
    )
    page.wait_for_timeout(600)
    sent = len(held)
    for route in held:
        route.continue_()
    expect(page.locator(".messages")).to_contain_text("Session signed.")
    expect(page.locator(".messages")).not_to_contain_text("signed meanwhile")
    assert sent == 1
    session = TreatmentSession.objects.get(patient=adult_patient)
    assert session.status == SessionStatus.SIGNED


def test_a_live_check_due_as_sign_is_clicked_does_not_say_signed_meanwhile(
    page: Page,
    live_server,
    practitioner,
    adult_patient,
    login,
):
    """Typing, then Sign within half a second (CI, 06/12): the live check the typing had
    due (hx-trigger "input delay:500ms") went out while the Sign's answer was on its way,
    found the session signed, and its "signed meanwhile" and redirect replaced "Session
    signed.". A form on its way sends no more live checks, and those in flight are
    dropped (clinic/app.js)."""
    a_draft_ready_to_sign(page, live_server, practitioner, adult_patient, login)
    expect(safety_panel(page).locator(".finding-block")).to_have_count(0)
    # The Sign reaches the server and is signed at once; its answer is held for a second
    # (a slow connection), long enough for the check the typing set off to be due.
    answers = []

    def sign_answered_late(route):
        if route.request.method != "POST":
            route.continue_()
            return
        answers.append((route, route.fetch(max_redirects=0)))

    page.route("**/edit/", sign_answered_late)
    checks = []
    page.on("request", lambda request: "/check/" in request.url and checks.append(request))
    page.get_by_label("Notes").press_sequentially("Tolerated well")
    before_sign = len(checks)
    page.evaluate('() => document.querySelector("button[name=action][value=sign]").click()')
    clicked = time.monotonic()
    while not answers and time.monotonic() - clicked < 30:  # a busy machine: not a fixed wait
        page.wait_for_timeout(50)
    # Held until 1.5 s after the click: the check the typing set off was due at 0.5 s.
    page.wait_for_timeout(max(0, 1500 - (time.monotonic() - clicked) * 1000))
    assert len(answers) == 1
    route, response = answers[0]
    route.fulfill(response=response)
    expect(page.locator(".messages")).to_contain_text("Session signed.")
    expect(page.locator(".messages")).not_to_contain_text("signed meanwhile")
    assert TreatmentSession.objects.get(patient=adult_patient).status == SessionStatus.SIGNED
    assert len(checks) == before_sign  # none sent after Sign


def test_save_pressed_straight_after_typing_saves_with_the_live_check_on_its_way(
    page: Page, live_server, practitioner, reception, login, monkeypatch
):
    """Pressing Save takes the focus from the field just typed in, and that field's change
    sends a live check of its own as the Save goes (seen in CI's network log). The check,
    slow at the server here, is dropped by the page and still runs there beside the Save:
    the draft is saved, and the page says so."""
    patient = PatientFactory()
    QuestionnaireFactory(patient=patient, entered_by=reception)
    draft = TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, vial=fresh_vial(practitioner)
    )
    InjectionPointFactory.create_batch(2, session=draft)
    checks_at_server = []
    real_context = session_views._edit_context

    def slow_check(request, *args, **kwargs):
        if request.htmx:
            checks_at_server.append(request.path)
            time.sleep(0.4)
        return real_context(request, *args, **kwargs)

    monkeypatch.setattr(session_views, "_edit_context", slow_check)
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{draft.public_id}/edit/")
    page.get_by_label("Notes").fill("Tolerated well")
    live_check_settled(page)  # the typing's own check (500 ms after it) has answered
    sent = len(checks_at_server)
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    assert len(checks_at_server) == sent + 1  # the one the click's blur sent
    assert TreatmentSession.objects.get(pk=draft.pk).notes == "Tolerated well"
