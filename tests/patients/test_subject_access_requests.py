"""Subject access requests, after the review: dates that cannot be (a request "received"
in 9999 once made its deadline crash every page that showed it), a request sent twice,
a copy made by a GET, two managers editing one request."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from clinic.idempotency import REPLAYED_MESSAGE, UNCHECKED_SUBMISSION_MESSAGE
from clinic.inputs import STALE_PAGE_MESSAGE
from clinic.models import AccessEvent
from patients.models import SubjectAccessCopy, SubjectAccessRequest
from patients.retention import add_months, sar_due_on
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(patient, suffix=""):
    return f"/patients/{patient.public_id}/subject-access/{suffix}"


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# The form refuses dates that cannot be -------------------------------------------------


@pytest.mark.parametrize(
    ("received", "message"),
    [
        ("20/12/9999", "The date received cannot be in the future."),
        (None, "The date received cannot be in the future."),  # tomorrow
        ("05/03/1026", "Please check the year: the date received cannot be before 2000."),
    ],
)
def test_sar_form_refuses_a_received_date_in_the_future_or_long_ago(
    manager_client, patient, received, message
):
    received = received or _uk(timezone.localdate() + timedelta(days=1))
    data = {"requester": "The patient", "received_on": received, "status": "open"}

    response = manager_client.post(_url(patient), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{received}"' in html  # what was typed is still there
    assert not SubjectAccessRequest.objects.exists()
    # and the pages that show requests still work
    assert manager_client.get(_url(patient)).status_code == 200
    assert manager_client.get(patient.get_absolute_url()).status_code == 200


def test_sar_form_refuses_an_identity_check_in_the_future(manager_client, patient):
    today = timezone.localdate()
    data = {
        "requester": "The patient",
        "received_on": _uk(today),
        "identity_verified_on": "01/01/9999",
        "status": "open",
    }

    response = manager_client.post(_url(patient), data)

    assert response.status_code == 200
    assert "The date identity was verified cannot be in the future." in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_sar_edit_refuses_a_date_in_the_future(manager_client, manager, patient):
    sar = SubjectAccessRequest.objects.create(
        patient=patient, received_on=date(2026, 1, 5), recorded_by=manager
    )
    data = {
        "requester": "The patient",
        "received_on": "05/01/2026",
        "identity_verified_on": "31/12/9999",
        "status": "open",
    }

    response = manager_client.post(_url(patient, f"{sar.pk}/"), data)

    assert response.status_code == 200
    assert "The date identity was verified cannot be in the future." in response.content.decode()
    sar.refresh_from_db()
    assert sar.identity_verified_on is None


# A deadline past the calendar's end never breaks a page ---------------------------------


def test_add_months_past_the_last_day_of_the_calendar_is_that_day():
    assert add_months(date(9999, 12, 20), 1) == date.max
    assert add_months(date(9999, 11, 20), 3) == date.max
    assert add_months(date(9999, 10, 20), 1) == date(9999, 11, 20)


def test_a_request_stored_in_year_9999_has_a_deadline():
    sar = SubjectAccessRequest(received_on=date(9999, 12, 20))
    assert sar_due_on(sar) == date.max


def test_pages_with_a_request_stored_in_year_9999_still_work(manager, patient, reception):
    """A row stored before the form refused such dates (or by the admin)."""
    sar = SubjectAccessRequest.objects.create(
        patient=patient, received_on=date(9999, 12, 20), recorded_by=manager
    )
    manager_client = client_for(manager)
    for url in (_url(patient), _url(patient, f"{sar.pk}/"), patient.get_absolute_url()):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert "31/12/9999" in response.content.decode(), url
    assert client_for(reception).get(patient.get_absolute_url()).status_code == 200


# Sent twice, a new request is logged once ------------------------------------------------

TOKEN_INPUT = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')


def test_a_request_sent_twice_is_logged_once(manager_client, patient):
    page = manager_client.get(_url(patient)).content.decode()
    token = TOKEN_INPUT.search(page)
    assert token, "the form carries no one-time submission token"
    data = {
        "requester": "The patient",
        "received_on": _uk(timezone.localdate()),
        "status": "open",
        "submission_token": token.group(1),
    }

    first = manager_client.post(_url(patient), data)
    second = manager_client.post(_url(patient), data, follow=True)

    assert first.status_code == 302 and first["Location"] == _url(patient)
    assert second.redirect_chain[0][0] == first["Location"]
    assert REPLAYED_MESSAGE in second.content.decode()
    assert SubjectAccessRequest.objects.filter(patient=patient).count() == 1


def test_a_refused_request_keeps_its_token(manager_client, patient):
    token = TOKEN_INPUT.search(manager_client.get(_url(patient)).content.decode()).group(1)
    data = {"requester": "The patient", "received_on": "20/12/9999", "status": "open"}
    refused = manager_client.post(_url(patient), {**data, "submission_token": token})
    assert f'name="submission_token" value="{token}"' in refused.content.decode()


# The JSON copy is made by a button, once ---------------------------------------------------


def _verified(patient, manager):
    return SubjectAccessRequest.objects.create(
        patient=patient,
        received_on=date(2026, 1, 5),
        identity_verified_on=date(2026, 1, 6),
        recorded_by=manager,
    )


def test_a_get_of_the_json_copy_makes_nothing(
    manager_client, manager, patient, django_capture_on_commit_callbacks
):
    sar = _verified(patient, manager)
    url = _url(patient, f"{sar.pk}/copy.json")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        responses = [manager_client.get(url) for _ in range(2)]

    assert [r.status_code for r in responses] == [405, 405]
    assert 'data-testid="method-not-allowed"' in responses[0].content.decode()  # the friendly page
    assert responses[0]["Allow"] == "POST"
    assert not SubjectAccessCopy.objects.exists()
    assert not queued
    assert not AccessEvent.objects.filter(action="patient.sar_export").exists()


def test_the_json_button_sent_twice_makes_one_copy(
    manager_client, manager, patient, django_capture_on_commit_callbacks
):
    sar = _verified(patient, manager)
    page = manager_client.get(_url(patient)).content.decode()
    button = re.search(
        r'<form method="post" action="([^"]+/copy\.json)"[^>]*>'
        r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>'
        r'<input type="hidden" name="submission_token" value="([0-9a-f-]{36})"',
        page,
    )
    assert button, "the JSON copy is a form's button with a one-time token"
    url, token = button.groups()
    assert url == _url(patient, f"{sar.pk}/copy.json")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = manager_client.post(url, {"submission_token": token})
        second = manager_client.post(url, {"submission_token": token})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == _url(patient)
    assert SubjectAccessCopy.objects.filter(request=sar, kind="json").count() == 1
    assert len(queued) == 1  # one file written by the worker
    # One disclosure in the access log too: a replayed or mangled button made nothing.
    manager_client.post(url, {"submission_token": "not-a-token"})
    exports = AccessEvent.objects.filter(action="patient.sar_export", patient=patient)
    assert exports.count() == 1


# The readable copy: a button too (a GET, a link preview or a prefetch, made a copy) -------


def test_a_get_of_the_readable_copy_makes_nothing(manager_client, manager, patient):
    sar = _verified(patient, manager)
    url = _url(patient, f"{sar.pk}/copy/")

    responses = [manager_client.get(url) for _ in range(2)]

    assert [r.status_code for r in responses] == [405, 405]
    assert 'data-testid="method-not-allowed"' in responses[0].content.decode()
    # Nothing of the record: its number, the patient's name (a family name alone can be a
    # staff member's too, shown in the header).
    page = responses[0].content.decode()
    assert patient.record_number not in page and escape(patient.full_name) not in page
    assert not SubjectAccessCopy.objects.exists()
    assert not AccessEvent.objects.filter(action="patient.sar_print").exists()


def test_the_readable_copy_button_sent_twice_makes_one_copy(manager_client, manager, patient):
    sar = _verified(patient, manager)
    page = manager_client.get(_url(patient)).content.decode()
    buttons = re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>'
        r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>'
        r'<input type="hidden" name="submission_token" value="([0-9a-f-]{36})"',
        page,
    )
    found = dict(buttons)
    url = _url(patient, f"{sar.pk}/copy/")
    assert url in found, "the readable copy is a form's button with a one-time token"
    token = found[url]
    assert token != found[_url(patient, f"{sar.pk}/copy.json")]  # each button its own

    first = manager_client.post(url, {"submission_token": token})
    second = manager_client.post(url, {"submission_token": token})

    assert first.status_code == 200
    assert "The records" in first.content.decode()
    # As the page shows it: an O'Connor is O&#x27;Connor in the HTML.
    assert escape(patient.family_name) in first.content.decode()
    assert second.status_code == 302 and second["Location"] == _url(patient)
    assert REPLAYED_MESSAGE in [str(m) for m in second.wsgi_request._messages]
    assert SubjectAccessCopy.objects.filter(request=sar, kind="print").count() == 1
    assert AccessEvent.objects.filter(action="patient.sar_print", patient=patient).count() == 1
    # A mangled button makes nothing, logs nothing, and says what every form says.
    mangled = manager_client.post(url, {"submission_token": "not-a-token"})
    assert mangled.status_code == 302 and mangled["Location"] == _url(patient)
    assert UNCHECKED_SUBMISSION_MESSAGE in [str(m) for m in mangled.wsgi_request._messages]
    assert SubjectAccessCopy.objects.filter(request=sar, kind="print").count() == 1
    assert AccessEvent.objects.filter(action="patient.sar_print", patient=patient).count() == 1


# Two managers editing one request ----------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_an_edit_without_a_readable_version_is_refused_with_the_entries_kept(
    manager_client, manager, patient, version
):
    """The refusal is said above the form (a hidden field's error showed nowhere: the
    form came back with no word of why)."""
    sar = SubjectAccessRequest.objects.create(
        patient=patient, received_on=date(2026, 1, 5), recorded_by=manager
    )
    data = {
        "requester": "The patient",
        "received_on": "05/01/2026",
        "status": "open",
        "identity_verified_on": "",
        "notes": "called patient",
    }
    if version is not None:
        data["version"] = version
    response = manager_client.post(_url(patient, f"{sar.pk}/"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "called patient" in page
    sar.refresh_from_db()
    assert (sar.notes, sar.version) == ("", 1)


def test_a_stale_edit_never_undoes_anothers_change(manager_client, manager, patient):
    from tests.factories import UserFactory

    sar = SubjectAccessRequest.objects.create(
        patient=patient, received_on=date(2026, 1, 5), recorded_by=manager
    )
    edit = _url(patient, f"{sar.pk}/")
    other = client_for(UserFactory(username="m2", role="Manager"))
    version = re.compile(r'name="version" value="(\d+)"')
    # both open the edit page
    a_version = version.search(manager_client.get(edit).content.decode()).group(1)
    b_version = version.search(other.get(edit).content.decode()).group(1)
    data = {"requester": "The patient", "received_on": "05/01/2026", "status": "open"}
    # A records the identity check
    a = manager_client.post(
        edit, {**data, "identity_verified_on": "06/01/2026", "notes": "", "version": a_version}
    )
    assert a.status_code == 302

    # B, on the page opened before, adds a note
    b = other.post(
        edit, {**data, "identity_verified_on": "", "notes": "called patient", "version": b_version}
    )

    assert b.status_code == 200
    html = b.content.decode()
    assert "Not saved yet:" in html and 'id="edit-conflict"' in html
    assert "called patient" in html  # B's note, kept in the form
    assert 'value="06/01/2026"' in html  # A's check, now in the form too
    sar.refresh_from_db()
    assert sar.identity_verified_on == date(2026, 1, 6)  # A's change stands
    assert sar.notes == ""
    assert sar.version == 2
    # B saves again from the merged form: both changes kept
    again = version.search(html).group(1)
    saved = other.post(
        edit,
        {**data, "identity_verified_on": "06/01/2026", "notes": "called patient", "version": again},
    )
    assert saved.status_code == 302
    sar.refresh_from_db()
    assert (sar.identity_verified_on, sar.notes, sar.version) == (
        date(2026, 1, 6),
        "called patient",
        3,
    )


def test_the_request_actions_wrap_on_an_ipad(manager_client, manager, patient):
    # At 820 px the one-line "Copy available once identity is verified" pushed the Update
    # link off the screen. The cell stays on one line only from 992 px.
    from pathlib import Path

    from django.conf import settings

    SubjectAccessRequest.objects.create(
        patient=patient,
        requester="The patient",
        received_on=timezone.localdate(),
        recorded_by=manager,
    )
    page = manager_client.get(_url(patient)).content.decode()
    assert '<td class="text-end sar-actions">' in page
    assert "text-nowrap" not in page[page.index("<table") : page.index("</table>")]
    css = (Path(settings.BASE_DIR) / "clinic/static/clinic/app.css").read_text()
    assert "@media (max-width: 991.98px) { .sar-actions { white-space: normal; } }" in css
