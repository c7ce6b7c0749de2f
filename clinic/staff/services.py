"""Writes to staff accounts: the only code that creates them, changes their role,
deactivates or reactivates them, or issues a set-password link. Each writes its
StaffChange row in the same transaction.

What no service here does, by design: set is_superuser, is_staff or individual
permissions, put a user in any group but exactly one role group of clinic/roles.py, or
set another person's password (a one-time link lets the person choose it). Superusers are
made with `manage.py createsuperuser` and managed by superusers in the admin only.

Clinical authority takes two people: the Practitioner role and a professional registration
granted by a manager wait for a practitioner to confirm them (StaffApproval; security
review 07/12/2026: a manager made a practitioner account, took its link and treated
patients with it). A superuser's grants take effect at once.

A link is shown to the manager only for an account nobody has taken up yet (the manager
hands it over). For an account in use, the link goes only to the address on the account:
a manager who could open it would choose that person's password and sign in as them
(found by review, 04/12/2026).
"""

import logging

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.roles import Role
from clinic.staff import selectors
from clinic.staff.approvals import (  # noqa: F401 - the views' names for them
    Decision,
    _ask,
    _needs_confirmation,
    _withdraw_waiting,
    may_decide,
    staff_approval_decide,
    system_administrator,
)
from clinic.staff.choices import ApprovalKind, ApprovalOutcome, StaffChangeKind
from clinic.staff.models import StaffApproval, StaffChange
from clinic.staff.records import (
    PasswordLink,
    _apply_registration,
    _issue_link,
    _locked,
    _name,
    _record,
    _role_group,
    account_in_use,
)
from clinic.staff.selectors import current_role_of, staff_profile_of

logger = logging.getLogger(__name__)


def staff_may_change(*, actor, user) -> bool:
    """Whether `actor` may act on `user`'s account at all (the rule the services enforce;
    the detail page uses it to offer the actions or say why not)."""
    return (actor.is_superuser or not user.is_superuser) and user.pk != actor.pk


def _refuse_unless_may_change(*, actor, user, action: str) -> None:
    if staff_may_change(actor=actor, user=user):
        return
    if user.is_superuser and not actor.is_superuser:
        raise ValidationError(
            f"{_name(user)} is a superuser: only a superuser can {action} that account."
        )
    if user.pk == actor.pk:
        raise ValidationError(
            f"You cannot {action} your own account: ask another manager to do it."
        )


@transaction.atomic
def staff_create(
    *,
    created_by,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    role: Role,
    base_url: str,
) -> PasswordLink:
    """A new account with one role and no usable password, and its set-password link."""
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is already in use."})
    if email and user_model.objects.filter(email__iexact=email.strip()).exists():
        # The set-password link goes to it: one's own address on a new account would give
        # its creator the password (second review 07/12/2026).
        raise ValidationError(
            {"email": "That address is another account's: each person has their own."}
        )
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    if _needs_confirmation(actor=created_by, role=role):
        # No role until a practitioner confirms it, and no link for the manager: whoever
        # holds the link chooses the password (review 07/12/2026: the manager set it and
        # signed in as the doctor a colleague then confirmed). The confirming practitioner
        # hands it over, or it goes to the account's address, when the role is confirmed.
        _record(actor=created_by, subject=user, kind=StaffChangeKind.CREATED)
        _ask(asked_by=created_by, user=user, kind=ApprovalKind.ROLE, change={"role": role.value})
        return PasswordLink(user=user, url="", emailed_to="", held=True)
    else:
        user.groups.set([_role_group(role)])
        _record(
            actor=created_by, subject=user, kind=StaffChangeKind.CREATED, to_role=Role(role).value
        )
    return _issue_link(
        issued_by=created_by, user=user, base_url=base_url, new_account=True, show=not email
    )


@transaction.atomic
def staff_record_created(*, created_by, user) -> StaffChange:
    """The "created" row for an account made outside the staff page (the demo seed)."""
    return _record(
        actor=created_by, subject=user, kind=StaffChangeKind.CREATED, to_role=current_role_of(user)
    )


def _refuse_if_changed_meanwhile(
    user, what: str, *, shown: str | None, now: str, then: str, reads: str | None = None
) -> None:
    """What the manager's page showed (`shown`; None: not sent by a page) against what
    the account holds `now`: another manager changed it since, so nothing is overwritten."""
    if shown is not None and shown != now:
        raise ValidationError(
            f"{_name(user)}'s {what} was changed to {reads or now} by someone else since you "
            f"opened this page. Check it and {then}."
        )


@transaction.atomic
def staff_change_role(
    *, changed_by, user, role: Role, shown_role: str | None = None
) -> StaffChange:
    """Replace the user's groups by exactly the one role group. `shown_role`: the role the
    manager's page showed; refused when another manager changed it since."""
    user = _locked(user)
    _refuse_unless_may_change(actor=changed_by, user=user, action="change the role of")
    before, after = current_role_of(user), Role(role).value
    _refuse_if_changed_meanwhile(
        user, "role", shown=shown_role, now=before, reads=before or "none", then="choose again"
    )
    if before == after:
        raise ValidationError(f"{_name(user)} already has the role {after}.")
    _withdraw_waiting(user=user, kind=ApprovalKind.ROLE, by=changed_by)
    if after != Role.PRACTITIONER.value:  # a registration only a practitioner uses
        _withdraw_waiting(user=user, kind=ApprovalKind.REGISTRATION, by=changed_by)
    if _needs_confirmation(actor=changed_by, role=role):
        return _ask(
            asked_by=changed_by,
            user=user,
            kind=ApprovalKind.ROLE,
            change={"role": after},
            was=before,
        )
    user.groups.set([_role_group(role)])
    change = _record(
        actor=changed_by,
        subject=user,
        kind=StaffChangeKind.ROLE_CHANGED,
        from_role=before,
        to_role=after,
    )
    if before == Role.PRACTITIONER.value:
        _registration_ends(user, by=changed_by)
    return change


def _registration_ends(user, *, by) -> None:
    """Leaving the Practitioner role ends a professional registration on record: it is
    recorded again, and confirmed again, if they come back (second review 07/12/2026: a
    demoted doctor re-promoted directed children's treatment again on a GMC number nobody
    had looked at since)."""
    profile = staff_profile_of(user)
    if profile.pk is None or not profile.is_regulated:
        return
    was = profile.registration()
    profile.registered_medical_practitioner, profile.gmc_number = False, ""
    profile.regulated_profession, profile.registration_number = "", ""
    _apply_registration(profile, by=by, was=was)


@transaction.atomic
def staff_set_registration(
    *,
    changed_by,
    user,
    registered_medical_practitioner: bool,
    gmc_number: str = "",
    regulated_profession: str = "",
    registration_number: str = "",
    shown_registration: str | None = None,
) -> StaffChange:
    """Record the practitioner's professional registration, which DOMAIN §10 rule 29b reads
    before a patient under 18 is treated: a registered medical practitioner (GMC), and/or a
    regulated health professional in the sense of the Botulinum Toxin and Cosmetic Fillers
    (Children) Act 2021 s1(7) (nurse, dentist, pharmacist), who may treat on a doctor's
    directions. Practitioners only. `shown_registration`: the registration the manager's
    page showed; refused when another manager changed it since."""
    user = _locked(user)
    _refuse_unless_may_change(actor=changed_by, user=user, action="change the registration of")
    if (registered_medical_practitioner or regulated_profession) and current_role_of(
        user
    ) != Role.PRACTITIONER.value:
        raise ValidationError(
            f"{_name(user)} is not a practitioner: only a practitioner treats patients."
        )
    profile = staff_profile_of(user)
    before = profile.registration()
    _refuse_if_changed_meanwhile(
        user,
        "professional registration",
        shown=shown_registration,
        now=before,
        then="record it again",
    )
    profile.registered_medical_practitioner = registered_medical_practitioner
    profile.gmc_number = (gmc_number or "").strip() if registered_medical_practitioner else ""
    profile.regulated_profession = regulated_profession or ""
    profile.registration_number = (
        (registration_number or "").strip().upper() if regulated_profession else ""
    )
    after = profile.registration()
    if before == after:
        raise ValidationError(f"Nothing changed: {_name(user)} is already recorded so.")
    profile.full_clean()
    _withdraw_waiting(user=user, kind=ApprovalKind.REGISTRATION, by=changed_by)
    if system_administrator(changed_by) or not profile.is_regulated:  # taken away: at once
        return _apply_registration(profile, by=changed_by, was=before)
    return _ask(
        asked_by=changed_by,
        user=user,
        kind=ApprovalKind.REGISTRATION,
        change={
            "registered_medical_practitioner": profile.registered_medical_practitioner,
            "gmc_number": profile.gmc_number,
            "regulated_profession": profile.regulated_profession,
            "registration_number": profile.registration_number,
        },
        reads=after,
        was=before,
    )


@transaction.atomic
def staff_deactivate(*, deactivated_by, user) -> StaffChange:
    """Signs them out everywhere: saving is_active=False fires
    clinic.signals.end_sessions_of_deactivated_user, which deletes their sessions."""
    user = _locked(user)
    _refuse_unless_may_change(actor=deactivated_by, user=user, action="deactivate")
    if not user.is_active:
        raise ValidationError(f"{_name(user)} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    return _record(actor=deactivated_by, subject=user, kind=StaffChangeKind.DEACTIVATED)


@transaction.atomic
def staff_reactivate(*, reactivated_by, user) -> StaffChange:
    user = _locked(user)
    _refuse_unless_may_change(actor=reactivated_by, user=user, action="reactivate")
    if user.is_active:
        raise ValidationError(f"{_name(user)} is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    change = _record(actor=reactivated_by, subject=user, kind=StaffChangeKind.REACTIVATED)
    if (
        not system_administrator(reactivated_by)
        and current_role_of(user) == Role.PRACTITIONER.value
    ):
        # Back from leaving: a practitioner confirms they practise here again (review
        # 07/12/2026: reactivation gave clinical authority back on a manager's word alone).
        user.groups.set([])
        _registration_ends(user, by=reactivated_by)
        _ask(
            asked_by=reactivated_by,
            user=user,
            kind=ApprovalKind.ROLE,
            change={"role": Role.PRACTITIONER.value, "returning": True},
        )
    return change


@transaction.atomic
def staff_issue_password_link(*, issued_by, user, base_url: str) -> PasswordLink:
    """A one-time link for the person to choose a (new) password. Their current password,
    if any, keeps working until they use it; the link dies once the password changes and
    after settings.PASSWORD_RESET_TIMEOUT."""
    user = _locked(user)
    _refuse_unless_may_change(actor=issued_by, user=user, action="issue a password link for")
    if not user.is_active:
        raise ValidationError(f"{_name(user)} is deactivated: reactivate the account first.")
    refusal = password_link_refusal(issued_by=issued_by, user=user)
    if refusal:
        raise ValidationError(refusal)
    in_use = account_in_use(user)
    return _issue_link(
        issued_by=issued_by,
        user=user,
        base_url=base_url,
        new_account=False,
        # Shown only for an account nobody uses yet, without an address, not clinical
        # (password_link_refusal refused a practitioner's to anyone but a superuser).
        show=not (in_use or user.email or _clinical(user)),
        in_use=in_use,
    )


def password_link_refusal(*, issued_by, user) -> str:
    """Why `issued_by` may not have a set-password link issued for `user` ("" when they
    may): the one rule for the service above and the account page, which offers the
    button only when this is empty. Uses the staff selectors' `role_groups` and
    `awaits_confirmation` when loaded (no query then)."""
    name = _name(user)
    if account_in_use(user) and not user.email:
        return (
            f"{name}'s account has no email address, so a new set-password link cannot "
            "reach them: the system administrator resets the password."
        )
    if system_administrator(issued_by):
        return ""
    if _role_waiting(user):
        return (
            f"{name}'s Practitioner role waits for a practitioner's confirmation: their "
            "set-password link is issued then, to that practitioner to hand over"
            + (f", or to {user.email}." if user.email else ".")
        )
    if _clinical(user) and not user.email:
        return (
            f"{name} is a practitioner with no email address on their account: a manager is "
            "never shown a practitioner's link (whoever holds it chooses the password), so "
            "the system administrator issues it."
        )
    return ""


def _role_waiting(user) -> bool:
    waiting = getattr(user, "role_awaits_confirmation", None)  # the staff selectors'
    if waiting is not None:
        return waiting
    return StaffApproval.objects.filter(
        subject=user, kind=ApprovalKind.ROLE, outcome=ApprovalOutcome.WAITING
    ).exists()


def _clinical(user) -> bool:
    """A practitioner, or an account whose Practitioner role waits for confirmation."""
    return selectors.role_of(user) == Role.PRACTITIONER.value or _role_waiting(user)


@transaction.atomic
def staff_set_own_password(*, user, password: str) -> StaffChange:
    """The person chose their password through a valid link (the view checked the
    token and the validators). Saving the new hash kills every link issued so far."""
    user.set_password(password)
    user.save(update_fields=["password"])
    password_validation.password_changed(password, user)
    return _record(actor=user, subject=user, kind=StaffChangeKind.PASSWORD_SET)
