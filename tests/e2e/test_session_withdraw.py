"""Withdraw a draft whose treatment was not given, from the session editor (found
07/12/2026: a draft started in error could only be left open forever or signed). The
action sits apart from Save and Sign, folded below the editor; without a reason it says
why; with one the session's page shows it withdrawn, by whom, when and why, and its vial
is free again. At 1366x768 and 820x1180 (touch), axe-checked (the `shot` fixture)."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.session_helpers import fresh_vial, preempt_draft
from tests.factories import PatientFactory, QuestionnaireFactory
from treatments.models import TreatmentSession

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]


@pytest.fixture
def draft(reception, practitioner):
    patient = PatientFactory(family_name="Okafor", given_names="Tobi")
    QuestionnaireFactory(patient=patient, entered_by=reception)
    return preempt_draft(patient, practitioner, fresh_vial(practitioner))


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)], ids=["laptop", "ipad"])
def test_withdraw_a_draft_from_the_editor(
    page: Page, live_server, practitioner, draft, login, shot, size
):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, "amelia")
    page.goto(f"{live_server.url}/sessions/{draft.public_id}/edit/")

    withdraw = page.get_by_test_id("withdraw-draft")
    # Apart from Sign: not in the editor's form, and folded until opened.
    expect(page.locator("#session-form").get_by_test_id("withdraw-draft")).to_have_count(0)
    button = withdraw.get_by_role("button", name="Withdraw draft: treatment not given")
    expect(button).to_be_hidden()
    withdraw.locator("summary").click()
    expect(button).to_be_visible()
    shot(page, f"session-withdraw-open-{size[0]}")  # and axe

    # No reason: refused, saying why, the form open where the error is.
    button.click()
    expect(page.get_by_text("Choose why the treatment was not given.")).to_be_visible()
    assert TreatmentSession.objects.get(pk=draft.pk).status == "draft"
    shot(page, f"session-withdraw-no-reason-{size[0]}")

    withdraw = page.get_by_test_id("withdraw-draft")
    withdraw.get_by_label("Patient declined on the day").check()
    withdraw.get_by_label("Details").fill("Wants to talk to her GP first")
    withdraw.get_by_role("button", name="Withdraw draft: treatment not given").click()

    expect(page.locator(".messages")).to_contain_text("Draft withdrawn (treatment not given).")
    banner = page.get_by_test_id("withdrawn")
    expect(banner).to_contain_text("Withdrawn (not given) by")
    expect(banner).to_contain_text("Patient declined on the day: Wants to talk to her GP first.")
    expect(page.get_by_role("link", name="Continue editing")).to_have_count(0)
    expect(page.get_by_test_id("withdraw-draft")).to_have_count(0)
    shot(page, f"session-withdrawn-{size[0]}")
    session = TreatmentSession.objects.get(pk=draft.pk)
    assert session.status == "withdrawn" and session.vial_id is None
    assert not session.draws.exists()
