"""Reception in the browser: home, register + questionnaire, duplicates, search, access."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from patients.choices import YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient
from tests.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SURNAME = "Featherstonehaugh"
# Misspelt the way it is said ("Fanshaw"-style surnames): close enough for difflib on
# SQLite (ratio 0.94, cut-off 0.7) and for pg_trgm on PostgreSQL (similarity 0.55,
# threshold 0.3), and it shares the first letter, which the SQLite fallback requires.
MISSPELT = "Fetherstonhaugh"
REGISTRATION = {
    "#id_given_names": "Jane Alice",
    "#id_family_name": SURNAME,
    "#id_date_of_birth": "14/03/1978",
    "#id_nhs_number": "943 476 5919",  # typed in groups, as on the patient's NHS letter
    "#id_phone": "07700 900461",
    "#id_email": "jane.f@example.com",
    "#id_address_line_1": "12 Phillimore Gardens",
    "#id_town": "London",
    "#id_postcode": "W8 7QB",
    "#id_gp_practice": "Kensington Park Medical Centre",
    "#id_emergency_contact_name": "Sam Featherstonehaugh",
    "#id_emergency_contact_phone": "07700 900999",
}
# The answers asked of a patient with nothing to declare, by question row.
NOT_APPLICABLE = {"urinary_infection", "urinary_retention", "can_self_catheterise"}


def open_registration(page: Page, live_server) -> None:
    """From anywhere: the navbar's "Register patient" link, the way reception gets there."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()


def fill_registration(page: Page, **overrides: str) -> None:
    values = {**REGISTRATION, **overrides}
    for selector, value in values.items():
        page.locator(selector).fill(value)
    page.locator("#id_sex").select_option(label="Female")
    page.locator("#id_referral_source").select_option(label="GP")


def test_home_shows_search_recent_patients_and_role(
    page: Page, live_server, reception, login, shot
):
    PatientFactory(family_name="Okafor", given_names="Grace", registered_by=reception)

    login(page, live_server, "rita", through_form=True)

    expect(page.get_by_role("heading", name="Find a patient")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search patients")).to_be_focused()
    recent = page.locator("section[aria-labelledby=recent-heading]")
    expect(recent.get_by_role("heading", name="Recently registered")).to_be_visible()
    expect(recent.get_by_role("link", name="OKAFOR, Grace")).to_be_visible()
    navbar = page.get_by_role("navigation", name="Main")
    expect(navbar.locator("[data-role=Reception]")).to_have_text("Reception")
    # Reception does not review questionnaires or see the manager's figures.
    expect(page.get_by_text("Questionnaires awaiting clinical review")).to_have_count(0)
    expect(page.get_by_text("Patients at a glance")).to_have_count(0)
    shot(page, "reception-01-home")


def test_a_refused_registration_puts_the_cursor_in_the_field_to_correct(
    page: Page, live_server, reception, login
):
    """Browser review (07/12/2026): after an error the cursor stayed in the given names
    (the form's autofocus), not in the field the message is about; the example date in
    the message was this year's, beside a date of birth."""
    login(page, live_server, "rita")
    open_registration(page, live_server)
    fill_registration(page, **{"#id_date_of_birth": "31/02/1980"})
    page.get_by_role("button", name="Register patient").click()
    birth = page.locator("#id_date_of_birth")
    expect(birth).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(birth).to_be_focused()
    expect(page.get_by_text("Enter a real date as dd/mm/yyyy, e.g. 14/03/1978.")).to_be_visible()
    expect(page.locator("#id_given_names")).to_have_value(REGISTRATION["#id_given_names"])


def test_register_patient_then_enter_questionnaire(page: Page, live_server, reception, login, shot):
    login(page, live_server, "rita")
    open_registration(page, live_server)
    expect(page.locator("#id_given_names")).to_be_focused()
    fill_registration(page)
    shot(page, "reception-02-register-form")

    page.get_by_role("button", name="Register patient").click()

    expect(page).to_have_url(
        re.compile(r"/patients/[0-9a-f-]{36}/questionnaire/new/\?registered=1$")
    )
    patient = Patient.objects.get(family_name=SURNAME)
    success = page.locator(".messages .alert-success")
    expect(success).to_contain_text(f"Registered Jane Alice {SURNAME} as {patient.record_number}")
    assert re.fullmatch(r"K\d{6}", patient.record_number)
    assert patient.nhs_number == "9434765919"
    assert patient.phone == "07700900461"
    assert patient.date_of_birth == date(1978, 3, 14)
    expect(page.get_by_role("heading", name="Medical questionnaire")).to_be_visible()

    rows = page.locator(".screening-question")
    expect(rows).to_have_count(16)  # urinary infection and retention asked apart (13.3)
    # Saved before any answer: every question says so in its tinted row, readably (the
    # error red was 3.4:1 on the tint).
    page.get_by_role("button", name="Save questionnaire").click()
    expect(page.locator(".screening-question.has-error")).to_have_count(16)
    # The cursor on the first question to answer (reception review 07/12/2026: the focus
    # stayed at the top of the page); the summary counts them (a few: links to each).
    first = rows.first.locator("input").first
    expect(first).to_be_focused()
    summary = page.get_by_test_id("questionnaire-errors")
    expect(summary).to_contain_text("16 questions to answer or correct, marked below.")
    shot(page, "reception-03-questionnaire-unanswered")
    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.get_attribute("id").removeprefix("div_id_")
        answer = "Not applicable" if name in NOT_APPLICABLE else "No"
        row.get_by_label(answer, exact=True).check()
    page.get_by_label(re.compile("Current medications")).fill("None")
    shot(page, "reception-03-questionnaire-filled")
    page.get_by_role("button", name="Save questionnaire").click()

    expect(page).to_have_url(f"{live_server.url}{patient.get_absolute_url()}")
    expect(page.locator(".messages .alert-success")).to_contain_text("Questionnaire saved")
    # Reception sees that it exists, never the answers.
    questionnaire_card = page.locator("#questionnaire")
    expect(questionnaire_card).to_contain_text("awaiting practitioner review")
    expect(questionnaire_card).to_contain_text("Answers are visible to clinical staff only")
    shot(page, "reception-04-patient-after-questionnaire")

    saved = IntakeQuestionnaire.objects.get(patient=patient)
    assert saved.entered_by == reception
    assert saved.alerts() == []
    assert saved.pregnant_or_breastfeeding == YesNoNotApplicable.NO
    assert saved.urinary_infection == YesNoNotApplicable.NOT_APPLICABLE
    assert saved.urinary_retention == YesNoNotApplicable.NOT_APPLICABLE
    assert saved.can_self_catheterise == YesNoNotApplicable.NOT_APPLICABLE


def test_duplicate_warning_keeps_input_and_confirmation_registers(
    page: Page, live_server, reception, login, shot
):
    first = PatientFactory(
        family_name=SURNAME,
        given_names="Harriet",
        date_of_birth=date(1978, 3, 14),
        phone="07700900111",
        registered_by=reception,
    )
    login(page, live_server, "rita")
    open_registration(page, live_server)
    fill_registration(page, **{"#id_given_names": "Imogen"})
    page.get_by_role("button", name="Register patient").click()

    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This patient may already be registered")
    expect(warning.get_by_role("link", name=first.record_number)).to_be_visible()
    expect(warning).to_contain_text(f"{SURNAME.upper()}, Harriet")
    expect(warning).to_contain_text("14/03/1978")
    # Nothing typed is lost.
    expect(page.locator("#id_given_names")).to_have_value("Imogen")
    expect(page.locator("#id_family_name")).to_have_value(SURNAME)
    expect(page.locator("#id_date_of_birth")).to_have_value("14/03/1978")
    expect(page.locator("#id_nhs_number")).to_have_value("943 476 5919")
    expect(page.locator("#id_postcode")).to_have_value("W8 7QB")
    expect(page.locator("#id_referral_source")).to_have_value("gp")
    assert Patient.objects.filter(family_name=SURNAME).count() == 1
    shot(page, "reception-05-duplicate-warning")

    page.get_by_label(re.compile("I have checked the possible matches")).check()
    page.get_by_role("button", name="Register patient").click()

    expect(page).to_have_url(re.compile(r"/questionnaire/new/\?registered=1$"))
    second = Patient.objects.get(family_name=SURNAME, given_names="Imogen")
    expect(page.locator(".messages .alert-success")).to_contain_text(
        f"Registered Imogen {SURNAME} as {second.record_number}"
    )
    assert second.record_number != first.record_number
    assert Patient.objects.filter(family_name=SURNAME).count() == 2


def test_search_as_you_type_finds_misspelt_surname(page: Page, live_server, reception, login, shot):
    wanted = PatientFactory(family_name=SURNAME, given_names="Jane", registered_by=reception)
    for family, given in [("Fenwick", "Tom"), ("Smith", "Anna"), ("Okafor", "Grace")]:
        PatientFactory(family_name=family, given_names=given, registered_by=reception)
    login(page, live_server, "rita")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    results = page.locator("#results")
    expect(results.locator("tbody tr")).to_have_count(4)
    shot(page, "reception-06a-patient-list")  # the plain-template list (issue 14.2), axe

    # A full page load would wipe this marker; htmx swaps only #results.
    page.evaluate("window.__noReload = true")
    search = page.locator("#id_q")
    expect(search).to_be_focused()
    with page.expect_request(
        lambda r: r.headers.get("hx-request") == "true" and f"q={MISSPELT}" in r.url
    ):
        search.press_sequentially(MISSPELT, delay=40)

    expect(results).to_contain_text(f"1 match for “{MISSPELT}”")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.get_by_role("link", name=f"{SURNAME.upper()}, Jane")).to_be_visible()
    expect(results.get_by_role("link", name=wanted.record_number)).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    expect(page).to_have_url(re.compile(rf"[?&]q={MISSPELT}"))  # hx-push-url: back works
    shot(page, "reception-06-search-misspelt")

    results.get_by_role("link", name=f"{SURNAME.upper()}, Jane").click()
    expect(page).to_have_url(f"{live_server.url}{wanted.get_absolute_url()}")


def test_home_search_as_you_type_and_a_record_number_opens_the_patient(
    page: Page, live_server, reception, login, shot
):
    """Issue 13.12: the home page's box searches as it is typed ("whitfield" finds a
    double-barrelled surname before WHITE); a full record number opens the record."""
    wanted = PatientFactory(
        family_name="O'Brien-Whitfield", given_names="Charlotte", registered_by=reception
    )
    PatientFactory(family_name="White", given_names="Deborah", registered_by=reception)
    login(page, live_server, "rita")
    page.evaluate("window.__noReload = true")
    search = page.get_by_role("searchbox", name="Search patients")
    typed = lambda r: r.headers.get("hx-request") == "true" and "q=whitf" in r.url  # noqa: E731
    with page.expect_request(typed):
        search.press_sequentially("whitfield", delay=40)
    results = page.locator("#home-results")
    expect(results.locator("tbody tr").first).to_contain_text("O'BRIEN-WHITFIELD, Charlotte")
    assert page.evaluate("window.__noReload") is True
    shot(page, "reception-13-home-search")

    search.fill("")
    search.press_sequentially(wanted.record_number, delay=40)
    expect(page).to_have_url(f"{live_server.url}{wanted.get_absolute_url()}")


def test_reception_cannot_open_questionnaire_answers(
    page: Page, live_server, reception, patient, questionnaire, login, shot
):
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    # No link to the answers for reception ...
    expect(page.get_by_role("link", name=re.compile("^Questionnaires"))).to_have_count(0)

    # ... and typing the address gets the friendly 403 page, not the answers.
    response = page.goto(f"{live_server.url}/patients/{patient.public_id}/questionnaire/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("link", name="Back to home")).to_be_visible()
    expect(page.get_by_text("Answered “yes”")).to_have_count(0)
    shot(page, "reception-07-forbidden-questionnaire")
