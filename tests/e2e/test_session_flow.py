"""Issue 3 in the browser, as a practitioner clicks: receive and reconstitute a vial, a
PREEMPT session from the template to "Signed", and the 12-week interval override. An
expired vial and a point added by volume: test_session_vial_and_volume.py."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import staff_name_pattern
from tests.e2e.session_helpers import (
    CHRONIC_MIGRAINE,
    CONFIRMATIONS,
    Actions,
    acknowledge_any_warnings,
    add_preempt_points,
    expect_preempt_template,
    fresh_vial,
    safety_panel,
    start_preempt_session,
    tick_confirmations,
)
from tests.factories import TreatmentSessionFactory, VialFactory
from treatments.choices import SessionStatus
from treatments.models import Indication, Product, SessionFinding, TreatmentSession, Vial

# Reference data (products, PREEMPT template, dose limits) is loaded by migrations, and
# every transactional test (live_server) ends with a flush that empties it: each test here
# gets the migrated data back (tests/conftest.py, migrated_reference_data).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]
LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


def signed_preempt_session(patient, practitioner, *, days_ago: int) -> TreatmentSession:
    """A signed PREEMPT session `days_ago` days back, with that day's (long used-up) vial."""
    # Late morning of the clinic's day `days_ago` local days back: "now minus 56 days" at
    # 23:30 UTC in winter lands on the next day under summer time (BST), one day short.
    day = timezone.localdate() - timedelta(days=days_ago)
    performed_at = timezone.make_aware(datetime.combine(day, time(10, 30)))
    vial = VialFactory(
        received_by=practitioner,
        received_on=timezone.localdate(performed_at) - timedelta(days=7),
        reconstituted_at=performed_at - timedelta(hours=1),
    )
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        vial=vial,
        performed_at=performed_at,
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=True,
        signed=True,
        signed_at=performed_at + timedelta(minutes=20),
    )
    add_preempt_points(session)
    return session


# 1-2. Reconstitute, then a PREEMPT session from the template to "Signed" ------------------


def test_reconstitute_vial_then_sign_preempt_session(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    login(page, live_server, "amelia")

    # 1. Receive a BOTOX 100 U vial and reconstitute it with 2 mL.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vials").click()
    page.get_by_role("link", name="Receive vials").click()
    expect(page.get_by_role("heading", name="Receive vials")).to_be_visible()
    expiry = timezone.localdate() + timedelta(days=365)
    page.get_by_label("Product").select_option(label="BOTOX")
    page.get_by_label("Vial size (units)").fill("100")
    page.get_by_label("Lot / batch number").fill("c7788c3")
    page.get_by_label("Expiry date").fill(f"{expiry:%d/%m/%Y}")
    expect(page.get_by_label("Received on")).to_have_value(f"{timezone.localdate():%d/%m/%Y}")
    expect(page.get_by_label("Number of vials")).to_have_value("1")
    page.get_by_label("Supplier").fill("Alliance Healthcare")
    page.get_by_label("Delivery note number").fill("DN100200")
    page.get_by_role("button", name="Receive").click()

    vial = Vial.objects.get()
    expect(page).to_have_url(f"{live_server.url}/vials/{vial.pk}/")
    expect(page.locator(".messages .alert-success")).to_contain_text(
        "Received 1 vial of BOTOX 100 U (C7788C3/01), delivery note DN100200."
    )
    expect(
        page.get_by_role("heading", name="Vial C7788C3/01 BOTOX 100 U · lot C7788C3")
    ).to_be_visible()

    page.get_by_label("0.9% saline added (mL)").fill("2")
    page.get_by_role("button", name="Record reconstitution").click()

    expect(page).to_have_url(f"{live_server.url}/vials/{vial.pk}/")
    vial.refresh_from_db()
    assert vial.diluent_ml == Decimal("2.00")
    assert vial.use_by - vial.reconstituted_at == timedelta(hours=24)
    use_by = f"{timezone.localtime(vial.use_by):%d/%m/%Y %H:%M}"
    details = page.locator(
        "section", has=page.locator(".card-header", has_text=re.compile(r"^Vial$"))
    )
    reconstituted = details.locator("dt:has-text('Reconstituted') + dd")
    expect(reconstituted).to_contain_text(
        f"{timezone.localtime(vial.reconstituted_at):%d/%m/%Y %H:%M} with 2.00 mL by"
    )
    expect(reconstituted.locator("strong")).to_have_text("5.00 U per 0.1 mL")
    expect(reconstituted).to_contain_text(f"use by {use_by}")
    expect(page.locator(".messages .alert-success")).to_contain_text(
        "Reconstituted: 5.00 U per 0.1 mL"
    )
    expect(page.get_by_role("button", name="Record reconstitution")).to_have_count(0)
    shot(page, "session-01-vial-reconstituted")

    # 155 U is more than one 100 U vial: a second vial reconstituted a moment later is in
    # the fridge too, and the session takes it as its second vial.
    second = VialFactory(
        product=vial.product,
        presentation_units=100,
        received_by=practitioner,
        reconstituted_at=timezone.now(),
        use_by=timezone.now() + timedelta(hours=24),
    )

    # 2. The PREEMPT session, counted from the patient's page.
    page.goto(f"{live_server.url}{adult_patient.get_absolute_url()}")
    actions = Actions()
    start_preempt_session(page, actions)

    session = TreatmentSession.objects.get(patient=adult_patient)
    expect(page.locator(".messages")).to_contain_text(
        "Injection points filled in from “PREEMPT (chronic migraine)”"
    )
    expect(page.get_by_role("heading", name=f"BOTOX for {CHRONIC_MIGRAINE}")).to_be_visible()
    expect_preempt_template(page)
    # Both vials are chosen for the 155 U: the one to use first, then the second.
    vial_select = page.get_by_label("Vial", exact=True)
    expect(vial_select).to_have_value(str(vial.pk))
    # What matters at the chair first: a select shows one line, cut at its width.
    chosen = vial_select.locator("option:checked")
    expect(chosen).to_contain_text("C7788C3/01 · 5.00 U/0.1 mL · use by ")
    expect(chosen).to_contain_text(f" · 100 U · exp {expiry:%d/%m/%Y}")
    further = page.get_by_role("group", name="Further vials (when the dose needs more than one)")
    expect(further.get_by_label(re.compile(rf"vial {second.stock_label}"))).to_be_checked()
    panel = safety_panel(page)
    for code in ("screening.not_reviewed", "consent.missing", "advice.spread_not_given"):
        expect(panel.locator(f".finding-block[data-code='{code}']")).to_be_visible()
    shot(page, "session-02-preempt-draft-from-template")

    # The panel is refreshed in place: a marker set on this document must survive.
    page.evaluate("window.__sameDocument = true")
    tick_confirmations(page, actions)
    expect(panel.locator(".finding-block")).to_have_count(0)
    expect(panel.locator(".finding-override")).to_have_count(0)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    acknowledge_any_warnings(page, actions)
    shot(page, "session-03-preempt-ready-to-sign")

    actions.click(page.get_by_role("button", name="Sign session"), "Sign session")

    expect(page).to_have_url(f"{live_server.url}/sessions/{session.public_id}/")
    expect(page.locator(".messages .alert-success")).to_contain_text("Session signed.")
    expect(page.locator(".badge", has_text="Signed")).to_have_text(
        re.compile(rf"^Signed \d\d/\d\d/\d{{4}} \d\d:\d\d by {staff_name_pattern(practitioner)}$")
    )
    points = page.locator("section", has=page.get_by_text("Injection points")).locator("tfoot")
    expect(points).to_contain_text("155 U")
    expect(page.get_by_role("link", name="vial C7788C3/01")).to_be_visible()
    shot(page, "session-04-preempt-signed")

    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED
    assert session.all_vials() == [vial, second]
    assert {d.vial_id: d.units for d in session.draws.all()} == {
        vial.pk: Decimal(100),
        second.pk: Decimal(55),
    }
    assert session.points.count() == 31
    assert sum(p.units for p in session.points.all()) == Decimal("155")
    # New session, indication, Start, three ticks, (acknowledge warnings), Sign; no typing.
    assert actions.keystrokes == 0
    assert actions.count <= 8, actions.log
    print(f"\nPREEMPT flow: {actions.count} actions, {actions.keystrokes} keystrokes:")
    print("\n".join(f"  {n}. {what}" for n, what in enumerate(actions.log, 1)))


# 3. Eight weeks later: the 12-week interval needs a reason -------------------------------


def test_preempt_eight_weeks_later_needs_a_reason(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    earlier = signed_preempt_session(adult_patient, practitioner, days_ago=56)
    vial = fresh_vial(practitioner)
    earlier_on = timezone.localdate(earlier.performed_at)

    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}{adult_patient.get_absolute_url()}")
    actions = Actions()
    start_preempt_session(page, actions)
    session = TreatmentSession.objects.get(patient=adult_patient, status=SessionStatus.DRAFT)
    expect_preempt_template(page)
    expect(page.get_by_label("Vial", exact=True)).to_have_value(str(vial.pk))

    panel = safety_panel(page)
    interval = panel.locator(".finding[data-code='interval.too_soon']")
    expect(interval).to_have_class(re.compile(r"\bfinding-override\b"))
    expect(interval).to_contain_text("Needs a reason to sign")
    expect(interval).to_contain_text(f"Last BOTOX session 8 weeks ago ({earlier_on:%d/%m/%Y})")
    expect(interval).to_contain_text(f"the minimum interval is 12 weeks for {CHRONIC_MIGRAINE}")
    reason = interval.get_by_label("Reason to proceed")
    expect(reason).to_be_visible()
    expect(reason).to_have_value("")

    tick_confirmations(page, actions)
    expect(panel.locator(".finding-block")).to_have_count(0)
    # Only warnings need the acknowledgement; an override needs its reason instead.
    expect(page.get_by_label("I have read the warnings above")).to_have_count(
        1 if panel.locator(".finding-warn").count() else 0
    )
    actions.click(page.get_by_role("button", name="Sign session"), "Sign session (no reason)")

    # Refused: same page, the ticks kept, the interval marked; nothing signed.
    expect(page).to_have_url(f"{live_server.url}/sessions/{session.public_id}/edit/")
    expect(panel.locator("#sign-refused")).to_have_text(
        "Not signed: resolve the items marked below."
    )
    for label in CONFIRMATIONS:
        expect(page.get_by_label(label)).to_be_checked()
    reason = interval.get_by_label("Reason to proceed")
    expect(reason).to_have_value("")
    expect(reason).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(interval).to_contain_text("A reason is needed to sign.")
    expect(page.locator("#points-body tr.point-row")).to_have_count(31)
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    assert not SessionFinding.objects.filter(session=session).exists()
    shot(page, "session-05-interval-refused-without-reason")

    why = "Severe breakthrough migraine; neurologist agreed early re-treatment"
    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{session.public_id}/check/")):
        actions.type(interval.get_by_label("Reason to proceed"), why, "reason")
    expect(interval.get_by_label("Reason to proceed")).to_have_value(why)
    shot(page, "session-06-interval-reason-typed")
    acknowledge_any_warnings(page, actions)  # e.g. rule 33: no baseline headache diary
    actions.click(page.get_by_role("button", name="Sign session"), "Sign session")

    expect(page).to_have_url(f"{live_server.url}/sessions/{session.public_id}/")
    expect(page.locator(".badge", has_text="Signed")).to_be_visible()
    finding = page.locator("li.list-group-item", has_text="the minimum interval is")
    expect(finding.locator(".badge")).to_have_text("Overridden with a reason")
    expect(finding).to_contain_text(f"({earlier_on:%d/%m/%Y})")
    expect(finding.locator("div.small").first).to_have_text(
        re.compile(
            rf"^Reason: {re.escape(why)} \({staff_name_pattern(practitioner)}, "
            r"\d\d/\d\d/\d{4} \d\d:\d\d\)$"
        )
    )
    shot(page, "session-07-interval-signed-with-reason")

    recorded = SessionFinding.objects.get(session=session, code="interval.too_soon")
    assert recorded.override_reason == why
    assert recorded.recorded_by == practitioner
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED
    print(f"\nInterval flow: {actions.count} actions, {actions.keystrokes} keystrokes")


# 4. A second session for a patient with an unsigned one: listed first, started on a tick --


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_a_second_session_beside_an_unsigned_one_needs_the_tick(
    page: Page, live_server, practitioner, nurse, adult_patient, login, shot, viewport
):
    """Browser review 07/12/2026: a patient's unsigned Dysport session was joined, without
    a word, by a second draft from Patient page → New session."""
    size = "laptop" if viewport is LAPTOP else "ipad"
    page.set_viewport_size(viewport)
    fresh_vial(practitioner)
    theirs = TreatmentSessionFactory(
        patient=adult_patient,
        practitioner=nurse,
        indication=Indication.objects.get(slug="cervical-dystonia"),
        product=Product.objects.get(slug="dysport"),
    )
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}{adult_patient.get_absolute_url()}")
    page.get_by_role("link", name="New session").click()

    # Before anything is created: the colleague's draft, named, not linked to its editor.
    drafts = page.get_by_test_id("open-drafts")
    expect(drafts.get_by_role("heading")).to_have_text(
        "This patient already has an unsigned session"
    )
    listed = drafts.get_by_test_id("open-draft")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(
        re.compile(rf"^Dysport for Cervical dystonia · {staff_name_pattern(nurse)} · started ")
    )
    expect(listed).to_contain_text("can edit it")
    expect(listed.get_by_role("link", name=re.compile("Open this draft"))).to_have_count(0)
    shot(page, f"session-08-new-session-beside-a-draft-{size}")

    page.get_by_label("Indication", exact=True).select_option(label=CHRONIC_MIGRAINE)
    botox = page.locator("#product-choices .form-check", has_text=re.compile(r"^\s*BOTOX\s*\("))
    expect(botox.get_by_role("radio")).to_be_checked()
    page.get_by_role("button", name="Start session").click()

    # Not started: the box must be ticked; the choices are kept.
    expect(page.get_by_test_id("drafts-unticked")).to_have_text(
        "Not started: tick this box to start another session anyway."
    )
    expect(page.get_by_label("Indication", exact=True)).to_have_value(
        str(Indication.objects.get(slug="chronic-migraine").pk)
    )
    assert list(TreatmentSession.objects.filter(patient=adult_patient)) == [theirs]
    shot(page, f"session-09-second-session-not-started-{size}")

    page.get_by_label("Start another session anyway").check()
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/edit/$"))
    mine = TreatmentSession.objects.exclude(pk=theirs.pk).get(patient=adult_patient)
    assert mine.practitioner == practitioner and mine.status == SessionStatus.DRAFT

    # Both listed now; only the practitioner's own is linked to its editor.
    page.goto(f"{live_server.url}{adult_patient.get_absolute_url()}")
    page.get_by_role("link", name="New session").click()
    expect(page.get_by_test_id("open-draft")).to_have_count(2)
    page.get_by_test_id("open-draft-edit").click()
    expect(page).to_have_url(f"{live_server.url}/sessions/{mine.public_id}/edit/")
