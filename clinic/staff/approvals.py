"""Clinical authority takes two people (security review 07/12/2026): a manager's grant of
the Practitioner role or of a professional registration waits for another practitioner to
confirm it (StaffApproval). A confirmed role comes with new credentials: the old password,
every earlier link, authenticator and session stop working, and a set-password link goes
to the confirming practitioner to hand over or to the account's address, never to the
manager."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.roles import Role
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


def _needs_confirmation(*, actor, role: Role) -> bool:
    """A manager's grant of the Practitioner role waits for a practitioner; the system
    administrator's (a superuser's) does not."""
    return Role(role) == Role.PRACTITIONER and not system_administrator(actor)


def system_administrator(user) -> bool:
    """A superuser who holds no role: their grants of clinical authority apply at once and
    they may confirm a manager's. A superuser who is also the manager (one person) is a
    manager here: the two-person rule would otherwise be one person (review 07/12/2026)."""
    return user.is_superuser and not current_role_of(user)


def _ask(*, asked_by, user, kind: ApprovalKind, change: dict, reads: str = "", was: str = ""):
    reads = reads or change.get("role", "")
    StaffApproval.objects.create(
        subject=user, kind=kind, change=change, reads=reads, was=was, asked_by=asked_by
    )
    return _record(
        actor=asked_by,
        subject=user,
        kind=StaffChangeKind.CLINICAL_ASKED,
        from_role=was,
        to_role=reads,
    )


def _withdraw_waiting(*, user, kind: ApprovalKind, by) -> None:
    """A new change of the same kind replaces one still waiting (the manager changed their
    mind, or corrected a number)."""
    StaffApproval.objects.filter(subject=user, kind=kind, outcome=ApprovalOutcome.WAITING).update(
        outcome=ApprovalOutcome.WITHDRAWN, decided_by=by, decided_at=timezone.now()
    )


def may_decide(*, user, approval: StaffApproval) -> bool:
    """The second person: an active practitioner (or a superuser), neither the manager who
    asked nor the person concerned."""
    return (
        user.is_active
        and (
            system_administrator(user)
            # A superuser's has_perm is always true: one holding a role is that role here.
            or (not user.is_superuser and user.has_perm("staff.confirm_clinical_change"))
        )
        and user.pk not in (approval.asked_by_id, approval.subject_id)
    )


@dataclass(frozen=True)
class Decision:
    """A practitioner's confirmation or refusal: the account's history row, and for a
    confirmed role, the account's new set-password link (shown to the confirming
    practitioner to hand over, or emailed to the account's address)."""

    change: StaffChange
    link: PasswordLink | None = None


@transaction.atomic
def staff_approval_decide(
    *, decided_by, approval_pk: int, confirm: bool, base_url: str = ""
) -> Decision | None:
    """Confirm (the role or registration takes effect, recorded as made by `decided_by`)
    or refuse a grant waiting for a practitioner. Decided already (a second press, or
    another practitioner first): None."""
    # The account's row first, then the approval: the order the manager's writes take
    # (they lock the account, then withdraw its approvals), so the two never deadlock.
    subject_id = StaffApproval.objects.values_list("subject_id", flat=True).get(pk=approval_pk)
    user = _locked(get_user_model()(pk=subject_id))
    approval = StaffApproval.objects.select_for_update().get(pk=approval_pk)
    if approval.outcome != ApprovalOutcome.WAITING:
        return None
    if not may_decide(user=decided_by, approval=approval):
        raise ValidationError(
            "Only another practitioner can confirm this: not the manager who asked for it, "
            "nor the person it is for."
        )
    profile = staff_profile_of(user)
    now_reads = (
        current_role_of(user) if approval.kind == ApprovalKind.ROLE else profile.registration()
    )
    changed = not user.is_active or now_reads != approval.was
    if approval.kind == ApprovalKind.REGISTRATION:
        changed = changed or current_role_of(user) != Role.PRACTITIONER.value
    if confirm and changed:
        raise ValidationError(
            f"{_name(user)}'s account changed since this was asked for: ask the manager to "
            "ask again."
        )
    new_account = (
        approval.kind == ApprovalKind.ROLE
        and not approval.was
        and not approval.change.get("returning")  # reactivated: their own password stands
    )
    if confirm and new_account and account_in_use(user):
        # Nobody should have been able to sign in yet: someone else holds a password.
        raise ValidationError(
            f"Someone has already chosen a password or signed in to {_name(user)}'s account: "
            "do not confirm it. Tell the system administrator."
        )
    approval.outcome = ApprovalOutcome.CONFIRMED if confirm else ApprovalOutcome.REFUSED
    approval.decided_by, approval.decided_at = decided_by, timezone.now()
    approval.save(update_fields=["outcome", "decided_by", "decided_at"])
    if not confirm:
        return Decision(
            _record(
                actor=decided_by,
                subject=user,
                kind=StaffChangeKind.CLINICAL_REFUSED,
                to_role=approval.reads,
            )
        )
    if approval.kind == ApprovalKind.ROLE:
        user.groups.set([_role_group(Role(approval.change["role"]))])
        change = _record(
            actor=decided_by,
            subject=user,
            kind=StaffChangeKind.ROLE_CHANGED,
            from_role=approval.was,
            to_role=approval.change["role"],
        )
        # New credentials with the new authority: whatever anyone held for the account
        # (a link the manager was shown while it was Reception, a password chosen through
        # it, an authenticator) stops working (second review 07/12/2026: a manager made a
        # receptionist, kept the link, had the role confirmed and signed in as it).
        _new_credentials(user)
        link = _issue_link(
            issued_by=decided_by,
            user=user,
            base_url=base_url or settings.CLINIC_BASE_URL,
            new_account=True,
            show=not user.email,
        )
        return Decision(change, link)
    for name, value in approval.change.items():
        setattr(profile, name, value)
    profile.full_clean()
    return Decision(_apply_registration(profile, by=decided_by, was=approval.was))


def _new_credentials(user) -> None:
    """No usable password (every earlier set-password link dies with the old hash), no
    authenticator app, no open session: the person starts again from the new link."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clinic.models import StaffSession

    user.set_unusable_password()
    user.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=user).delete()
    StaffSession.objects.filter(user_id=user.pk).delete()
