"""The appointment page's wording (review): its buttons are actions ("Mark confirmed"
beside the status "Booked" read as a state when it said "Confirmed"), and the Move panel
offers the box "I have read the points above" only when a move has points to
acknowledge, shown with it."""

import re
from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.models import WorkingPattern
from tests.clinic.diary_helpers import at, book
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TICK = 'name="acknowledge_flags"'


@pytest.fixture
def mornings(practitioner):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(0), ends=time(13)
        )
    return practitioner


def test_the_steps_read_as_actions(patient, mornings, reception):
    today = book(patient, mornings, reception, at(0, 0), "consultation", acknowledge_flags=True)
    page = client_for(reception).get(today.get_absolute_url()).content.decode()
    assert "Mark confirmed</button>" in page
    assert "Mark arrived</button>" in page
    assert ">Confirmed</button>" not in page and "> Arrived</button>" not in page

    yesterday = book(patient, mornings, reception, at(-1, 10), "consultation")
    page = client_for(reception).get(yesterday.get_absolute_url()).content.decode()
    assert "Mark did not attend</button>" in page


def test_the_home_page_arrival_is_an_action_too(patient, mornings, reception):
    book(patient, mornings, reception, at(0, 0), "consultation", acknowledge_flags=True)
    page = client_for(reception).get("/").content.decode()
    assert 'data-testid="arrive">Mark <span class="visually-hidden">' in page
    assert "</span>arrived</button>" in page


def test_the_move_panel_has_no_box_to_tick_without_points(patient, mornings, reception):
    appointment = book(patient, mornings, reception, at(1, 10), "consultation")
    page = client_for(reception).get(appointment.get_absolute_url()).content.decode()

    assert TICK not in page and "I have read the points above" not in page
    # The empty choice keeps the practitioner, and says so (review 07/12/2026: it read
    # Django's "- Select an option -").
    assert '<option value="">The same practitioner</option>' in page
    assert "Select an option" not in page


def test_a_move_with_points_shows_them_with_the_box_and_then_moves(patient, mornings, reception):
    appointment = book(patient, mornings, reception, at(1, 10), "consultation")
    url = reverse("diary:appointment_move", args=[appointment.public_id])
    data = {
        "day": timezone.localdate(at(2, 0)).strftime("%d/%m/%Y"),
        "start": "12:45",
        "version": appointment.version,
    }
    client = client_for(reception)

    page = client.post(url, data).content.decode()
    panel = page[page.index('data-testid="move-flags"') :]
    assert "runs past the end of their hours (13:00)" in panel.split("</ul>", 1)[0]
    assert TICK in panel and "I have read the points above: move it anyway." in panel
    assert 'value="12:45" selected' in page  # what was typed is kept

    moved = client.post(url, data | {"acknowledge_flags": "on"})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2, 12, 45)


def test_a_refused_move_takes_the_pages_address(patient, mornings, reception):
    """Shown in answer to the form, the page asks (static/clinic/diary.js) to be the
    appointment page in the history, so that Back to it is no form resubmission; the
    page opened as usual has no need to."""
    appointment = book(patient, mornings, reception, at(1, 10), "consultation")
    client = client_for(reception)
    url = reverse("diary:appointment_move", args=[appointment.public_id])
    data = {"day": "31/02/2026", "start": "10:00", "version": appointment.version}

    refused = client.post(url, data).content.decode()
    assert f'data-history-url="{appointment.get_absolute_url()}"' in refused
    assert "clinic/diary.js" in refused
    opened = client.get(appointment.get_absolute_url()).content.decode()
    assert "data-history-url" not in opened and "clinic/diary.js" not in opened


def test_a_move_into_a_clash_offers_the_free_times_as_buttons(patient, mornings, reception):
    """Review 05/12: after a refused move the free times were plain text in a message
    (the booking page offers them as buttons); now one click on one moves it there."""
    taken = book(PatientFactory(), mornings, reception, at(1, 9), "consultation")
    appointment = book(patient, mornings, reception, at(1, 11), "consultation")
    client = client_for(reception)
    url = reverse("diary:appointment_move", args=[appointment.public_id])
    local = timezone.localtime(taken.starts_at)
    data = {
        "day": f"{local:%d/%m/%Y}",
        "start": f"{local:%H:%M}",
        "practitioner": mornings.pk,
        "version": appointment.version,
    }
    page = client.post(url, data).content.decode()
    assert "That time is already booked: choose one of the free times." in page
    slots = re.findall(r'name="slot" value="([^"]+)" data-testid="free-slot"', page)
    assert slots, page
    chosen = slots[0]
    moved = client.post(url, {**data, "slot": chosen})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    _, day, start = chosen.split("|")
    assert f"{timezone.localtime(appointment.starts_at):%d/%m/%Y|%H:%M}" == f"{day}|{start}"
