"""Sessions (issue 6): 15 minutes idle and 12 hours in all, a warning before the idle
sign-out, a new session key at login, and sessions that end for good at logout or when
the user is deactivated. Time passes by moving the session's timestamps back."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from clinic.middleware import LOGIN_AT, SEEN_AT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age_session(client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN_AT] = now - idle
    session[LOGIN_AT] = now - since_login
    session.save()


def test_session_key_rotated_at_login(reception):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    client.post("/accounts/login/", {"username": reception.username, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert key != "attacker-chosen-session-id"
    before = Client()
    before.get("/accounts/login/")
    anonymous_key = before.session.session_key
    before.post("/accounts/login/", {"username": reception.username, "password": PASSWORD})
    assert before.session.session_key != anonymous_key


def test_idle_limit(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT - 30, since_login=3600)
    assert client.get("/patients/").status_code == 200  # 14.5 minutes: still in
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT + 1, since_login=3600)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    page = client.get(response["Location"])
    assert "signed out after 15 minutes without activity" in page.content.decode()
    assert client.get("/patients/").status_code == 302  # the session is gone


def test_activity_moves_the_idle_clock(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT - 30, since_login=3600)
    client.get("/patients/")  # activity: the clock restarts
    assert int(time.time()) - client.session[SEEN_AT] < 5


def test_absolute_limit_whatever_the_activity(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=5, since_login=settings.SESSION_ABSOLUTE_TIMEOUT - 60)
    assert client.get("/patients/").status_code == 200
    _age_session(client, idle=5, since_login=settings.SESSION_ABSOLUTE_TIMEOUT + 1)
    response = client.get("/patients/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "a session lasts at most 12 hours" in page.content.decode()


def test_htmx_request_after_idle_gets_a_full_page_redirect(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get("/patients/?q=smith", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_pages_carry_the_idle_warning_data(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=100, since_login=3600)
    html = client.get("/").content.decode()
    assert f'data-session-warning="{settings.SESSION_IDLE_WARNING}"' in html
    assert 'data-session-seconds-left="' in html
    assert 'data-session-ping="/accounts/session/ping/"' in html
    # Sign-in page: no countdown.
    assert "data-session-seconds-left" not in Client().get("/accounts/login/").content.decode()


def test_stay_signed_in_ping_restarts_the_idle_clock(settings, reception):
    client = _signed_in(reception)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT - 60, since_login=3600)
    response = client.post("/accounts/session/ping/")
    assert response.status_code == 200
    data = response.json()
    assert data["signed_in"] is True
    assert data["seconds_left"] == settings.SESSION_IDLE_TIMEOUT
    assert client.get("/accounts/session/ping/").status_code == 405
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT + 5)
    expired = client.post("/accounts/session/ping/")
    assert expired.status_code == 401 and expired.json()["signed_in"] is False


def test_replayed_session_cookie_fails_after_logout(reception):
    client = _signed_in(reception)
    cookie = client.cookies["sessionid"].value
    assert client.get("/patients/").status_code == 200
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_deactivating_a_user_ends_their_sessions(reception, manager):
    client = _signed_in(reception)
    other = _signed_in(manager)
    cookie = client.cookies["sessionid"].value
    assert client.get("/patients/").status_code == 200
    reception.is_active = False
    reception.save()
    assert not Session.objects.filter(session_key=cookie).exists()
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert other.get("/patients/").status_code == 200  # nobody else is signed out


def test_password_change_ends_other_sessions(reception):
    laptop, phone = _signed_in(reception), _signed_in(reception)
    laptop.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "paper lantern tuesday",
            "new_password2": "paper lantern tuesday",
        },
    )
    assert laptop.get("/patients/").status_code == 200
    assert phone.get("/patients/").status_code == 302
