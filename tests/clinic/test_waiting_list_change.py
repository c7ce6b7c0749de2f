"""A waiting list entry changed in place (front-desk review: "Mornings only" became "any
afternoon too" on the phone; the only way was to withdraw and add again, which put the
patient at the end of the queue, and the "already on the list" refusal said "Change …
that entry" with nothing to change it with)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.waiting_list.choices import EVERY_DAY, TimeOfDay, weekdays_in, weekdays_mask
from clinic.diary.waiting_list.models import WaitingListEntry
from clinic.models import AccessEvent
from tests.clinic.diary_helpers import working
from tests.clinic.test_waiting_list_availability import wait
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _posted(entry, **changes) -> dict:
    data = {
        "shown": entry.as_shown,
        "from_date": f"{entry.from_date:%d/%m/%Y}",
        "time_of_day": entry.time_of_day,
        "weekdays": weekdays_in(entry.weekdays),
        "notes": entry.notes,
    }
    return data | changes


def test_when_they_can_come_is_changed_in_place_and_they_keep_their_place(doctor, reception):
    working(doctor)
    first = wait(reception, time_of_day=TimeOfDay.MORNINGS, notes="Mornings only")
    later = wait(reception)
    client = client_for(reception)
    page = client.get(reverse("diary:waiting_list")).content.decode()
    change = reverse("diary:waiting_list_change", args=[first.pk])
    assert f'href="{change}"' in page
    form = client.get(change)
    assert form.status_code == 200 and "keep their place" in form.content.decode()
    done = client.post(
        change, _posted(first, time_of_day=TimeOfDay.ANY, notes="Any time; mobile best")
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert (first.time_of_day, first.notes) == (TimeOfDay.ANY, "Any time; mobile best")
    queue = list(WaitingListEntry.objects.order_by("created_at", "id"))
    assert queue == [first, later]  # the same place in the queue
    assert AccessEvent.objects.filter(
        action="diary.waiting_list", patient=first.patient, method="POST"
    ).exists()


def test_a_change_made_meanwhile_is_not_overwritten_in_silence(doctor, reception):
    working(doctor)
    entry = wait(reception)
    opened = _posted(entry)  # the first receptionist's page
    client = client_for(reception)
    change = reverse("diary:waiting_list_change", args=[entry.pk])
    # A colleague changes it first: Mondays only.
    assert client.post(change, _posted(entry, weekdays=[0])).status_code == 302
    entry.refresh_from_db()
    assert entry.weekdays == weekdays_mask([0])
    refused = client.post(change, opened | {"time_of_day": TimeOfDay.AFTERNOONS})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else changed this entry after you opened it" in html
    assert "Now: from" in html and "Mon" in html
    entry.refresh_from_db()
    assert (entry.time_of_day, entry.weekdays) == (TimeOfDay.ANY, weekdays_mask([0]))
    # What they typed is kept, and saving again is made over the entry as it is now.
    assert refused.context["form"]["time_of_day"].value() == TimeOfDay.AFTERNOONS
    again = dict(refused.context["form"].data.lists())
    again = {key: values if key == "weekdays" else values[0] for key, values in again.items()}
    assert client.post(change, again).status_code == 302
    entry.refresh_from_db()
    assert entry.time_of_day == TimeOfDay.AFTERNOONS


def test_bad_input_is_a_message_and_a_booked_entry_cannot_be_changed(doctor, reception):
    working(doctor)
    entry = wait(reception)
    client = client_for(reception)
    change = reverse("diary:waiting_list_change", args=[entry.pk])
    refused = client.post(change, _posted(entry, weekdays=[], time_of_day="evenings"))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Tick at least one day they can come." in html
    assert "Choose when they can come" in html
    entry.refresh_from_db()
    assert entry.weekdays == EVERY_DAY
    too_far = client.post(
        change, _posted(entry, from_date=f"{timezone.localdate() + timedelta(days=5000):%d/%m/%Y}")
    )
    assert too_far.status_code == 200
    WaitingListEntry.objects.filter(pk=entry.pk).update(status="withdrawn")
    gone = client.post(change, _posted(entry), follow=True)
    assert "is no longer waiting" in gone.content.decode()


def test_only_those_who_may_change_the_list_reach_the_form(doctor, reception, practitioner):
    working(doctor)
    entry = wait(reception)
    change = reverse("diary:waiting_list_change", args=[entry.pk])
    may = practitioner.has_perm("diary.change_waitinglistentry")
    assert client_for(practitioner).get(change).status_code == (200 if may else 403)
    assert client_for(None).get(change).status_code == 302  # to sign in
    assert (
        client_for(reception).get(reverse("diary:waiting_list_change", args=[10**9])).status_code
        == 404
    )
