"""Withdraw a draft session whose treatment was not given (started in error, the wrong
patient or indication, the patient declined, or it was deferred). Clinical records are
never deleted, and signing a session that never happened is no way out: the draft becomes
final as "Withdrawn (not given)", with who, when and why, and stops counting anywhere a
draft counts (the practitioner's unsigned sessions, the new-session page's warning, the
compliance report). Its planned draws and further vials are deleted and its vial cleared,
so the vial is free again for another patient (rule 5: one vial, one patient); the
session's history rows keep what it was. Its points are left as they were."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.history_writes import update_with_history
from treatments.choices import SessionStatus, WithdrawReason
from treatments.models import SessionVial, SessionWithdrawal, TreatmentSession, VialDraw
from treatments.services.locked import locked_draft
from treatments.signals import session_withdrawn

WITHDRAW_PERMISSION = "treatments.change_treatmentsession"
NOTE_MAX = SessionWithdrawal._meta.get_field("note").max_length


def withdraw_errors(reason: str, note: str) -> dict[str, str]:
    """What is wrong with a withdrawal's reason and details (empty when nothing)."""
    if reason not in WithdrawReason.values:
        return {"reason": "Choose why the treatment was not given."}
    if reason == WithdrawReason.OTHER and not note:
        return {"note": "Say why the treatment was not given."}
    if len(note) > NOTE_MAX:
        return {"note": f"At most {NOTE_MAX} characters."}
    return {}


def session_withdraw(
    *, session: TreatmentSession, by, reason: str, note: str = ""
) -> TreatmentSession:
    """Withdraw the draft `session` (treatment not given) for `reason` (a WithdrawReason;
    `note`: details, needed for "other"), by `by`: its own practitioner, or a colleague
    for a forgotten draft (any user who may change sessions; who it was is recorded).

    Refused: a signed session (SessionLocked: correct it by addendum), one already
    withdrawn (SessionWithdrawn: a second click changes nothing), a reason missing
    (ValidationError), a user without the permission (PermissionDenied). One transaction:
    the draft locked, its draws and further vials deleted (still a draft: the database's
    triggers allow it), the row written withdrawn with its vial cleared (version + 1, with
    its history row), its SessionWithdrawal (who, when, why) inserted, then
    treatments.signals.session_withdrawn (the diary)."""
    if not by.has_perm(WITHDRAW_PERMISSION):
        raise PermissionDenied("Only a practitioner can withdraw a draft session.")
    note = (note or "").strip()
    if errors := withdraw_errors(reason, note):
        raise ValidationError(errors)
    with transaction.atomic():
        current, _ = locked_draft(session)
        VialDraw.objects.filter(session_id=current.pk).delete()
        SessionVial.objects.filter(session_id=current.pk).delete()
        now = timezone.now()
        current.vial = None
        current.status = SessionStatus.WITHDRAWN
        current.version += 1
        # Who, when and why: a row of its own (the session's start is one statement that
        # must stay small: models.SessionWithdrawal); current.withdrawal is set by it.
        withdrawal = SessionWithdrawal(
            session=current, withdrawn_at=now, withdrawn_by=by, reason=reason, note=note
        )
        # The session's "~" history row: withdrawn, by whom (history_user) and why (its
        # change reason, as the manager's change history shows it); the vial it had is in
        # the row before it.
        why = f"Withdrawn (not given): {withdrawal.why}"
        update_with_history(current, user_id=by.pk, when=now, reason=why[:100])
        withdrawal.save()
        session_withdrawn.send(sender=TreatmentSession, session=current, by=by)
    return current
