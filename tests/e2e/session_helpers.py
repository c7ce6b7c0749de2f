"""Helpers for the browser tests of a treatment session: the practitioner's actions
counted, a fresh vial, a PREEMPT draft with the template's 31 points, and the editor's
page steps (start a PREEMPT session, tick the three confirmations, the template drawn)."""

import re
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect

from tests.factories import InjectionPointFactory, TreatmentSessionFactory, VialFactory
from treatments.models import SiteTemplate, TreatmentSession, Vial

CONFIRMATIONS = (
    "Today's screening answers reviewed with the patient",
    "Consent for this episode taken",
    "Advised to seek urgent care for swallowing, speech or breathing problems",
)
CHRONIC_MIGRAINE = "Chronic migraine prophylaxis"


class Actions:
    """What the practitioner does, counted: each click, tick or dropdown choice is one
    action; typed text also counts its keystrokes."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.keystrokes = 0

    def click(self, locator: Locator, what: str) -> None:
        locator.click()
        self.log.append(f"click {what}")

    def check(self, locator: Locator, what: str) -> None:
        locator.check()
        self.log.append(f"tick {what}")

    def choose(self, locator: Locator, label: str, what: str) -> None:
        locator.select_option(label=label)
        self.log.append(f"choose {what}: {label}")

    def type(self, locator: Locator, text: str, what: str) -> None:
        locator.press_sequentially(text)
        self.keystrokes += len(text)
        self.log.append(f"type {what}: {text!r}")

    @property
    def count(self) -> int:
        return len(self.log)


def fresh_vial(practitioner, **kwargs) -> Vial:
    """A 200 U BOTOX vial reconstituted an hour ago with 4 mL (5 U per 0.1 mL): enough
    for a whole PREEMPT session."""
    kwargs = {"presentation_units": 200, "diluent_ml": Decimal("4.00")} | kwargs
    return VialFactory(received_by=practitioner, **kwargs)


def add_preempt_points(session: TreatmentSession) -> None:
    """The 31 fixed PREEMPT sites, 5 U (0.1 mL) each, as the template gives them."""
    template = SiteTemplate.objects.get(slug="preempt")
    for row in template.rows.filter(optional=False).select_related("site"):
        InjectionPointFactory(
            session=session,
            order=row.order,
            site=row.site,
            side=row.side,
            units=row.units,
            volume_ml=row.volume_ml,
            points=row.points,
        )


def preempt_draft(patient, practitioner, vial, **fields) -> TreatmentSession:
    session = TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, vial=vial, **fields
    )
    add_preempt_points(session)
    return session


def safety_panel(page: Page) -> Locator:
    return page.locator("#safety")


def start_preempt_session(page: Page, actions: Actions) -> None:
    """Patient page → New session → Chronic migraine → BOTOX (pre-chosen) → Start."""
    actions.click(page.get_by_role("link", name="New session"), "New session")
    expect(page.get_by_role("heading", name="New treatment session")).to_be_visible()
    actions.choose(page.get_by_label("Indication"), CHRONIC_MIGRAINE, "indication")
    botox = page.locator("#product-choices .form-check", has_text=re.compile(r"^\s*BOTOX\s*\("))
    # The product list is re-rendered by htmx for the indication.
    expect(botox.locator(".badge")).to_have_text("licensed for this indication")
    expect(botox.get_by_role("radio")).to_be_checked()
    actions.click(page.get_by_role("button", name="Start session"), "Start session")
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/edit/$"))


def started_preempt_draft(page: Page, live_server, practitioner, patient, login):
    """Amelia's PREEMPT session for the patient, with a fresh vial, started from their page
    and its three confirmations ticked: the draft."""
    fresh_vial(practitioner)
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    actions = Actions()
    start_preempt_session(page, actions)
    tick_confirmations(page, actions)
    return TreatmentSession.objects.get(patient=patient)


def tick_confirmations(page: Page, actions: Actions) -> None:
    for label in CONFIRMATIONS:
        actions.check(page.get_by_label(label), label.split()[0])


def live_check_settled(page: Page) -> None:
    """The editor's live re-check answered: it is sent up to 500 ms after the last change
    (the form's hx-trigger), so wait past that, then for no htmx request on its way."""
    page.wait_for_timeout(600)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def acknowledge_any_warnings(page: Page, actions: Actions | None = None) -> None:
    """Tick "I have read the warnings above" when the safety panel shows warnings (the tick
    box is there only then; an override needs its reason instead). After the live check
    the confirmations just ticked sent has answered: a CI run under load ticked the box as
    that answer replaced the panel, and the tick did not hold."""
    live_check_settled(page)
    if safety_panel(page).locator(".finding-warn").count():
        box = page.get_by_label("I have read the warnings above")
        if actions is None:
            box.check()
        else:
            actions.check(box, "acknowledge")


def expect_preempt_template(page: Page) -> None:
    expect(page.locator("#points-body tr.point-row")).to_have_count(31)
    panel = safety_panel(page)
    expect(panel.locator("#total-units")).to_have_text("155")
    expect(panel).to_contain_text("155 BOTOX units · 31 points")
