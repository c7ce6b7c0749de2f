"""The private calendar feed (issue 15): what it shows (initials and the visit's kind),
and when its link stops."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessEvent
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_calendar_feed_shows_initials_and_kind_and_can_be_revoked(doctor, reception):
    """Initials and the appointment's kind: not the type's name, which says what is treated
    (security review 07/12/2026: "HQJ · Chronic migraine (PREEMPT)" left the clinic for the
    phone's calendar service)."""
    patient = PatientFactory(given_names="Harriet", family_name="Quillfeather-Jones")
    book(patient, doctor, reception, at(1, 10), "migraine-treatment")
    client = client_for(doctor)
    client.post(reverse("diary:feed_settings"), {"action": "new"})
    url = doctor.calendar_feed and reverse("diary:feed", args=[doctor.calendar_feed.token])

    anonymous = client_for(None)
    response = anonymous.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:HQJ · Treatment" in body
    assert "migraine" not in body.lower() and "PREEMPT" not in body
    assert "Quillfeather" not in body and "Harriet" not in body
    assert patient.record_number not in body

    client.post(reverse("diary:feed_settings"), {"action": "new"})  # a new secret
    assert anonymous.get(url).status_code == 404
    doctor.calendar_feed.refresh_from_db()
    fresh = reverse("diary:feed", args=[doctor.calendar_feed.token])
    assert anonymous.get(fresh).status_code == 200
    client.post(reverse("diary:feed_settings"), {"action": "revoke"})
    assert anonymous.get(fresh).status_code == 404


def test_a_deactivated_accounts_calendar_link_stops_and_stays_stopped(doctor, reception, manager):
    """A deactivated account is signed out everywhere: its calendar link too, at once, and
    reactivating the account does not bring the old link back."""
    from clinic.staff import services as staff_services

    book(PatientFactory(), doctor, reception, at(1, 10), "migraine-treatment")
    client_for(doctor).post(reverse("diary:feed_settings"), {"action": "new"})
    url = reverse("diary:feed", args=[doctor.calendar_feed.token])
    anonymous = client_for(None)
    assert anonymous.get(url).status_code == 200

    staff_services.staff_deactivate(deactivated_by=manager, user=doctor)
    assert anonymous.get(url).status_code == 404
    doctor.calendar_feed.refresh_from_db()
    assert doctor.calendar_feed.revoked_at is not None
    staff_services.staff_reactivate(reactivated_by=manager, user=doctor)
    assert anonymous.get(url).status_code == 404


def test_a_calendar_link_stops_when_its_holder_may_no_longer_see_the_diary(doctor, reception):
    """Read on every fetch: an account whose role no longer shows the diary (or one switched
    off in the database, without the service) gets a 404, not its patients' initials."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory as Users

    book(PatientFactory(), doctor, reception, at(1, 10), "migraine-treatment")
    client_for(doctor).post(reverse("diary:feed_settings"), {"action": "new"})
    url = reverse("diary:feed", args=[doctor.calendar_feed.token])
    anonymous = client_for(None)
    assert anonymous.get(url).status_code == 200

    doctor.groups.set([Group.objects.create(name="No diary")])
    assert anonymous.get(url).status_code == 404
    doctor.groups.set(Users(role=Role.PRACTITIONER).groups.all())
    assert anonymous.get(url).status_code == 200
    type(doctor).objects.filter(pk=doctor.pk).update(is_active=False)  # no signal
    assert anonymous.get(url).status_code == 404


def test_a_calendar_feed_read_is_in_the_access_log_without_its_secret(doctor, reception):
    """Initials and times of the practitioner's patients leave the clinic at each read: it
    is logged in their name, with where from (a read from an unknown address is a link to
    switch off), and the path without the secret (managers read this log). Nothing was
    logged before (security review's leftover); a refused link logs nothing."""
    book(PatientFactory(), doctor, reception, at(1, 10), "migraine-treatment")
    client_for(doctor).post(reverse("diary:feed_settings"), {"action": "new"})
    token = doctor.calendar_feed.token
    anonymous = client_for(None)
    before = AccessEvent.objects.count()
    assert anonymous.get(reverse("diary:feed", args=[token])).status_code == 200
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.user_id, event.username) == (
        "diary.feed",
        doctor.pk,
        doctor.get_username(),
    )
    assert token not in event.path and event.path == "/diary/calendar/[secret].ics"
    assert event.ip_address and event.patient_id is None
    assert not any(token in path for path in AccessEvent.objects.values_list("path", flat=True))
    assert anonymous.get(reverse("diary:feed", args=["not-" + token])).status_code == 404
    assert AccessEvent.objects.count() == before + 1
    # The practitioner's settings page says when and from where it was last read.
    page = client_for(doctor).get(reverse("diary:feed_settings")).content.decode()
    assert (
        f"Last read by a calendar on {timezone.localtime(event.occurred_at):%d/%m/%Y at %H:%M}"
        in page
    )
    assert f"from the internet address {event.ip_address}" in page
    client_for(doctor).post(reverse("diary:feed_settings"), {"action": "new"})
    page = client_for(doctor).get(reverse("diary:feed_settings")).content.decode()
    assert "Not read by a calendar yet." in page  # a new link's reads start again
