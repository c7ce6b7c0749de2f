"""Patient pages as staff use them: registration, duplicates, edits, archive, questionnaire."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.inputs import STALE_PAGE_MESSAGE
from patients.models import IntakeQuestionnaire, Patient
from patients.validators import normalise_phone
from tests import clock
from tests.factories import PatientFactory

TODAY = timezone.localdate()
# TODAY is read at import (a parametrised "tomorrow") and the forms read the clock: midday
# that day whenever the run gets here (a run started at 23:59 got here after midnight, when
# "tomorrow" was today and accepted).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]


def form_data(**overrides):
    data = {
        "title": "Ms", "given_names": "Eleanor", "family_name": "Featherstone",
        "preferred_name": "", "date_of_birth": "14/03/1978", "sex": "female",
        "nhs_number": "943 476 5919", "phone": "07700 900123", "email": "",
        "address_line_1": "12 Phillimore Gardens", "address_line_2": "", "town": "London",
        "postcode": "W8 7QB", "gp_practice": "Holland Park Surgery", "gp_name": "",
        "emergency_contact_name": "Sam Featherstone", "emergency_contact_relationship": "",
        "emergency_contact_phone": "07700 900456", "referral_source": "gp",
        "referral_detail": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def questionnaire_data(**overrides):
    data = {
        "completed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "pregnant_or_breastfeeding": "no", "urinary_infection": "n/a",
        "urinary_retention": "n/a", "can_self_catheterise": "n/a",
        "prior-TOTAL_FORMS": "2", "prior-INITIAL_FORMS": "0", "prior-MIN_NUM_FORMS": "0",
        "prior-MAX_NUM_FORMS": "10",
    }  # fmt: skip
    for name in (
        "allergy_toxin_or_albumin",
        "allergy_cows_milk_protein",
        "infection_at_sites",
        "neuromuscular_disorder",
        "swallowing_or_breathing_problems",
        "bleeding_risk",
        "interacting_medicines",
        "toxin_in_last_4_months",
        "previous_poor_response",
        "facial_surgery_fillers_or_asymmetry",
        "heart_disease",
        "important_event_or_driving",
    ):
        data[name] = "False"
    data.update(overrides)
    return data


def test_register_then_duplicate_warning_then_confirm(reception_client):
    response = reception_client.post(reverse("patients:register"), form_data())
    patient = Patient.objects.get()
    assert response.status_code == 302
    questionnaire = reverse("patients:questionnaire_new", args=[patient.public_id])
    assert response["Location"] == f"{questionnaire}?registered=1"

    again = reception_client.post(
        reverse("patients:register"), form_data(nhs_number="", phone="07700900777")
    )
    assert again.status_code == 200
    content = again.content.decode()
    assert "may already be registered" in content
    assert patient.record_number in content
    assert 'value="07700900777"' in content or 'value="07700 900777"' in content  # input kept
    assert Patient.objects.count() == 1

    confirmed = reception_client.post(
        reverse("patients:register"),
        form_data(nhs_number="", phone="07700900777", confirm_not_duplicate="on"),
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "check digit"),
        ({"nhs_number": "12345"}, "exactly 10 digits"),
        (
            {"date_of_birth": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")},
            "cannot be in the future",
        ),
        # The format is named (browser review 05/12), not just "Enter a valid date."
        ({"date_of_birth": "31/02/1980"}, "Enter a real date as dd/mm/yyyy, e.g. 14/03/1978."),
        ({"family_name": "x" * 10_000}, "at most 100 characters"),
        ({"given_names": "<script>alert(1)</script>"}, "letters, spaces"),
        ({"postcode": "NOT A PC"}, "full UK postcode"),
        ({"phone": "12"}, "full phone number"),
        ({"referral_source": "hacker"}, "Select a valid choice"),
    ],
)
def test_bad_input_gives_clear_errors_and_keeps_input(reception_client, overrides, message):
    response = reception_client.post(reverse("patients:register"), form_data(**overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Please correct the highlighted fields" in content
    assert 'value="Phillimore Gardens' in content or "12 Phillimore Gardens" in content
    assert Patient.objects.count() == 0


def test_html_in_free_text_is_shown_escaped(reception_client, practitioner_client):
    reception_client.post(
        reverse("patients:register"),
        form_data(
            address_line_2="<script>alert('x')</script>",
            referral_detail="<img src=x onerror=alert(1)>",
        ),
    )
    patient = Patient.objects.get()
    assert patient.address_line_2 == "<script>alert('x')</script>"
    for client in (reception_client, practitioner_client):
        content = client.get(patient.get_absolute_url()).content.decode()
        assert "<script>alert('x')</script>" not in content
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
        assert "<img src=x" not in content


def test_edit_conflict_keeps_both_peoples_changes(reception_client, reception):
    patient = PatientFactory(registered_by=reception)
    url = reverse("patients:edit", args=[patient.public_id])
    opened = form_data(
        nhs_number=patient.nhs_number,
        version="1",
        family_name=patient.family_name,
        given_names=patient.given_names,
        phone=patient.phone,
        email="",
    )
    first = reception_client.post(url, opened | {"phone": "07700900001"})
    assert first.status_code == 302
    second = reception_client.post(url, opened | {"email": "mine@example.com"})
    assert second.status_code == 200
    content = second.content.decode()
    assert "Not saved yet" in content and "changed this record while you were editing" in content
    form = second.context["form"]
    # The re-rendered form = saved now (their phone) + my change (email), at version 2.
    assert form.initial["email"] == "mine@example.com"
    assert normalise_phone(form.initial["phone"]) == "07700900001"
    assert form.initial["version"] == 2
    patient.refresh_from_db()
    assert patient.phone == "07700900001" and patient.email != "mine@example.com"
    resubmit = reception_client.post(
        url, opened | {"email": "mine@example.com", "phone": "07700900001", "version": "2"}
    )
    assert resubmit.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "mine@example.com" and patient.phone == "07700900001"


def test_an_edit_without_the_version_is_refused_with_the_entries_kept(reception_client, reception):
    """The refusal is said on the page (a hidden field's error showed nowhere)."""
    patient = PatientFactory(registered_by=reception)
    typed = form_data(
        nhs_number=patient.nhs_number,
        family_name=patient.family_name,
        given_names=patient.given_names,
        phone="07700900001",
    )
    response = reception_client.post(reverse("patients:edit", args=[patient.public_id]), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "07700900001" in page or "07700 900001" in page
    saved = Patient.objects.get(pk=patient.pk)
    assert (saved.phone, saved.version) == (patient.phone, patient.version)


def test_edit_conflict_on_the_same_field_is_called_out(reception_client, reception):
    patient = PatientFactory(registered_by=reception)
    url = reverse("patients:edit", args=[patient.public_id])
    opened = form_data(
        nhs_number=patient.nhs_number,
        version="1",
        family_name=patient.family_name,
        given_names=patient.given_names,
        phone=patient.phone,
    )
    reception_client.post(url, opened | {"phone": "07700900001"})
    second = reception_client.post(url, opened | {"phone": "07700900002"})
    assert "You both changed: mobile or main phone" in second.content.decode()
    assert normalise_phone(second.context["form"].initial["phone"]) == "07700900002"


def test_archive_and_restore(reception_client):
    patient = PatientFactory()
    response = reception_client.post(
        reverse("patients:archive", args=[patient.public_id]),
        {"reason": "Moved to Leeds", "version": patient.version},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.is_archived
    reception_client.post(
        reverse("patients:restore", args=[patient.public_id]), {"version": patient.version}
    )
    patient.refresh_from_db()
    assert not patient.is_archived


def test_reception_enters_questionnaire_but_cannot_read_it(reception_client, practitioner_client):
    patient = PatientFactory()
    new_url = reverse("patients:questionnaire_new", args=[patient.public_id])
    response = reception_client.post(
        new_url, questionnaire_data(bleeding_risk="True", current_medications="Apixaban")
    )
    assert response.status_code == 302
    assert response["Location"] == patient.get_absolute_url()
    questionnaire = IntakeQuestionnaire.objects.get()
    assert questionnaire.bleeding_risk is True

    list_url = reverse("patients:questionnaires", args=[patient.public_id])
    assert reception_client.get(list_url).status_code == 403
    detail = reception_client.get(patient.get_absolute_url()).content.decode()
    assert "Apixaban" not in detail
    assert "awaiting practitioner review" in detail
    # Reception's new-questionnaire form never shows earlier answers.
    assert "Apixaban" not in reception_client.get(new_url).content.decode()

    page = practitioner_client.get(list_url).content.decode()
    assert "Apixaban" in page and "Mark reviewed" in page
    review_url = reverse(
        "patients:questionnaire_review", args=[patient.public_id, questionnaire.pk]
    )
    assert practitioner_client.get(review_url).status_code == 405
    assert practitioner_client.post(review_url, {"note": "OK"}).status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.is_reviewed
    assert reception_client.post(review_url).status_code == 403


def test_questionnaire_requires_every_answer_and_prior_treatment_details(reception_client):
    patient = PatientFactory()
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    data = questionnaire_data(current_medications="Sertraline")
    del data["heart_disease"]
    response = reception_client.post(url, data)
    assert "Please answer yes or no." in response.content.decode()
    assert "Sertraline" in response.content.decode()  # kept
    response = reception_client.post(url, questionnaire_data(toxin_in_last_4_months="True"))
    assert "Add the toxin treatment below" in response.content.decode()
    response = reception_client.post(
        url,
        questionnaire_data(
            toxin_in_last_4_months="True",
            **{
                "prior-0-treated_on": "01/09/2026",
                "prior-0-product_other": "Azzalure",
                "prior-0-units": "50",
            },
        ),
    )
    assert response.status_code == 302
    assert IntakeQuestionnaire.objects.get().prior_treatments.get().units == 50


def test_search_as_you_type_returns_partial(reception_client):
    PatientFactory(family_name="Featherstonehaugh")
    response = reception_client.get("/patients/?q=fetherston", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "FEATHERSTONEHAUGH" in content
    assert "<html" not in content  # only the results partial
    assert response["Cache-Control"].startswith("no-store")


def test_the_patient_search_box_has_the_whole_row_on_an_ipad(reception_client):
    # At 820 px the box had 8 of 12 columns and its placeholder stopped at "phone or K0";
    # below 992 px it now has the row, Status and Search share the next.
    page = reception_client.get("/patients/").content.decode()
    assert '<div class="col-12 col-lg-8">\n    <label class="form-label" for="id_q">' in page
    assert 'placeholder="Name, date of birth (dd/mm/yyyy), NHS number, phone or K000123"' in page


def test_unknown_status_filter_is_ignored(reception_client):
    PatientFactory(family_name="Ashworth")
    response = reception_client.get("/patients/?status=%27;drop&sort=evil&page=abc")
    assert response.status_code in (200, 404)
    assert reception_client.get("/patients/?sort=password").status_code == 200


def test_manager_never_sees_nhs_numbers(manager_client):
    patient = PatientFactory(nhs_number="9434765919")
    assert "943 476 5919" not in manager_client.get(patient.get_absolute_url()).content.decode()
    assert "943 476 5919" not in manager_client.get("/patients/").content.decode()


def test_history_shows_who_changed_what(reception_client, reception):
    reception_client.post(reverse("patients:register"), form_data())
    patient = Patient.objects.get()
    edit = form_data(version="1", phone="07700900001")
    reception_client.post(reverse("patients:edit", args=[patient.public_id]), edit)
    content = reception_client.get(reverse("patients:history", args=[patient.public_id]))
    text = content.content.decode()
    assert reception.get_full_name() in text
    assert "Registered" in text and "07700 900001" in text


def test_history_shows_values_as_the_record_page_does(reception_client):
    # Review 07/12/2026: the change history showed stored values: a date of birth as
    # 1978-03-14, a consent as "— → True", a sex as "female", a phone unspaced.
    reception_client.post(reverse("patients:register"), form_data())
    patient = Patient.objects.get()
    edit = form_data(
        version="1", date_of_birth="15/03/1978", sex="male", consent_marketing_email="on"
    )
    reception_client.post(reverse("patients:edit", args=[patient.public_id]), edit)
    text = reception_client.get(reverse("patients:history", args=[patient.public_id]))
    text = " ".join(text.content.decode().split())
    assert "<del>14/03/1978</del> → 15/03/1978" in text
    assert "<del>Female</del> → Male" in text
    assert "<del>No</del> → Yes" in text
    assert "1978-03-1" not in text and "True" not in text


@pytest.mark.time_machine(clock.london(date(2026, 6, 2), 0, 30))
def test_history_shows_a_consents_time_in_london_time(reception_client):
    """Review 07/12/2026: a consent's time went through the date branch in UTC, so a
    consent at 00:30 on 02/06 (summer time) read 01/06/2026, without its time."""
    reception_client.post(reverse("patients:register"), form_data())
    patient = Patient.objects.get()
    edit = form_data(version="1", consent_marketing_email="on")
    reception_client.post(reverse("patients:edit", args=[patient.public_id]), edit)
    text = reception_client.get(reverse("patients:history", args=[patient.public_id]))
    text = " ".join(text.content.decode().split())
    assert "02/06/2026 00:30" in text
    assert "01/06/2026" not in text


# Issue 13.12: finding patients from the home page, duplicates that say why --------------


def test_home_search_is_search_as_you_type(reception_client):
    from clinic.models import AccessEvent

    PatientFactory(given_names="Charlotte", family_name="O'Brien-Whitfield")
    home = reception_client.get("/").content.decode()
    assert 'hx-target="#home-results"' in home
    assert 'id="home-results"' in home
    typed = reception_client.get(
        "/patients/?q=whitfield", headers={"HX-Request": "true", "HX-Target": "home-results"}
    )
    content = typed.content.decode()
    assert "O&#x27;BRIEN-WHITFIELD" in content or "O'BRIEN-WHITFIELD" in content
    assert "<html" not in content
    events = AccessEvent.objects.count()
    emptied = reception_client.get(
        "/patients/?q=", headers={"HX-Request": "true", "HX-Target": "home-results"}
    )
    assert emptied.status_code == 200
    assert emptied.content == b""
    assert AccessEvent.objects.count() == events  # nothing shown, nothing logged


@pytest.mark.parametrize("box", ["list", "home"])
def test_full_record_number_or_nhs_number_opens_the_patient(reception_client, box):
    from clinic.models import AccessEvent

    patient = PatientFactory(record_number="K000123", nhs_number="9434765919")
    PatientFactory(record_number="K000012")
    headers = {"HX-Request": "true", "HX-Target": "home-results" if box == "home" else "results"}
    for query in ("K000123", "k000123", "943 476 5919"):
        before = AccessEvent.objects.count()
        plain = reception_client.get("/patients/", {"q": query})
        assert plain.status_code == 302, query
        assert plain["Location"] == patient.get_absolute_url()
        typed = reception_client.get("/patients/", {"q": query}, headers=headers)
        assert typed["HX-Redirect"] == patient.get_absolute_url()
        events = list(AccessEvent.objects.order_by("id")[before:])
        assert [(e.action, e.patient_id) for e in events] == [("patient.search", patient.pk)] * 2
    # On the way to a full number nothing opens: K00012 is not yet K000123.
    assert reception_client.get("/patients/", {"q": "K00012"}).status_code == 200


def test_nhs_number_never_opens_for_roles_that_cannot_see_it(manager_client):
    PatientFactory(nhs_number="9434765919")
    assert manager_client.get("/patients/", {"q": "9434765919"}).status_code == 200


def test_duplicate_nhs_number_error_links_to_the_existing_record(reception_client):
    existing = PatientFactory(nhs_number="9434765919", family_name="Other", phone="07700900001")
    response = reception_client.post(
        reverse("patients:register"), form_data(confirm_not_duplicate="on")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Another patient already has this NHS number" in content
    assert f'<a href="{existing.get_absolute_url()}">' in content
    assert Patient.objects.count() == 1


def test_duplicate_table_says_which_detail_matched(reception_client):
    PatientFactory(family_name="O'Brien-Whitfield", date_of_birth=date(1978, 3, 14), nhs_number="")
    PatientFactory(family_name="Unrelated", phone=normalise_phone("07700 900123"), nhs_number="")
    response = reception_client.post(
        reverse("patients:register"), form_data(family_name="OBrien Whitfield", nhs_number="")
    )
    content = response.content.decode()
    assert "may already be registered" in content
    assert "Surname and date of birth" in content
    assert (
        "Phone" in content.split('data-testid="matched-on">')[1]
        or "Phone" in content.split('data-testid="matched-on">')[2]
    )


def test_a_misspelt_surname_born_the_same_day_is_shown_as_a_possible_match(reception_client):
    """Review 07/12/2026: "Denise Armstong", born the same day as Denise ARMSTRONG, with
    a new phone number, made a second record with no warning."""
    existing = PatientFactory(
        given_names="Denise",
        family_name="Armstrong",
        date_of_birth=date(1982, 12, 11),
        nhs_number="",
        phone="07700900111",
    )
    typed = form_data(
        given_names="Denise",
        family_name="Armstong",
        date_of_birth="11/12/1982",
        nhs_number="",
        phone="07700 900998",
    )
    response = reception_client.post(reverse("patients:register"), typed)
    content = response.content.decode()
    assert "may already be registered" in content
    assert existing.record_number in content
    cell = content.split('data-testid="matched-on">')[1].split("<")[0]
    assert cell == "Date of birth and first name, similar surname"
    assert 'value="Armstong"' in content  # what was typed is kept
    assert Patient.objects.count() == 1
    reception_client.post(reverse("patients:register"), {**typed, "confirm_not_duplicate": "on"})
    assert Patient.objects.count() == 2


def test_the_warning_says_how_many_matched_and_lists_the_strongest_first(
    reception_client, reception
):
    """Review of e749cb7: with a family's phone and a crowded birthday the NHS number's
    record was cut off and the warning said "We found 10 records"."""
    from tests.patients.test_services import crowded_registration

    typed = crowded_registration(reception)
    response = reception_client.post(
        reverse("patients:register"),
        form_data(
            nhs_number="943 476 5919", given_names="Denise", family_name="Armstrong",
            date_of_birth="11/12/1982", phone=typed["phone"],
        ),
    )  # fmt: skip
    content = response.content.decode()
    count = content.split('data-testid="duplicate-count">')[1].split("</p>")[0]
    assert count.startswith("We found 27 records with the same NHS number")
    assert "; the 10 most likely are listed, strongest match first." in count
    cells = [c.split("<")[0] for c in content.split('data-testid="matched-on">')[1:]]
    assert len(cells) == 10 and cells[0] == "NHS number"
    assert "Yvonne" in content.split("<tbody>")[1].split("</tr>")[0]


def test_title_that_contradicts_sex_gets_a_gentle_prompt(reception_client):
    response = reception_client.post(
        reverse("patients:register"), form_data(title="Mrs", sex="male"), follow=True
    )
    assert Patient.objects.count() == 1  # never blocks
    content = response.content.decode()
    assert "Please check: the title is Mrs and sex is recorded as male" in content
    quiet = reception_client.post(
        reverse("patients:register"),
        form_data(title="Mr", sex="male", nhs_number="", phone="07700900555",
                  family_name="Another", given_names="Tom"),
        follow=True,
    )  # fmt: skip
    assert "Please check: the title" not in quiet.content.decode()


def test_home_search_shows_its_whole_placeholder_and_a_one_line_button(reception_client):
    # At 820 px the placeholder stopped at "phone or", and at every width the button's
    # icon sat above its word "Search".
    from pathlib import Path

    from django.conf import settings

    home = reception_client.get("/").content.decode()
    assert 'class="form-control form-control-lg home-search"' in home
    assert 'class="btn btn-primary btn-lg text-nowrap" type="submit">' in home
    css = (Path(settings.BASE_DIR) / "clinic/static/clinic/app.css").read_text()
    assert ".home-search::placeholder { font-size: 1rem; }" in css


def test_the_registration_names_row_fits_an_ipad(reception_client):
    # At 820 px (Bootstrap's md) "Preferred name" had 2 of 12 columns: its label ran onto
    # two lines and its box sat below the other names'. It has 3 there, 2 from lg.
    page = reception_client.get(reverse("patients:register")).content.decode()
    preferred = page.index('id="id_preferred_name"')
    column = page.rindex('class="col-', 0, preferred)
    assert page[column:].startswith('class="col-md-3 col-lg-2')


def test_the_questionnaire_page_does_not_scroll_sideways_on_an_ipad(reception_client):
    # At 820 px the page was 913 px wide: each prior-treatment cell's visually-hidden
    # label is absolutely positioned and escaped the table's scrolling wrapper. The cells
    # are positioned, so the labels stay inside it.
    from pathlib import Path

    from django.conf import settings

    patient = PatientFactory()
    page = reception_client.get(reverse("patients:questionnaire_new", args=[patient.public_id]))
    assert 'class="table table-sm align-top prior-table"' in page.content.decode()
    css = (Path(settings.BASE_DIR) / "clinic/static/clinic/app.css").read_text()
    assert ".prior-table td { position: relative; }" in css


def test_the_questionnaires_treatments_elsewhere_say_when_columns_are_to_the_right(
    reception_client,
):
    # On an iPad the table's Area and Clinic columns were off to the right with nothing to
    # say so; the reports' hint (app.js, any [data-scroll-hint] table) now shows there too.
    patient = PatientFactory()
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    page = reception_client.get(url).content.decode()
    assert 'id="prior-scroll-hint" hidden' in page
    assert 'class="table-responsive" data-scroll-hint="prior-scroll-hint" tabindex="0"' in page


def test_a_questionnaire_with_a_few_answers_missing_links_to_each(practitioner_client, patient):
    """Reception review (07/12/2026): the message said only "the highlighted questions",
    somewhere down a long page."""
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    data = questionnaire_data()
    del data["bleeding_risk"], data["heart_disease"]
    page = practitioner_client.post(url, data).content.decode()
    assert page.count('class="alert-link" href="#div_id_') == 2
    assert '<a class="alert-link" href="#div_id_bleeding_risk">' in page
    assert '<a class="alert-link" href="#div_id_heart_disease">' in page
    assert 'id="div_id_bleeding_risk"' in page and 'id="div_id_heart_disease"' in page


def test_a_questionnaire_refused_as_a_whole_says_why_in_its_summary(practitioner_client, patient):
    """Review 07/12/2026: an error of the whole form (a submission that could not be
    checked) left the summary an empty list."""
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    page = practitioner_client.post(url, questionnaire_data(submission_token="garbage"))
    html = " ".join(page.content.decode().split())
    assert '<ul class="mb-0 mt-2"><li>This form could not be checked as a single submission.' in (
        html
    )
