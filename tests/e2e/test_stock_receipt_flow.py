"""Issue 13.13 and 13.18 in the browser, at a laptop's 1366x768 and an iPad's 820x1180:
reception books a delivery of three vials of one lot in, and the stock list shows three
rows that can be told apart; a practitioner sees the patient's allergies in the banner of
the session editor. Screenshots checked by axe (shot)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import QuestionnaireFactory, TreatmentSessionFactory
from treatments.models import StockReceipt, Vial

# Uses migrated reference data (products): see migrated_reference_data.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

SIZES = {"1366": {"width": 1366, "height": 768}, "820": {"width": 820, "height": 1180}}


@pytest.mark.parametrize("size", SIZES)
def test_reception_receives_three_vials_of_one_lot(
    page: Page, live_server, reception, login, shot, size
):
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/vials/")
    page.get_by_role("link", name="Receive vials").click()
    expect(page.get_by_role("heading", name="Receive vials")).to_be_visible()

    page.get_by_label("Product").select_option(label="BOTOX")
    page.get_by_label("Vial size (units)").fill("100")
    page.get_by_label("Lot / batch number").fill("c3709c3")
    expiry = timezone.localdate() + timedelta(days=400)
    page.get_by_label("Expiry date").fill(f"{expiry:%d/%m/%Y}")
    page.get_by_label("Number of vials").fill("3")
    page.get_by_label("Supplier").fill("Alliance Healthcare")
    page.get_by_label("Delivery note number").fill("DN482913")
    shot(page, f"stock-receipt-form-{size}")
    page.get_by_role("button", name="Receive").dblclick()  # a double-click books them once

    expect(page.get_by_text("Received 3 vials of BOTOX")).to_be_visible()
    table = page.get_by_test_id("vial-list")
    rows = table.locator("tbody tr.table-success")
    expect(rows).to_have_count(3)
    labels = [rows.nth(i).get_by_role("link").inner_text() for i in range(3)]
    assert labels == ["C3709C3/01", "C3709C3/02", "C3709C3/03"]
    expect(rows.first).to_contain_text("Alliance Healthcare · note DN482913")
    shot(page, f"stock-receipt-list-{size}")
    assert Vial.objects.filter(lot="C3709C3").count() == 3
    assert StockReceipt.objects.count() == 1

    rows.nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Vial C3709C3/02")).to_be_visible()
    expect(page.get_by_text("Alliance Healthcare, delivery note DN482913")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_session_editor_banner_shows_allergies(
    page: Page, live_server, practitioner, patient, login, shot, size
):
    QuestionnaireFactory(
        patient=patient,
        completed_on=timezone.localdate() - timedelta(days=5),
        allergy_toxin_or_albumin=False,
        allergy_cows_milk_protein=True,
        allergy_details="Penicillin: rash",
        bleeding_risk=True,
        reviewed_by=practitioner,
        reviewed_at=timezone.now() - timedelta(days=5),
    )
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{session.public_id}/edit/")
    screening = page.get_by_role("group", name="Allergies and screening alerts")
    expect(screening).to_contain_text("Cow's milk protein")
    expect(screening).to_contain_text("Penicillin: rash")
    expect(screening).to_contain_text("Blood thinners or a bleeding disorder")
    shot(page, f"session-editor-banner-{size}")
