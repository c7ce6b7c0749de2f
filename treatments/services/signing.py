"""Signing a treatment session (session_sign): every rule of the safety engine is run
again inside the transaction, so the rules hold whatever path the request took (form,
API, shell). The signed row, its findings and the rule-made follow-ups are written
together; a submitted draft is saved first, in the same transaction."""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.history_writes import takes_with_items, update_with_history
from treatments import safety, selectors
from treatments.choices import FollowUpKind, SafetyProfile, SessionStatus
from treatments.models import FollowUp, SessionFinding, TreatmentSession
from treatments.services import rollups
from treatments.services.draws import allocate_draws
from treatments.services.locked import in_callers_lock, locked_draft
from treatments.services.sessions import Draft, apply_draft, held_links
from treatments.signals import session_signed


@dataclass
class SigningRefused(Exception):
    """What stops signing: BLOCK findings, OVERRIDE findings without a reason, or warnings
    not acknowledged."""

    blocks: list[safety.Finding]
    missing_reasons: list[safety.Finding]
    unacknowledged: list[safety.Finding]

    def __str__(self) -> str:
        return "; ".join(f.message for f in self.blocks + self.missing_reasons) or (
            "Warnings must be acknowledged"
        )


def unacknowledged_warnings(
    findings: list[safety.Finding], acknowledge_warnings: bool | Collection[str]
) -> list[safety.Finding]:
    """The warnings not acknowledged: none (True: all were) or every one (False), or those
    past what the practitioner saw when they ticked: each code as many times as it was
    shown (a Counter; a plain collection, once each). A second warning of one code, a
    second vial discarded meanwhile say, is one come up since."""
    warnings = [f for f in findings if f.level == safety.Level.WARN]
    if isinstance(acknowledge_warnings, bool):
        return [] if acknowledge_warnings else warnings
    seen = Counter(acknowledge_warnings)
    unread = []
    for finding in warnings:
        if seen[finding.code] > 0:
            seen[finding.code] -= 1
        else:
            unread.append(finding)
    return unread


def _parameter(parameters: dict, key: str) -> int:
    """A reference-data threshold (the safety parameters read with the engine's inputs);
    missing reference data is an error, never a default."""
    value = parameters.get(key)
    if value is None:
        raise safety.MissingParameterError([key])
    return int(value)


def session_sign(
    *,
    session: TreatmentSession,
    signed_by,
    override_reasons: dict[str, str],
    acknowledge_warnings: bool | Collection[str],
    draft: Draft | None = None,
    snapshot=None,
) -> TreatmentSession:
    """Sign: every rule is evaluated again here. BLOCK refuses; OVERRIDE needs a reason
    (recorded with who and when); WARN must be acknowledged: every warning
    (`acknowledge_warnings` True), or those whose codes it names (the warnings the editor
    showed when the practitioner ticked "I have read the warnings": one come up since,
    a vial discarded meanwhile say, is refused until read). The findings are kept with
    the session, and rule-made follow-ups are created, in the same transaction.

    With `draft` (the editor's Sign button) the submission is saved first, in the same
    transaction and one pass (the session row written only when something changed), and
    stays saved when signing is refused. `snapshot`: the request's reference data.

    In its own transaction, or in the caller's without a savepoint for a draft the caller
    read locked in it (services.locked.locked_draft): an exception raised inside then
    leaves the caller's block marked for rollback. A refusal is returned from inside and
    raised after, so that a draft saved on the way is committed."""
    with transaction.atomic(savepoint=not in_callers_lock(session)):
        current, refused = _sign(
            session=session,
            signed_by=signed_by,
            override_reasons=override_reasons,
            acknowledge_warnings=acknowledge_warnings,
            draft=draft,
            snapshot=snapshot,
        )
    if refused is not None:
        raise refused
    return current


def _sign(
    *, session, signed_by, override_reasons, acknowledge_warnings, draft, snapshot
) -> tuple[TreatmentSession, Exception | None]:
    """session_sign inside its transaction: the signed session, or the refusal."""
    current, old_points = locked_draft(session)
    if current.practitioner_id != signed_by.pk:
        raise ValidationError("Only the treating practitioner can sign this session.")
    if draft is not None:
        links = held_links(session)
        if links is None:
            links = list(
                current.vial_links.select_related("vial__product").order_by("position", "id")
            )
        points, links, usage = apply_draft(
            current,
            draft,
            saved_by=signed_by,
            links=links,
            always_save=False,
            old_points=old_points,
        )
    else:
        links = list(current.vial_links.select_related("vial__product").order_by("position", "id"))
        points = selectors.session_points(session=current)
        usage, links = allocate_draws(
            current,
            vials=[v for v in (current.vial, *(link.vial for link in links)) if v is not None],
            total=sum((p.units for p in points), Decimal(0)),
            links=links,
        )
    snapshot = snapshot or selectors.reference_snapshot()
    inputs = selectors.safety_inputs_for_session(
        session=current, links=links, points=points, snapshot=snapshot, usage=usage
    )
    if not inputs.session.points:
        return current, ValidationError("Add at least one injection point before signing.")
    findings = inputs.evaluate()
    reasons = {code: (text or "").strip() for code, text in override_reasons.items()}
    blocks = [f for f in findings if f.level == safety.Level.BLOCK]
    missing = [f for f in findings if f.level == safety.Level.OVERRIDE and not reasons.get(f.code)]
    unacknowledged = unacknowledged_warnings(findings, acknowledge_warnings)
    if blocks or missing or unacknowledged:
        return current, SigningRefused(blocks, missing, unacknowledged)
    now = timezone.now()
    kept_findings = signed_findings(current, findings, reasons, by=signed_by, at=now)
    current.is_off_label = safety.is_off_label(inputs.session)
    current.status = SessionStatus.SIGNED
    current.signed_at = now
    current.signed_by = signed_by
    current.version += 1
    # What the floors above write with the signing (the diary: the appointment completed):
    # on PostgreSQL WITH items of the signed row's statement (treatments.signals).
    also = [] if takes_with_items() else None
    if also is not None:
        session_signed.send(sender=TreatmentSession, session=current, also=also)
    # The signed row, its history row, the findings and the rule-made follow-ups (and what
    # the floors above asked for): one statement on PostgreSQL (clinic.history_writes). The
    # findings are inserted as the session turns signed: the immutability triggers refuse
    # UPDATE and DELETE, not INSERT.
    update_with_history(
        current,
        user_id=signed_by.pk,
        when=now,
        inserts=[kept_findings, _rule_follow_ups(current, inputs, signed_by, snapshot)],
        also=also or (),
    )
    # The dashboard's summaries, in this transaction (one statement on PostgreSQL, up to five
    # on SQLite; issue 14.5).
    rollups.record_signed_session(current)
    if also is None:  # the diary marks the appointment completed, in this transaction
        session_signed.send(sender=TreatmentSession, session=current, also=None)
    return current, None


def signed_findings(session, findings, reasons: dict, *, by, at) -> list[SessionFinding]:
    """The findings kept with a session as it is signed (unsaved), each OVERRIDE with its
    reason; the demo's bulk seed keeps them through it too."""
    return [
        SessionFinding(
            session=session,
            code=f.code,
            level=f.level,
            message=f.message,
            source=f.source,
            override_reason=reasons.get(f.code, "") if f.level == safety.Level.OVERRIDE else "",
            recorded_by=by,
            recorded_at=at,
        )
        for f in findings
    ]


def _rule_follow_ups(session: TreatmentSession, inputs, user, snapshot) -> list[FollowUp]:
    return rule_follow_ups(
        session,
        parameters=inputs.reference.parameters,
        guideline=inputs.session.guideline,
        has_outcomes=session.indication_id in snapshot.indications_with_outcomes,
        first_here=not any(d.session_id for d in inputs.history.doses),
        user=user,
    )


def rule_follow_ups(
    session: TreatmentSession, *, parameters, guideline, has_outcomes, first_here, user
) -> list[FollowUp]:
    """Tasks made by rules at signing (unsaved): the 2-week bladder review (rule 26) or,
    for other indications, the 2-week side-effect review (DOMAIN §4.2: the bladder review
    already is that review, with the post-void residual); outcome scores due by the
    earliest re-treatment date when the indication has outcome measures (`has_outcomes`);
    a review call after a first treatment here (`first_here`). `parameters`: the safety
    parameters (reference data), `guideline`: the product's for the indication, or None.
    The demo's bulk seed makes the same tasks through it."""
    performed_on = timezone.localdate(session.performed_at)
    tasks = []

    def task(kind: str, title: str, days: int, rule_code: str) -> None:
        tasks.append(
            FollowUp(
                patient=session.patient,
                session=session,
                kind=kind,
                title=title,
                due_on=performed_on + timedelta(days=days),
                rule_code=rule_code,
                assigned_to_id=session.practitioner_id,
                created_by=user,
            )
        )

    indication = session.indication
    if indication.safety_profile == SafetyProfile.BLADDER:
        task(
            FollowUpKind.BLADDER_REVIEW,
            "Post-void residual and UTI review after intradetrusor injection",
            _parameter(parameters, "bladder_review_days"),
            "bladder.review",
        )
    else:
        # The indication last: its name may hold a comma ("Upper limb spasticity, adult").
        task(
            FollowUpKind.SIDE_EFFECT_REVIEW,
            f"Side-effect review after treatment for {indication.name}",
            _parameter(parameters, "side_effect_review_days"),
            "side-effect.review",
        )
    if has_outcomes:
        task(
            FollowUpKind.OUTCOME_DUE,
            f"Outcome scores before the next treatment for {indication.name}",
            (guideline.min_interval_days if guideline else None) or indication.min_interval_days,
            "outcome.due",
        )
    if first_here:
        task(
            FollowUpKind.REVIEW_CALL,
            f"Review call after first {session.product} treatment",
            _parameter(parameters, "first_treatment_review_days"),
            "first.review-call",
        )
    return tasks
