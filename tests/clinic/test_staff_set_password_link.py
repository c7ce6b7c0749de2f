"""The staff page's one-time set-password link (issue 10): used once, validated, expiring
after 72 hours, emailed to an account in use and never logged, a deactivated person's
link dead, and two-factor enrolment at the first sign-in after it."""

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from clinic.staff.choices import StaffChangeKind
from clinic.staff.models import StaffChange
from tests.clinic.test_staff import (
    LINK_RE,
    NEW_PASSWORD,
    User,
    _kinds,
    _link_in,
    _link_in_text,
    _new_member_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed_link(manager_client, django_capture_on_commit_callbacks):
    """A new set-password link for an account in use, as its owner receives it."""

    def issue(member) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(reverse("staff:password_link", args=[member.pk]))
        assert response.status_code == 302
        assert not LINK_RE.search(response.content.decode())
        return _link_in_text(mail.outbox[-1].body)

    return issue


# The set-password link ----------------------------------------------------------------


def _use_link(link: str, password: str = NEW_PASSWORD) -> Client:
    """Open the link in a fresh browser and choose a password; returns that browser."""
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302  # the token moves from the URL into the session
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert browser.get(form_url).status_code == 200
    response = browser.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and response["Location"] == reverse("login"), response
    return browser


def test_the_link_sets_a_password_once_then_no_longer_works(manager_client):
    link = _link_in(manager_client.post("/staff/add/", _new_member_data()))
    browser = _use_link(link)
    member = User.objects.get(username="nadia.okoro")
    assert member.check_password(NEW_PASSWORD)
    assert _kinds(member)[-1] == StaffChangeKind.PASSWORD_SET
    assert StaffChange.objects.get(kind=StaffChangeKind.PASSWORD_SET).actor == member
    assert "Your password is set" in browser.get(reverse("login")).content.decode()

    again = Client().get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert "form" not in again.context or again.context["form"] is None


def test_the_set_password_page_applies_the_password_validators(manager_client):
    link = _link_in(manager_client.post("/staff/add/", _new_member_data()))
    browser = Client()
    form_url = browser.get(link)["Location"]
    response = browser.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.get(username="nadia.okoro").has_usable_password()


def test_an_expired_link_fails(manager_client, monkeypatch, settings):
    link = _link_in(manager_client.post("/staff/add/", _new_member_data()))
    later = PasswordResetTokenGenerator()._now() + timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    response = Client().get(link)
    assert response.status_code == 200 and "This link no longer works" in response.content.decode()


def test_link_timeout_is_72_hours(settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 72 * 60 * 60


def test_a_new_link_kills_none_and_a_used_link_kills_all(nurse, emailed_link):
    first = emailed_link(nurse)
    second = emailed_link(nurse)
    _use_link(second)
    assert "This link no longer works" in Client().get(first).content.decode()


def test_an_account_in_use_gets_its_link_by_email_only(manager_client, nurse, emailed_link):
    """A manager who could open the link would choose the person's password and sign in
    as them: for an account in use it goes only to the address on the account (found by
    review, 04/12/2026). Only a new account without an address shows its link."""
    page = manager_client.get(reverse("staff:detail", args=[nurse.pk])).content.decode()
    assert "Email a new set-password link" in page and "priya@clinic.invalid" in page
    link = emailed_link(nurse)
    assert mail.outbox[-1].to == ["priya@clinic.invalid"]
    followed = manager_client.get(reverse("staff:detail", args=[nurse.pk])).content.decode()
    assert "emailed to priya@clinic.invalid" in followed and link not in followed
    assert _kinds(nurse)[-1] == StaffChangeKind.PASSWORD_LINK_ISSUED
    _use_link(link)
    nurse.refresh_from_db()
    assert nurse.check_password(NEW_PASSWORD)


def _link_button_token(client, member) -> str:
    """The one-time token of the detail page's set-password link button."""
    page = client.get(reverse("staff:detail", args=[member.pk])).content.decode()
    button = page.split(f'action="{reverse("staff:password_link", args=[member.pk])}"', 1)[1]
    match = re.search(
        r'name="submission_token" value="([0-9a-f-]{36})"', button.split("</form>")[0]
    )
    assert match, "the button carries its one-time token"
    return match.group(1)


def test_a_double_click_on_a_new_link_issues_one_and_does_not_show_it_again(manager_client):
    """A double-click, or the link's page reloaded and its form resent: one link (one
    record), and the second answer says how to get another rather than showing none."""
    manager_client.post("/staff/add/", _new_member_data())
    member = User.objects.get(username="nadia.okoro")
    url = reverse("staff:password_link", args=[member.pk])
    token = _link_button_token(manager_client, member)
    first = manager_client.post(url, {"submission_token": token})
    assert first.status_code == 200
    link = _link_in(first)
    second = manager_client.post(url, {"submission_token": token})
    assert second.status_code == 302
    assert second["Location"] == reverse("staff:detail", args=[member.pk])
    page = manager_client.get(second["Location"]).content.decode()
    assert "not shown again" in page and link not in page
    issued = [StaffChangeKind.CREATED, StaffChangeKind.PASSWORD_LINK_ISSUED]
    assert _kinds(member) == [*issued, StaffChangeKind.PASSWORD_LINK_ISSUED]
    # A fresh press (a new token: the page shown again) is a new link, as asked.
    fresh = manager_client.post(
        url, {"submission_token": _link_button_token(manager_client, member)}
    )
    assert fresh.status_code == 200 and _link_in(fresh)
    assert _kinds(member) == [*issued, *[StaffChangeKind.PASSWORD_LINK_ISSUED] * 2]


def test_a_double_click_emails_an_account_in_use_one_link(
    manager_client, nurse, django_capture_on_commit_callbacks
):
    url = reverse("staff:password_link", args=[nurse.pk])
    token = _link_button_token(manager_client, nurse)
    with django_capture_on_commit_callbacks(execute=True):
        first = manager_client.post(url, {"submission_token": token})
        second = manager_client.post(url, {"submission_token": token})
    assert first.status_code == second.status_code == 302
    assert len(mail.outbox) == 1
    assert _kinds(nurse).count(StaffChangeKind.PASSWORD_LINK_ISSUED) == 1


@pytest.mark.parametrize("taken_up", ["password", "signed in", "authenticator"])
def test_an_account_in_use_without_an_address_gets_no_link(
    manager_client, nurse, taken_up, django_capture_on_commit_callbacks
):
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    nurse.email = ""
    if taken_up != "password":
        nurse.set_unusable_password()
    if taken_up == "signed in":
        nurse.last_login = timezone.now()
    nurse.save()
    if taken_up == "authenticator":
        TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    page = manager_client.get(reverse("staff:detail", args=[nurse.pk])).content.decode()
    assert "the system administrator resets the password" in page
    assert reverse("staff:password_link", args=[nurse.pk]) not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("staff:password_link", args=[nurse.pk]))
    assert response.status_code == 302 and not mail.outbox
    assert "has no email address" in manager_client.get(response["Location"]).content.decode()
    assert StaffChangeKind.PASSWORD_LINK_ISSUED not in _kinds(nurse)


def test_a_deactivated_persons_link_does_not_work(manager_client, nurse, emailed_link):
    link = emailed_link(nurse)
    manager_client.post(reverse("staff:deactivate", args=[nurse.pk]))
    assert "This link no longer works" in Client().get(link).content.decode()


def test_a_signed_in_visitor_cannot_use_someone_elses_link(manager_client):
    link = _link_in(manager_client.post("/staff/add/", _new_member_data()))
    response = manager_client.get(link)
    assert response.status_code == 200 and "You are signed in as" in response.content.decode()
    _use_link(link)  # not consumed: the person can still use it


def test_a_new_accounts_link_goes_only_to_its_address_when_it_has_one(
    manager_client, django_capture_on_commit_callbacks
):
    """A manager who opened the link would choose the person's password (ARCHITECTURE:
    a manager never sets anyone's password): with an address on the account, the link is
    emailed and never shown, on adding it or later from its page. Only an account
    without one shows its link, for the manager to hand over."""
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            "/staff/add/", _new_member_data(email="nadia@clinic.invalid")
        )
    page = response.content.decode()
    assert response.status_code == 200 and not LINK_RE.search(page)
    assert "emailed to <strong>nadia@clinic.invalid</strong>" in page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia@clinic.invalid"] and "nadia.okoro" in mail.outbox[0].body
    member = User.objects.get(username="nadia.okoro")
    # Not yet taken up, and asked for again from its page: emailed again, not shown.
    detail = manager_client.get(reverse("staff:detail", args=[member.pk])).content.decode()
    assert "Email a new set-password link" in detail and "never shown here" in detail
    with django_capture_on_commit_callbacks(execute=True):
        again = manager_client.post(reverse("staff:password_link", args=[member.pk]))
    assert again.status_code == 302 and len(mail.outbox) == 2
    followed = manager_client.get(again["Location"]).content.decode()
    assert "emailed to nadia@clinic.invalid" in followed and not LINK_RE.search(followed)
    assert "current password" not in followed  # none yet
    _use_link(_link_in_text(mail.outbox[1].body))
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    # Without an address the link is shown (the only way to hand it over), and not sent.
    with django_capture_on_commit_callbacks(execute=True):
        shown = manager_client.post("/staff/add/", _new_member_data(username="no.mail"))
    assert _link_in(shown) and "hand the link over yourself" in shown.content.decode()
    assert len(mail.outbox) == 2


def test_the_link_is_never_written_to_a_log_record(
    manager_client, nurse, caplog, monkeypatch, emailed_link
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    # Every SQL statement and its parameters become log records too, as with DEBUG on.
    monkeypatch.setattr(connections["default"], "force_debug_cursor", True)
    response = manager_client.post("/staff/add/", _new_member_data())
    link = _link_in(response)
    reset = emailed_link(nurse)
    _use_link(link)
    Client().get(link)  # a used link, once more
    tokens = [url.rstrip("/").rsplit("/", 1)[1] for url in (link, reset)]
    assert caplog.records, "logging was captured"
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + repr(record.__dict__)
        for token in tokens:
            assert token not in text, record.name


@override_settings(OTP_REQUIRED=True)
def test_a_new_practitioner_enrols_two_factor_at_first_sign_in_after_the_link(
    manager, manager_client
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # The manager's own session passes the two-factor gate (as after their code).
    TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)
    session = manager_client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=manager).persistent_id
    session.save()
    manager_client.post("/staff/add/", _new_member_data(role="Practitioner"))
    # Another practitioner confirms the role (a manager's grant waits for one) and is
    # given the link to hand over.
    from clinic.staff.models import StaffApproval
    from tests.factories import UserFactory

    colleague = Client()
    confirmer = UserFactory(username="colleague", role="Practitioner")
    colleague.force_login(confirmer)
    device = TOTPDevice.objects.create(user=confirmer, name="Authenticator app", confirmed=True)
    session = colleague.session
    session["otp_device_id"] = device.persistent_id  # past the two-factor gate, as above
    session.save()
    link = _link_in(
        colleague.post(
            reverse("staff:approval_decide", args=[StaffApproval.objects.get().pk]),
            {"decision": "confirm"},
        )
    )
    browser = _use_link(link)
    response = browser.post(
        "/accounts/login/", {"username": "nadia.okoro", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    response = browser.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.django_db(transaction=True)
def test_a_link_the_relay_refused_is_said_not_sent(manager, nurse, monkeypatch):
    """The link goes only to the address, so when the email fails nobody has it: the
    manager is told so, not "emailed to" (the email is tried as the write commits, before
    the page answers: a transactional test, so that the commit happens)."""
    from smtplib import SMTPException

    from clinic.staff import records  # where the link is issued and mailed

    def refuse(*args, **kwargs):
        raise SMTPException("relay down")

    monkeypatch.setattr(records, "send_mail", refuse)
    client = Client()
    client.force_login(manager)
    response = client.post("/staff/add/", _new_member_data(email="nadia@clinic.invalid"))
    page = response.content.decode()
    assert 'data-testid="link-not-sent"' in page and "could not be sent" in page
    assert not LINK_RE.search(page) and 'data-testid="link-emailed"' not in page
    again = client.post(reverse("staff:password_link", args=[nurse.pk]), follow=True)
    said = again.content.decode()
    assert "The email to priya@clinic.invalid could not be sent" in said
    assert "was emailed to" not in said
