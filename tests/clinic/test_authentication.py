"""Signing in (issue 6): lockout after repeated failures (django-axes), one message for a
wrong user or a wrong password, ASVS password rules, Argon2, TOTP two-factor."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "Wrong-password-123"


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_same_message_for_unknown_user_and_wrong_password(reception):
    client = Client()
    unknown = _login(client, "nobody-here", WRONG)
    wrong = _login(client, reception.username, WRONG)
    assert unknown.status_code == wrong.status_code == 200
    message = "The username or password is not right."
    assert message in unknown.content.decode()
    assert message in wrong.content.decode()
    # An inactive account says the same (no account enumeration).
    from tests.factories import UserFactory

    UserFactory(username="gone", is_active=False)
    assert message in _login(client, "gone", PASSWORD).content.decode()


def test_lockout_after_configured_failures_per_user_and_address(settings, reception):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, reception.username, WRONG).status_code == 200
    locked = _login(client, reception.username, WRONG)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    # Even the right password is refused while locked out.
    again = _login(client, reception.username, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Logged: who, from where, how many failures.
    attempt = AccessAttempt.objects.get(username=reception.username)
    assert attempt.ip_address == "10.9.8.7"
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    # Another address is not locked out by this one (per user + address).
    other = Client(REMOTE_ADDR="10.9.8.8")
    assert _login(other, reception.username, PASSWORD).status_code == 302


def test_successful_login_resets_failures(settings, reception):
    client = Client(REMOTE_ADDR="10.9.8.6")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, reception.username, WRONG)
    assert _login(client, reception.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, reception.username, WRONG).status_code == 200


# Passwords (ASVS 5.0 V6.2) ------------------------------------------------------------


def test_password_rules():
    with pytest.raises(ValidationError, match="at least 12"):
        validate_password("short-pass1")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
    # No composition rules: a long lower-case passphrase is fine; so are 64 characters.
    validate_password("orange kettle winter bicycle")
    validate_password("a quiet river runs under the old stone bridge at dawn, slowly ok")
    assert len("a quiet river runs under the old stone bridge at dawn, slowly ok") == 64
    validate_password("x" * 7 + "correct horse battery staple " * 4)
    with pytest.raises(ValidationError, match="too long"):
        validate_password("y" * 129)


def test_demo_and_fixture_passwords_pass_the_rules():
    validate_password(PASSWORD)
    validate_password("clinic-demo-2026")


def test_argon2_is_the_first_hasher_outside_tests():
    from clinic.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes(settings, reception):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    reception.set_password("a long enough passphrase")
    assert reception.password.startswith("argon2$argon2id$")
    assert reception.check_password("a long enough passphrase")


def test_password_change_page_applies_the_rules(reception_client):
    response = reception_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    response = reception_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "paper lantern tuesday",
            "new_password2": "paper lantern tuesday",
        },
    )
    assert response.status_code == 302


# Two-factor (django-otp TOTP) -----------------------------------------------------------


def _code(key_hex: str, offset: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _signed_in(user) -> Client:
    client = Client()
    assert _login(client, user.username, PASSWORD).status_code == 302
    return client


def test_otp_required_sends_practitioners_to_enrol_first(settings, practitioner):
    settings.OTP_REQUIRED = True
    client = _signed_in(practitioner)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    assert 'data-testid="totp-qr"' in page.content.decode()
    assert 'href="/patients/"' not in page.content.decode()  # no menu until enrolled
    key = client.session["_clinic_totp_pending_key"]
    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000"})
    assert "That code is not right" in wrong.content.decode()
    done = client.post("/accounts/two-factor/setup/", {"token": _code(key), "next": "/patients/"})
    assert done.status_code == 302 and done["Location"] == "/patients/"
    assert TOTPDevice.objects.get(user=practitioner).confirmed
    assert client.get("/patients/").status_code == 200


def test_otp_not_required_for_reception_nor_in_the_demo(settings, reception, practitioner):
    settings.OTP_REQUIRED = True
    assert _signed_in(reception).get("/patients/").status_code == 200
    settings.OTP_REQUIRED = False
    assert _signed_in(practitioner).get("/patients/").status_code == 200


def test_enrolled_user_enters_a_code_after_the_password(manager):
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    client = _signed_in(manager)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    # The code page offers no menu: each link would lead back to it. The account menu (to
    # sign out) stays.
    code_page = client.get("/accounts/two-factor/").content.decode()
    assert 'href="/patients/"' not in code_page and "Sign out" in code_page
    before = client.session.session_key
    bad = client.post("/accounts/two-factor/", {"token": "123456"})
    assert bad.status_code == 200
    # A wrong code throttles the device (django-otp: growing delay); wait it out.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    ok = client.post("/accounts/two-factor/", {"token": _code(device.key), "next": "/patients/"})
    assert ok.status_code == 302 and ok["Location"] == "/patients/"
    assert client.session.session_key != before  # rotated again after the second factor
    assert client.get("/patients/").status_code == 200
    assert 'href="/patients/"' in client.get("/").content.decode()  # the menu is back


def test_production_settings(monkeypatch):
    """Argon2 first, secure HttpOnly cookies, two-factor required (demo: optional)."""
    import importlib
    import sys

    from clinic.settings import base

    assert base.OTP_REQUIRED is False
    monkeypatch.setenv("DJANGO_SECRET_KEY", "p" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "clinic.example.org")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:9/db")
    monkeypatch.delenv("OTP_REQUIRED", raising=False)
    sys.modules.pop("clinic.settings.production", None)
    production = importlib.import_module("clinic.settings.production")
    try:
        assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert production.OTP_REQUIRED is True
        assert production.SESSION_COOKIE_SECURE and production.SESSION_COOKIE_HTTPONLY
        assert production.CSRF_COOKIE_SECURE and production.CSRF_COOKIE_HTTPONLY
        assert production.SECURE_CSP["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in production.SECURE_CSP["script-src"]
    finally:
        sys.modules.pop("clinic.settings.production", None)


def test_otp_required_is_granted_by_the_matrix():
    from clinic.roles import MATRIX, Role

    assert "clinic.requires_two_factor" in MATRIX[Role.PRACTITIONER]
    assert "clinic.requires_two_factor" in MATRIX[Role.MANAGER]
    assert "clinic.requires_two_factor" not in MATRIX[Role.RECEPTION]


def test_the_password_alone_cannot_replace_an_enrolled_authenticator(settings, practitioner):
    """Issue 10 (found by the ASVS review): after the password, before the code, the
    enrolment page must not let anyone swap in their own authenticator app."""
    settings.OTP_REQUIRED = True
    key = "3132333435363738393031323334353637383930"
    TOTPDevice.objects.create(user=practitioner, name="phone", key=key, confirmed=True)
    client = _signed_in(practitioner)  # password only: the code is still owed

    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 302
    assert page["Location"].split("?")[0] == "/accounts/two-factor/"  # the code, first
    attacker_key = client.session.get("_clinic_totp_pending_key")
    assert attacker_key is None
    forged = client.post("/accounts/two-factor/setup/", {"token": "123456"})
    assert forged.status_code == 302 and forged["Location"].split("?")[0] == "/accounts/two-factor/"
    assert list(TOTPDevice.objects.filter(user=practitioner).values_list("key", flat=True)) == [key]
    assert client.get("/patients/").status_code == 302  # still owes the code

    # With the current code the session is verified, and the app can then be replaced.
    assert client.post("/accounts/two-factor/", {"token": _code(key)}).status_code == 302
    assert client.get("/accounts/two-factor/setup/").status_code == 200
