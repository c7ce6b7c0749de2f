"""Issue 3 in the browser, as a practitioner clicks: receive and reconstitute a vial, a
PREEMPT session from the template to "Signed", the 12-week interval override, an expired
vial refused, and a point added by volume. Plus session_sign's own expired-vial refusal."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import staff_name_pattern
from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from treatments import services
from treatments.choices import SessionStatus
from treatments.models import SessionFinding, SiteTemplate, TreatmentSession, Vial

# Reference data (products, PREEMPT template, dose limits) is loaded by migrations, and
# every transactional test (live_server) ends with a flush that empties it: each test here
# gets the migrated data back (tests/e2e/conftest.py, migrated_reference_data).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

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


# Data ------------------------------------------------------------------------------------


@pytest.fixture
def adult_patient(reception):
    """An adult with a questionnaire on file, every answer "no"."""
    patient = PatientFactory(
        family_name="Okafor",
        given_names="Grace",
        date_of_birth=date(1979, 4, 12),
        registered_by=reception,
    )
    QuestionnaireFactory(patient=patient, entered_by=reception)
    return patient


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


def preempt_draft(patient, practitioner, vial, **fields) -> TreatmentSession:
    session = TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, vial=vial, **fields
    )
    add_preempt_points(session)
    return session


# Page helpers ----------------------------------------------------------------------------


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


def tick_confirmations(page: Page, actions: Actions) -> None:
    for label in CONFIRMATIONS:
        actions.check(page.get_by_label(label), label.split()[0])


def expect_preempt_template(page: Page) -> None:
    expect(page.locator("#points-body tr.point-row")).to_have_count(31)
    panel = safety_panel(page)
    expect(panel.locator("#total-units")).to_have_text("155")
    expect(panel).to_contain_text("155 BOTOX units · 31 points")


def vial_option_values(page: Page) -> list[str]:
    return (
        page.get_by_label("Vial", exact=True)
        .locator("option")
        .evaluate_all("options => options.map(o => o.value)")
    )


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
    if panel.locator(".finding-warn").count():
        actions.check(page.get_by_label("I have read the warnings above"), "acknowledge")
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
    if panel.locator(".finding-warn").count():  # e.g. rule 33: no baseline headache diary
        actions.check(page.get_by_label("I have read the warnings above"), "acknowledge")
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


# 4. An expired vial: not offered, refused when posted, refused by session_sign -----------


def expired_vial(practitioner) -> Vial:
    today = timezone.localdate()
    return VialFactory(
        received_by=practitioner,
        presentation_units=200,
        diluent_ml=Decimal("4.00"),
        lot="X0001X9",
        received_on=today - timedelta(days=200),
        expiry=today - timedelta(days=1),
    )


def test_expired_vial_is_not_offered_and_a_forged_choice_is_refused(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    expired = expired_vial(practitioner)
    usable = fresh_vial(practitioner)
    session = preempt_draft(adult_patient, practitioner, usable)

    login(page, live_server, "amelia")
    edit_url = f"{live_server.url}/sessions/{session.public_id}/edit/"
    page.goto(edit_url)
    expect_preempt_template(page)
    values = vial_option_values(page)
    assert str(usable.pk) in values
    assert str(expired.pk) not in values
    expect(page.get_by_label("Vial", exact=True)).not_to_contain_text("X0001X9")

    # The form as this browser would send it, with the expired vial's id and "sign".
    tick_confirmations(page, Actions())
    fields = page.locator("#session-form").evaluate(
        "form => Object.fromEntries(new FormData(form).entries())"
    )
    assert fields["csrfmiddlewaretoken"]
    response = page.request.post(
        edit_url, form={**fields, "vial": str(expired.pk), "action": "sign"}, max_redirects=0
    )
    assert response.status == 200, response.status
    body = response.text()
    assert "Please correct the highlighted entries" in body
    assert "That vial can no longer be used here" in body
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    assert session.vial == usable

    # The same forged choice through the page itself, to see what is shown.
    page.get_by_label("Vial", exact=True).evaluate(
        "(select, pk) => select.add(new Option('forged: expired vial', pk))", str(expired.pk)
    )
    page.get_by_label("Vial", exact=True).select_option(str(expired.pk))
    page.get_by_role("button", name="Sign session").click()
    expect(page).to_have_url(edit_url)
    expect(page.locator(".alert-danger").first).to_contain_text(
        "Please correct the highlighted entries. Nothing you typed has been lost."
    )
    vial_field = page.get_by_label("Vial", exact=True)
    expect(vial_field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_vial")).to_contain_text("That vial can no longer be used here")
    for label in CONFIRMATIONS:
        expect(page.get_by_label(label)).to_be_checked()
    shot(page, "session-08-expired-vial-forged")
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    assert session.vial == usable


def test_session_sign_refuses_a_draft_whose_vial_has_expired(practitioner, adult_patient):
    expired = expired_vial(practitioner)
    session = preempt_draft(
        adult_patient,
        practitioner,
        expired,
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=True,
    )

    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=session,
            signed_by=practitioner,
            override_reasons={},
            acknowledge_warnings=True,
        )

    assert [f.code for f in refused.value.blocks] == ["vial.expired"]
    assert refused.value.blocks[0].message == (
        f"Vial {expired.pk} (lot X0001X9) expired on {expired.expiry:%d/%m/%Y}; "
        f"session date {timezone.localdate(session.performed_at):%d/%m/%Y}"
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    assert session.signed_at is None
    assert not SessionFinding.objects.filter(session=session).exists()


# 5. A point added by volume: units follow the vial's dilution ----------------------------


def test_add_point_units_follow_volume(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    vial = fresh_vial(practitioner)
    session = preempt_draft(adult_patient, practitioner, vial)

    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{session.public_id}/edit/")
    expect_preempt_template(page)

    page.get_by_role("button", name="+ Add point").click()
    rows = page.locator("#points-body tr.point-row")
    expect(rows).to_have_count(32)
    row = rows.last
    expect(row.get_by_label("Site")).to_be_focused()
    row.get_by_label("Site").select_option(label="Temporalis")
    row.get_by_label("Side").select_option(label="Left")
    expect(row.get_by_label("Units")).to_have_value("")
    row.get_by_label("Volume (mL)").press_sequentially("0.2")
    expect(row.get_by_label("Units")).to_have_value("10")

    panel = safety_panel(page)
    expect(panel.locator("#total-units")).to_have_text("165")
    expect(panel).to_contain_text("165 BOTOX units · 32 points")
    expect(panel.locator(".finding[data-code='dose.volume_mismatch']")).to_have_count(0)
    shot(page, "session-09-point-added-by-volume")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Draft saved.")
    added = session.points.order_by("-order").first()
    assert (added.site.name, added.side) == ("Temporalis", "left")
    assert (added.units, added.volume_ml) == (Decimal("10"), Decimal("0.2"))
    assert session.points.count() == 32


def test_volume_follows_units_typed_and_a_new_point_has_no_side(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    """Issue 13.6 and 13.18: typing units fills the volume at the vial's dilution (and
    typing a volume fills the units); a new point starts with no side chosen."""
    vial = fresh_vial(practitioner)
    session = preempt_draft(adult_patient, practitioner, vial)

    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{session.public_id}/edit/")
    expect_preempt_template(page)

    page.get_by_role("button", name="+ Add point").click()
    row = page.locator("#points-body tr.point-row").last
    expect(row.get_by_label("Side")).to_have_value("")
    row.get_by_label("Site").select_option(label="Temporalis")
    row.get_by_label("Side").select_option(label="Right")
    row.get_by_label("Units").press_sequentially("15")
    expect(row.get_by_label("Volume (mL)")).to_have_value("0.3")
    row.get_by_label("Volume (mL)").fill("")
    row.get_by_label("Volume (mL)").press_sequentially("0.1")
    expect(row.get_by_label("Units")).to_have_value("5")
    row.get_by_label("Units").fill("")
    row.get_by_label("Units").press_sequentially("12")
    expect(row.get_by_label("Volume (mL)")).to_have_value("0.24")
    shot(page, "session-10-volume-follows-units")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Draft saved.")
    added = session.points.order_by("-order").first()
    assert (added.side, added.units, added.volume_ml) == ("right", Decimal("12"), Decimal("0.24"))
