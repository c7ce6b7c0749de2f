"""clinic.flash: messages that name nobody travel in a signed cookie (no session write);
every other message, a patient's name among them, stays in the server-side session."""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from clinic.flash import NAMES_NOBODY, SessionUnlessNamesNobodyStorage
from clinic.models import StaffSession
from clinic.session_store import SessionStore
from tests.factories import TreatmentSessionFactory
from tests.treatments.administration_flow import post_form, save_data

pytestmark = pytest.mark.django_db


def _request(cookies=None):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.COOKIES.update(cookies or {})
    request._messages = SessionUnlessNamesNobodyStorage(request)
    return request


def test_a_message_naming_nobody_goes_in_the_cookie_the_rest_in_the_session():
    request = _request()
    messages.success(request, "Draft saved.", extra_tags=NAMES_NOBODY)
    messages.success(request, "Archived Jane Doe. The record is kept.")
    response = HttpResponse()
    request._messages.update(response)
    cookie = response.cookies["messages"].value
    # What the cookie holds, read as Django reads it (its text is base64 and a signature,
    # where "Doe" can turn up by chance: a CI run failed on that once).
    in_cookie = CookieStorage(_request())._decode(cookie)
    assert [m.message for m in in_cookie] == ["Draft saved."]
    assert request.session.modified
    stored = request.session["_messages"]
    assert "Jane Doe" in stored and "Draft saved" not in stored

    # The next page shows both, then clears both.
    following = _request({"messages": cookie})
    following.session = request.session
    assert [str(m) for m in get_messages(following)] == [
        "Draft saved.",
        "Archived Jane Doe. The record is kept.",
    ]
    assert [m.level_tag for m in get_messages(following)] == ["success", "success"]
    response = HttpResponse()
    following._messages.update(response)
    assert response.cookies["messages"]["max-age"] == 0
    assert "_messages" not in following.session


def test_only_messages_naming_nobody_leave_the_session_untouched():
    request = _request()
    messages.info(request, "Session signed.", extra_tags=NAMES_NOBODY)
    request._messages.update(HttpResponse())
    assert not request.session.modified


def test_a_tampered_cookie_is_ignored():
    request = _request({"messages": "forged:value"})
    assert list(get_messages(request)) == []


@override_settings(SESSION_COOKIE_SECURE=True)
def test_over_https_the_cookie_is_host_prefixed_and_secure():
    request = _request()
    messages.success(request, "Draft saved.", extra_tags=NAMES_NOBODY)
    response = HttpResponse()
    request._messages.update(response)
    morsel = response.cookies["__Host-messages"]
    assert morsel["secure"] and morsel["httponly"] and morsel["path"] == "/"
    assert not morsel["domain"]


def test_a_draft_save_writes_no_session_row_and_its_message_shows(
    practitioner, practitioner_client
):
    session = TreatmentSessionFactory(practitioner=practitioner)
    data = save_data(practitioner_client, session)  # a page view: last activity written
    row = StaffSession.objects.get()
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    assert StaffSession.objects.get().session_data == row.session_data
    page = practitioner_client.get(response["Location"])
    assert "Draft saved." in page.content.decode()
    assert 'class="alert alert-success' in page.content.decode()
