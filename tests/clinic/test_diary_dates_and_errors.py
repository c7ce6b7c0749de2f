"""Review: the diary's "Go to date" with an impossible date (2026-13-45) silently showed
today; it now says so, keeping what was typed. The booking form's required-field errors
("With", "Date") showed without the red invalid border; the fields are drawn invalid, as
the other forms draw them, and their errors are what the fields' aria-describedby names."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clinic.diary_helpers import working

pytestmark = pytest.mark.django_db

NOT_A_DATE = "That is not a date: showing today."


def tag(page: str, id_: str) -> str:
    """The opening tag of the element with this id."""
    return re.search(rf'<[a-z]+ [^>]*id="{id_}"[^>]*>', page).group(0)


@pytest.mark.parametrize("typed", ["2026-13-45", "45/13/2026", "next tuesday"])
def test_an_impossible_date_says_so_and_keeps_what_was_typed(reception_client, typed):
    response = reception_client.get(reverse("diary:day"), {"day": typed})

    assert response.status_code == 200 and response.context["view"].day == timezone.localdate()
    page = response.content.decode()
    assert NOT_A_DATE in page
    box = tag(page, "diary-day")
    assert "is-invalid" in box and f'value="{typed}"' in box
    assert 'aria-describedby="diary-day-problem"' in box


def test_a_date_outside_the_diary_says_so(reception_client):
    page = reception_client.get(reverse("diary:day"), {"day": "31/12/9999"}).content.decode()
    assert "The diary shows days from 01/01/1900 to 31/12/2199: showing today." in page


@pytest.mark.parametrize("typed", ["", "05/12/2026", "2026-12-05"])
def test_a_date_or_nothing_says_nothing(reception_client, typed):
    page = reception_client.get(reverse("diary:day"), {"day": typed}).content.decode()
    assert 'data-testid="day-problem"' not in page and "is-invalid" not in tag(page, "diary-day")


def test_the_week_says_so_too(reception_client, practitioner):
    working(practitioner)
    url = reverse("diary:week", args=[practitioner.pk])
    assert NOT_A_DATE in reception_client.get(url, {"day": "2026-13-45"}).content.decode()


def test_the_booking_forms_missing_fields_are_drawn_invalid(reception_client):
    page = reception_client.post(reverse("diary:book"), {"notes": ""}).content.decode()

    for field in ("id_practitioner", "id_day", "id_start", "id_appointment_type"):
        opening = tag(page, field)
        assert "is-invalid" in opening, field
        assert 'aria-invalid="true"' in opening, field
        assert f'aria-describedby="{field}_error"' in opening, field
        assert f'id="{field}_error"' in page, field
    assert "is-invalid" not in tag(page, "id_room")  # not required: no error
    assert "Choose who the appointment is with." in page
    assert "Type the date, as dd/mm/yyyy." in page
    assert "Choose the time." in page


def test_the_booking_forms_lists_start_on_choose(reception_client):
    # "With" read "---------" (Django's default) beside "Choose…" elsewhere on the form; the
    # time opened on 07:00, before anyone's hours (reception review 07/12/2026).
    page = reception_client.get(reverse("diary:book")).content.decode()
    for field in ("id_practitioner", "id_appointment_type", "id_start"):
        select = page[page.index(f'id="{field}"') :]
        first_option = select[select.index("<option") : select.index("</option>") + 9]
        assert first_option.startswith('<option value=""'), field
        assert first_option.endswith(">Choose…</option>"), field
