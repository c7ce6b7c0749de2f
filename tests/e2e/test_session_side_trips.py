"""Leaving the session editor for something the draft needs, and coming back: nothing
typed is lost (browser review, 07/12/2026). The safety panel's "Record one" (a cosmetic
first treatment needs a prescriber's face-to-face assessment) led to the patient's record
after recording, and the notes and ticks typed in the draft were gone."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
    _indication,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


@pytest.fixture
def cosmetic_draft(reception, practitioner):
    patient = PatientFactory(
        family_name="Lindqvist", given_names="Maja", date_of_birth=date(1984, 9, 3)
    )
    QuestionnaireFactory(patient=patient, entered_by=reception)
    vial = VialFactory(received_by=practitioner, presentation_units=100, diluent_ml=Decimal("2.50"))
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        vial=vial,
        indication=_indication("glabellar-lines"),
    )


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)])
def test_recording_the_assessment_comes_back_to_the_draft_with_what_was_typed(
    page: Page, live_server, practitioner, cosmetic_draft, login, shot, size
):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    edit_url = f"{live_server.url}/sessions/{cosmetic_draft.public_id}/edit/"
    login(page, live_server, "amelia")
    page.goto(edit_url)
    assessment = page.get_by_test_id("prescriber-assessment")
    expect(assessment).to_contain_text("No prescriber's face-to-face assessment recorded")
    # The tick first: typing the note re-checks the draft, whose panel moves the form
    # while the box is clicked (CI, 07/12: "clicking the checkbox did not change its state").
    consent = page.get_by_label("Consent for this episode taken")
    consent.check()
    page.get_by_label("Notes").fill("Frowns strongly; prefers fewer points")
    expect(consent).to_be_checked()
    page.wait_for_load_state("networkidle")  # the live re-check has answered

    assessment.get_by_role("link", name="Record one").click()
    expect(page.get_by_role("heading", name="Prescriber's face-to-face assessment")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the session")).to_have_attribute(
        "href", f"/sessions/{cosmetic_draft.public_id}/edit/"
    )
    page.get_by_role("button", name="Record assessment").click()

    # Back in the draft, with the assessment recorded and what was typed offered back.
    expect(page).to_have_url(edit_url)
    expect(page.get_by_text("Face-to-face assessment recorded.")).to_be_visible()
    expect(assessment).to_contain_text("Seen face to face by")
    page.get_by_test_id("draft-offer").get_by_role("button", name="Restore what I typed").click()
    expect(page.get_by_label("Notes")).to_have_value("Frowns strongly; prefers fewer points")
    expect(page.get_by_label("Consent for this episode taken")).to_be_checked()
    shot(page, f"session-side-trip-back-{size[0]}")


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)])
def test_a_refused_sign_brings_its_reason_into_view(
    page: Page, live_server, practitioner, cosmetic_draft, login, shot, size
):
    """On an iPad the safety panel is below the points: a refused Sign reloaded at the
    top of the same form, its "Not signed" far below, out of sight."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, "amelia")
    InjectionPointFactory.create_batch(4, session=cosmetic_draft)  # findings remain to resolve
    page.goto(f"{live_server.url}/sessions/{cosmetic_draft.public_id}/edit/")
    page.get_by_role("button", name="Sign session").click()
    refused = page.locator("#sign-refused")
    expect(refused).to_have_text("Not signed: resolve the items marked below.")
    expect(refused).to_be_in_viewport()
    expect(refused).to_be_focused()
    shot(page, f"session-sign-refused-{size[0]}")

    # A finding's sources open the sources page at their row, in a new tab: the draft stays.
    source = page.locator("#safety a[href*='/reference/sources/#S']").first
    code = source.get_attribute("href").rsplit("#", 1)[1]
    with page.context.expect_page() as opened:
        source.click()
    sources = opened.value
    row = sources.locator(f"tr[id='{code}']")
    expect(row).to_be_in_viewport()
    expect(row.locator("a").first).to_have_attribute("target", "_blank")
    shot(sources, f"clinical-sources-{size[0]}")
    sources.close()
    expect(page).to_have_url(f"{live_server.url}/sessions/{cosmetic_draft.public_id}/edit/")


def test_a_vial_reconstituted_from_the_draft_on_an_ipad_comes_back_to_it(
    page: Page, live_server, practitioner, login, shot
):
    """Browser review (07/12/2026), on an iPad: the vial page had no way back to the draft
    that sent the practitioner there, and a point's Remove box was 13 px under a finger."""
    page.set_viewport_size({"width": 820, "height": 1180})
    patient = PatientFactory(family_name="Okafor", given_names="Tobi")
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    fresh = VialFactory(
        received_by=practitioner, reconstituted_at=None, diluent_ml=None, use_by=None
    )
    draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner, vial=None)
    InjectionPointFactory.create_batch(3, session=draft)
    edit_url = f"{live_server.url}/sessions/{draft.public_id}/edit/"
    login(page, live_server, "amelia")
    page.goto(edit_url)

    # Remove: the whole cell is the target, and a row ticked for removal is greyed.
    remove = page.locator("label.point-remove-hit").nth(1)
    box = remove.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    remove.click(position={"x": box["width"] - 4, "y": 4})  # the cell's corner, not the box
    expect(page.locator("#id_points-1-DELETE")).to_be_checked()
    expect(page.locator(".point-row").nth(1).locator("td").first).to_have_css("opacity", "0.45")
    remove.click()
    expect(page.locator("#id_points-1-DELETE")).not_to_be_checked()

    # Typed, not saved, before leaving for the vials (the second review feared it lost).
    page.get_by_label("Notes").fill("Left side first; patient anxious")
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("no-usable-vial").get_by_role("link", name="Vials").click()
    back = page.get_by_test_id("draft-back")
    expect(back.get_by_role("link", name="Back to the session")).to_have_attribute(
        "href", f"/sessions/{draft.public_id}/edit/"
    )
    page.get_by_role("link", name=fresh.stock_label).click()
    expect(page.get_by_test_id("draft-back")).to_contain_text("once its reconstitution is recorded")
    shot(page, "vial-from-draft-820")
    page.get_by_label("0.9% saline added (mL)").fill("2.5")
    page.get_by_role("button", name="Record reconstitution").click()
    expect(page).to_have_url(edit_url)
    expect(page.get_by_text("Reconstituted: 4.00 U per 0.1 mL")).to_be_visible()
    expect(page.locator("#id_vial option", has_text=fresh.stock_label)).to_have_count(1)
    expect(page.locator("#id_vial")).to_have_value(str(fresh.pk))  # the only one usable
    page.get_by_test_id("draft-offer").get_by_role("button", name="Restore what I typed").click()
    expect(page.get_by_label("Notes")).to_have_value("Left side first; patient anxious")
    expect(page.locator("#id_vial")).to_have_value(str(fresh.pk))  # not put back to none
