"""Issue 3 in the browser, the session editor's vial and volume: an expired vial is not
offered and a forged choice of it is refused (and session_sign's own refusal), and a point
added by volume gets the units of the vial's dilution (and units typed give the volume).
The PREEMPT flow to "Signed": test_session_flow.py."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.session_helpers import (
    CONFIRMATIONS,
    Actions,
    expect_preempt_template,
    fresh_vial,
    live_check_settled,
    preempt_draft,
    safety_panel,
    tick_confirmations,
)
from tests.factories import VialFactory
from treatments import services
from treatments.choices import SessionStatus
from treatments.models import SessionFinding, Vial

# Reference data (products, PREEMPT template, dose limits) is loaded by migrations, and
# every transactional test (live_server) ends with a flush that empties it: each test here
# gets the migrated data back (tests/conftest.py, migrated_reference_data).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def vial_option_values(page: Page) -> list[str]:
    return (
        page.get_by_label("Vial", exact=True)
        .locator("option")
        .evaluate_all("options => options.map(o => o.value)")
    )


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
        f"Vial {expired.stock_label} expired on {expired.expiry:%d/%m/%Y}; "
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

    # No row past the formset's 80 (the server builds no more: one would be lost): at the
    # 80th (the count set there, not 48 rows added), the button adds none and says why.
    total = page.locator("input[name='points-TOTAL_FORMS']")
    total.evaluate("input => { input.value = '79'; }")
    add = page.get_by_role("button", name="+ Add point")
    add.click()
    expect(total).to_have_value("80")
    add.click()
    expect(total).to_have_value("80")
    expect(rows).to_have_count(33)  # the 32 saved and the one added
    expect(page.get_by_role("status").filter(has_text="At most 80 points")).to_be_visible()


def test_volume_follows_units_typed_and_a_new_point_has_no_side(
    page: Page, live_server, practitioner, adult_patient, login, shot
):
    """Issue 13.6 and 13.18: typing units fills the volume at the vial's dilution (and
    typing a volume fills the units); a new point starts with no side chosen. At an exact
    half the page rounds as the server does (Decimal's ROUND_HALF_EVEN, to the field's
    places: services.point_units_and_volume): 5 U at 80 U/mL is 0.0625 mL, shown and
    kept as 0.062, the figure the server gives a point typed without it (not Math.round's
    0.063)."""
    vial = fresh_vial(practitioner)
    eighty = fresh_vial(practitioner, presentation_units=200, diluent_ml=Decimal("2.50"))
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

    # Exact halves, at a vial of 80 U/mL: every whole and half unit up to 40 (each odd
    # whole number is a half: 1 U is 0.0125 mL) shows the server's volume for it.
    page.get_by_label("Vial", exact=True).select_option(str(eighty.pk))
    units = page.locator("#points-body tr.point-row").last.get_by_label("Units")
    doses = [Decimal(half) / 2 for half in range(1, 81)]
    shown = units.evaluate(
        """(input, doses) => doses.map((dose) => {
            input.value = dose;
            input.dispatchEvent(new Event("input", { bubbles: true }));
            return input.closest("tr").querySelector("[data-point-field=volume_ml]").value;
        })""",
        [str(dose) for dose in doses],
    )
    server = [services.point_units_and_volume({"units": d}, eighty)["volume_ml"] for d in doses]
    assert [Decimal(text) for text in shown] == server
    units.fill("")
    units.press_sequentially("5")
    row = page.locator("#points-body tr.point-row").last
    expect(row.get_by_label("Volume (mL)")).to_have_value("0.062")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Draft saved.")
    added = session.points.order_by("-order").first()
    assert (added.units, added.volume_ml) == (Decimal("5"), Decimal("0.062"))

    # A mistyped dose empties the other field instead of working a negative volume out of
    # it: saving shows one error on the row, the typed field's, with what was typed kept.
    row = page.locator("#points-body tr.point-row").last
    row.get_by_label("Units").fill("")
    row.get_by_label("Units").press_sequentially("-5")
    expect(row.get_by_label("Volume (mL)")).to_have_value("")
    # The live check of "-5" answered first (it now names the row it leaves out): a CI run
    # under load clicked Save as that answer landed, and the page stayed as it was.
    live_check_settled(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-danger")).to_contain_text("Please correct the highlighted entries.")
    row = page.locator("#points-body tr.point-row").last
    expect(row.get_by_label("Units")).to_have_value("-5")
    expect(row.locator(".invalid-feedback")).to_have_count(1)
    expect(row.locator(".invalid-feedback")).to_have_text("Units must be more than 0.")
    assert session.points.order_by("-order").first().units == Decimal("5")  # nothing saved
