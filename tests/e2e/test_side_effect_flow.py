"""Reception logs a phoned-in side effect; a practitioner completes it (moderate, not
serious, probable), records "not reported" with a reason, and sees it on the patient page
with the vial's lot number."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_out
from tests.factories import PatientFactory, TreatmentSessionFactory, VialFactory
from treatments.models import SideEffect, VialDraw

# Uses migrated reference data (products, indications): see migrated_reference_data.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


def test_phoned_in_drooping_eyelid_reviewed_and_decided(
    page: Page, live_server, reception, practitioner, login, shot
):
    patient = PatientFactory(family_name="Achterberg", given_names="Lotte", registered_by=reception)
    vial = VialFactory(lot="C7284AC3", received_by=practitioner)
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        vial=vial,
        signed=True,
        performed_at=timezone.now() - timedelta(days=6),
    )
    VialDraw.objects.create(session=session, vial=vial, units=155)
    yesterday = timezone.localdate() - timedelta(days=1)

    # Reception takes the call.
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    page.get_by_role("link", name="Log a side-effect call").click()
    expect(page.get_by_role("heading", name="Log a side-effect call")).to_be_visible()
    page.get_by_label("What did they report?").fill(
        "Patient phoned: left eyelid drooping since yesterday"
    )
    page.get_by_label("When did it start?").fill(yesterday.strftime("%d/%m/%Y"))
    shot(page, "side-effect-01-reception-logs-call")
    page.get_by_role("button", name="Send to practitioners").click()
    expect(page.get_by_text("Logged for a practitioner to review")).to_be_visible()
    # Reception cannot read it back: no side-effects tab, nothing in the header.
    expect(page.get_by_role("link", name="Side effects")).to_have_count(0)
    expect(page.get_by_text("left eyelid drooping")).to_have_count(0)
    sign_out(page)

    # The practitioner finds it on the home page and completes the review.
    login(page, live_server, "amelia")
    reports = page.locator("section[aria-labelledby=se-heading]")
    expect(reports).to_contain_text("left eyelid drooping")
    shot(page, "side-effect-02-practitioner-home")
    reports.get_by_role("link", name=re.compile("ACHTERBERG")).click()
    expect(page.get_by_role("heading", name="Complete the reported side effect")).to_be_visible()
    expect(page.get_by_label("Suspected treatment")).to_have_value(str(session.pk))
    page.locator("select[name=term]").select_option(label="Eyelid ptosis (drooping eyelid)")
    page.get_by_label(re.compile("2 · Moderate")).check()
    page.get_by_label("Not serious").check()
    page.get_by_label("Outcome").select_option(label="Recovering")
    page.get_by_label("Causality (WHO-UMC)").select_option(label="Probable / likely")
    page.get_by_label("Action taken").select_option(label="Treatment given (describe)")
    page.get_by_label("Treatment given").fill("Apraclonidine 0.5% eye drops three times a day")
    page.get_by_label("Not reported").check()
    page.get_by_label("Reason for not reporting").fill(
        "Known, listed reaction in the SmPC; not serious and improving."
    )
    shot(page, "side-effect-03-practitioner-completes")
    page.get_by_role("button", name="Save review").click()

    expect(page.get_by_text("Saved the review")).to_be_visible()
    expect(page.locator("#yellow-card")).to_contain_text("Not reported")
    expect(page.locator("#yellow-card")).to_contain_text("Known, listed reaction")
    expect(page.get_by_test_id("lots")).to_contain_text("C7284AC3")
    shot(page, "side-effect-04-detail")

    # On the patient page: header and the side-effects tab, with the lot.
    page.get_by_role("link", name="Overview").click()
    header = page.get_by_test_id("open-side-effects")
    expect(header).to_contain_text("Eyelid ptosis (drooping eyelid) · not serious")
    shot(page, "side-effect-05-patient-header")
    page.get_by_role("link", name="Side effects", exact=True).last.click()
    row = page.locator("#side-effects tbody tr").first
    expect(row).to_contain_text("C7284AC3")
    expect(row).to_contain_text("2 · Moderate")
    expect(row).to_contain_text("Probable / likely")
    expect(row).to_contain_text("not reported")
    shot(page, "side-effect-06-patient-tab")

    se = SideEffect.objects.get()
    assert (se.status, se.severity, se.is_serious, se.causality) == (
        "reviewed",
        2,
        False,
        "probable",
    )
    assert se.regulator_decision == "not-reported" and se.logged_by == reception
