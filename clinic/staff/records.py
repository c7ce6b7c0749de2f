"""The staff services' shared steps: the account locked, named, its role group, a history
row written, a registration applied, and a set-password link issued (emailed after the
commit, or returned to be shown). Used by clinic.staff.services and clinic.staff.approvals."""

import logging
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import Role
from clinic.staff.choices import StaffChangeKind
from clinic.staff.models import StaffChange, StaffProfile


@dataclass(frozen=True)
class PasswordLink:
    """A set-password link: `url` is shown once to the manager who asked for it, or is ""
    when it was only emailed. A link goes only to the account's address when it has one
    (a manager who opened it would choose the person's password: ARCHITECTURE's roles,
    "never set anyone's password"); it is shown only for a new account without one, to be
    handed over in person."""

    user: object
    url: str
    emailed_to: str  # the address it was sent to, or "" when the account has none
    in_use: bool = False  # the person had taken the account up (account_in_use)
    # A new practitioner's account whose role waits for a practitioner: no link yet (it is
    # issued to the practitioner who confirms the role, or to the account's address then).
    held: bool = False
    # Once the email was tried (after the transaction commits, before the view answers):
    # [True] sent, [False] not (the relay refused it or was unreachable).
    delivery: list = field(default_factory=list, compare=False)

    @property
    def not_sent(self) -> bool:
        """The email was tried and failed: nobody has the link (it is never shown then)."""
        return self.delivery == [False]


def account_in_use(user) -> bool:
    """Whether the person has taken the account up: a password chosen, a sign-in, or a
    confirmed authenticator app (`has_two_factor` when the staff selectors loaded it)."""
    if user.has_usable_password() or user.last_login is not None:
        return True
    has_two_factor = getattr(user, "has_two_factor", None)
    if has_two_factor is None:
        has_two_factor = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return has_two_factor


def _locked(user):
    """The account's row, locked until the transaction ends: two managers acting on one
    account at once are serialised, and each sees the other's result (role, active)."""
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _role_group(role: Role) -> Group:
    return Group.objects.get(name=Role(role).value)


def _record(*, actor, subject, kind: StaffChangeKind, from_role="", to_role="") -> StaffChange:
    change = StaffChange(
        actor=actor, subject=subject, kind=kind, from_role=from_role, to_role=to_role
    )
    change.full_clean()
    change.save()
    return change


def _apply_registration(profile: StaffProfile, *, by, was: str) -> StaffChange:
    profile.save()
    return _record(
        actor=by,
        subject=profile.user,
        kind=StaffChangeKind.DOCTOR_STATUS_CHANGED,
        from_role=was,
        to_role=profile.registration(),
    )


logger = logging.getLogger("clinic.staff.services")  # the name its lines always had


def _issue_link(
    *, issued_by, user, base_url: str, new_account: bool, show: bool = True, in_use: bool = False
) -> PasswordLink:
    path = reverse(
        "staff:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    url = base_url.rstrip("/") + path
    _record(actor=issued_by, subject=user, kind=StaffChangeKind.PASSWORD_LINK_ISSUED)
    if user.email:
        body = render_to_string(
            "staff/email/password_link.txt",
            {
                "user": user,
                "url": url,
                "new_account": new_account,
                "clinic_name": settings.CLINIC_NAME,
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
        subject = f"{settings.CLINIC_NAME}: choose your password"
    link = PasswordLink(user=user, url=url if show else "", emailed_to=user.email, in_use=in_use)
    if user.email:
        transaction.on_commit(
            lambda: link.delivery.append(_send(subject=subject, body=body, user=user))
        )
    return link


def _send(*, subject: str, body: str, user) -> bool:
    """Whether the relay took the email."""
    try:
        send_mail(subject, body, None, [user.email])
    except (SMTPException, OSError):
        # Never log the message or the exception text: they could carry the link. The
        # manager is told it was not sent (PasswordLink.not_sent) and asks again once
        # mail works.
        logger.warning("staff.password_link_not_sent user_id=%s", user.pk)
        return False
    return True
