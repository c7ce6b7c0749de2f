"""Practitioner and manager in the browser: review a questionnaire; the manager's figures."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from patients.choices import PatientStatus
from patients.models import IntakeQuestionnaire
from tests.e2e.helpers import staff_name_pattern
from tests.factories import PatientFactory, QuestionnaireFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_practitioner_reviews_questionnaire_with_yes_answer(
    page: Page, live_server, reception, practitioner, login, shot
):
    patient = PatientFactory(
        family_name="Lindqvist",
        given_names="Ingrid",
        date_of_birth=date(1961, 9, 2),
        registered_by=reception,
    )
    questionnaire = QuestionnaireFactory(
        patient=patient,
        entered_by=reception,
        bleeding_risk=True,
        current_medications="Apixaban 5 mg twice daily",
    )
    reviewed = PatientFactory(family_name="Quayle", given_names="Dora", registered_by=reception)
    QuestionnaireFactory(patient=reviewed, entered_by=reception)
    IntakeQuestionnaire.objects.filter(patient=reviewed).update(
        reviewed_by=practitioner, reviewed_at="2026-01-05T10:00:00Z"
    )

    login(page, live_server, "amelia")
    navbar = page.get_by_role("navigation", name="Main")
    expect(navbar.locator("[data-role=Practitioner]")).to_have_text("Practitioner")
    waiting = page.locator("section[aria-labelledby=review-heading]")
    expect(
        waiting.get_by_role("heading", name="Questionnaires awaiting clinical review")
    ).to_be_visible()
    expect(waiting.get_by_role("listitem")).to_have_count(1)  # the reviewed one is not listed
    expect(waiting.get_by_role("link", name="LINDQVIST, Ingrid, Ms")).to_be_visible()
    # Practitioners do not register patients.
    expect(page.get_by_text("Recently registered")).to_have_count(0)
    expect(navbar.get_by_role("link", name="Register patient")).to_have_count(0)
    shot(page, "practitioner-01-home-awaiting-review")

    waiting.get_by_role("link", name="LINDQVIST, Ingrid, Ms").click()

    expect(page).to_have_url(f"{live_server.url}/patients/{patient.public_id}/questionnaire/")
    card = page.locator(f"#questionnaire-{questionnaire.pk}")
    expect(card.get_by_text("Not yet reviewed")).to_be_visible()
    alert = card.locator(".alert-warning")
    expect(alert).to_contain_text("Answered “yes”:")
    expect(alert.get_by_role("listitem")).to_have_count(1)
    expect(alert.get_by_role("listitem")).to_contain_text("Takes blood thinners")
    expect(card).to_contain_text("Apixaban 5 mg twice daily")
    shot(page, "practitioner-02-questionnaire-before-review")

    card.get_by_label("Review note").fill("Discussed apixaban: no change needed, press 10 min")
    card.get_by_role("button", name="Mark reviewed").click()

    expect(page).to_have_url(f"{live_server.url}/patients/{patient.public_id}/questionnaire/")
    expect(page.locator(".messages .alert-success")).to_contain_text(
        f"Marked the questionnaire of {questionnaire.completed_on:%d/%m/%Y} as reviewed."
    )
    card = page.locator(f"#questionnaire-{questionnaire.pk}")
    expect(card.locator(".badge", has_text="Reviewed by")).to_have_text(
        re.compile(rf"Reviewed by {staff_name_pattern(practitioner)}, \d\d/\d\d/\d{{4}} \d\d:\d\d")
    )
    expect(card).to_contain_text("Discussed apixaban: no change needed, press 10 min")
    expect(card.get_by_role("button", name="Mark reviewed")).to_have_count(0)
    shot(page, "practitioner-03-questionnaire-reviewed")

    questionnaire.refresh_from_db()
    assert questionnaire.reviewed_by == practitioner
    assert questionnaire.review_note == "Discussed apixaban: no change needed, press 10 min"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_text("Nothing waiting. All questionnaires are reviewed.")).to_be_visible()


def test_manager_sees_patients_at_a_glance(page: Page, live_server, manager, login, shot):
    PatientFactory.create_batch(3)
    PatientFactory(status=PatientStatus.ARCHIVED, archived_reason="Moved to Leeds")

    login(page, live_server, "marcus")

    navbar = page.get_by_role("navigation", name="Main")
    expect(navbar.locator("[data-role=Manager]")).to_have_text("Manager")
    expect(navbar.get_by_role("link", name="Reference data", exact=True)).to_be_visible()
    stats = page.locator("section[aria-labelledby=stats-heading]")
    expect(stats.get_by_role("heading", name="Patients at a glance")).to_be_visible()
    figures = {
        label: stats.locator(".stat-label", has_text=re.compile(f"^{label}$"))
        .locator("xpath=preceding-sibling::div[contains(@class, 'stat-value')]")
        .inner_text()
        for label in ("Active", "New this month", "New in 7 days", "Archived")
    }
    assert figures == {"Active": "3", "New this month": "4", "New in 7 days": "4", "Archived": "1"}
    # No registration or NHS numbers for the manager.
    expect(navbar.get_by_role("link", name="Register patient")).to_have_count(0)
    expect(page.get_by_text("Recently registered")).to_have_count(0)
    shot(page, "manager-01-home-at-a-glance")
