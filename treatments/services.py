"""Writes for vials, sessions, follow-ups and outcome assessments. The only code that
changes these rows.

Signing (session_sign) re-runs the whole safety engine inside the transaction, so the
rules hold whatever path the request took (form, API, shell).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from patients.models import Patient
from treatments import safety, selectors
from treatments.choices import (
    SERIOUSNESS_CRITERIA,
    FollowUpKind,
    ProductForm,
    RegulatorDecision,
    SafetyProfile,
    SessionStatus,
    Severity,
    SideEffectOutcome,
    SideEffectStatus,
)
from treatments.models import (
    AnatomicalSite,
    FollowUp,
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    OutcomeInstrument,
    Product,
    SafetyParameter,
    SessionAddendum,
    SessionFinding,
    SideEffect,
    SiteTemplate,
    TreatmentSession,
    Vial,
    VialDraw,
)


class SessionLocked(Exception):
    """A signed session is immutable: correct it with an addendum."""


@dataclass
class SessionConflict(Exception):
    current_version: int


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


# Vials ----------------------------------------------------------------------------------


@transaction.atomic
def vial_receive(
    *, product: Product, presentation_units: int, lot: str, expiry, received_by, received_on=None
) -> Vial:
    vial = Vial(
        product=product,
        presentation_units=presentation_units,
        lot=lot.strip().upper(),
        expiry=expiry,
        received_by=received_by,
        received_on=received_on or timezone.localdate(),
    )
    vial.full_clean()
    vial._history_user = received_by
    vial.save()
    return vial


@transaction.atomic
def vial_reconstitute(
    *, vial: Vial, diluent_ml: Decimal, reconstituted_by, at: datetime | None = None
) -> Vial:
    """Record the dilution; use-by = time + the product's in-use hours (DOMAIN §1.3)."""
    vial = Vial.objects.select_for_update().select_related("product").get(pk=vial.pk)
    if vial.discarded_at:
        raise ValidationError("This vial has been discarded.")
    if vial.reconstituted_at:
        raise ValidationError("This vial was already reconstituted.")
    if vial.product.form != ProductForm.POWDER:
        raise ValidationError(f"{vial.product} is a ready-to-use solution.")
    if diluent_ml is None or diluent_ml <= 0:
        raise ValidationError({"diluent_ml": "Enter the diluent volume in mL."})
    at = at or timezone.now()
    if timezone.localdate(at) > vial.expiry:
        raise ValidationError("This vial is past its expiry date: do not reconstitute it.")
    vial.reconstituted_at = at
    vial.diluent_ml = diluent_ml
    vial.reconstituted_by = reconstituted_by
    hours = vial.product.in_use_hours
    vial.use_by = at + timedelta(hours=hours) if hours else None
    vial.version += 1
    vial.full_clean()
    vial._history_user = reconstituted_by
    vial.save()
    return vial


def _allocate_draws(session: TreatmentSession) -> None:
    """Record how many units the session takes from each of its vials: the first vial up
    to what it has left, then the second. Any excess stays on the last vial, where the
    engine's vial.insufficient rule reports it."""
    session.draws.all().delete()
    vials = [v for v in (session.vial, session.second_vial) if v is not None]
    total = session.points.aggregate(total=Sum("units"))["total"] or Decimal(0)
    draws = []
    for index, vial in enumerate(vials):
        if total <= 0:
            break
        left = (
            Decimal(vial.presentation_units)
            - vial.wasted_units
            - selectors.vial_units_drawn(vial, excluding_session_id=session.pk)
        )
        units = total if index == len(vials) - 1 else min(total, max(left, Decimal(0)))
        if units > 0:
            draws.append(VialDraw(session=session, vial=vial, units=units))
            total -= units
    VialDraw.objects.bulk_create(draws)


@transaction.atomic
def vial_discard(*, vial: Vial, reason: str, wasted_units: Decimal, discarded_by) -> Vial:
    """Discard with the units wasted; drawn + wasted may not exceed the presentation."""
    vial = Vial.objects.select_for_update().get(pk=vial.pk)
    if vial.discarded_at:
        raise ValidationError("This vial was already discarded.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the vial is discarded."})
    drawn = selectors.vial_units_drawn(vial)
    remaining = Decimal(vial.presentation_units) - drawn
    if wasted_units < 0 or wasted_units > remaining:
        raise ValidationError(
            {
                "wasted_units": f"Wasted units must be between 0 and the {remaining} U left "
                f"({drawn} U drawn of {vial.presentation_units} U)."
            }
        )
    vial.discarded_at = timezone.now()
    vial.discarded_by = discarded_by
    vial.discard_reason = reason[:200]
    vial.wasted_units = wasted_units
    vial.version += 1
    vial._history_user = discarded_by
    vial.save()
    return vial


# Sessions -------------------------------------------------------------------------------


def _choose_vials(usable: list[Vial], planned: Decimal) -> list[Vial]:
    if not usable:
        return []
    first = usable[0]
    left = (
        Decimal(first.presentation_units) - first.wasted_units - selectors.vial_units_drawn(first)
    )
    if planned > left and len(usable) > 1:
        return [first, usable[1]]
    return [first]


@transaction.atomic
def session_start(
    *,
    patient: Patient,
    practitioner,
    indication: Indication,
    product: Product,
    template: SiteTemplate | None = None,
) -> TreatmentSession:
    """A draft session, its points pre-filled from the indication's template."""
    if not product.on_formulary:
        raise ValidationError({"product": f"{product} is not on the clinic formulary."})
    session = TreatmentSession(
        patient=patient, practitioner=practitioner, indication=indication, product=product
    )
    # Vials to draw from: soonest use-by first ("use first"), a second one when the
    # template's dose needs it. The practitioner can change both before signing.
    planned = (
        sum((row.units for row in template.rows.all() if not row.optional), Decimal(0))
        if template is not None
        else Decimal(0)
    )
    chosen = _choose_vials(selectors.vial_list_usable(product=product, patient=patient), planned)
    session.vial, session.second_vial = [*chosen, None, None][:2]
    session.full_clean()
    session._history_user = practitioner
    session.save()
    if template is not None:
        InjectionPoint.objects.bulk_create(
            InjectionPoint(
                session=session,
                order=row.order,
                site=row.site,
                side=row.side,
                units=row.units,
                volume_ml=row.volume_ml,
                points=row.points,
            )
            for row in template.rows.all()
            if not row.optional
        )
    _allocate_draws(session)
    return session


def _locked_draft(session: TreatmentSession) -> TreatmentSession:
    current = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    if current.status == SessionStatus.SIGNED:
        raise SessionLocked("This session is signed: add an addendum instead.")
    return current


@transaction.atomic
def session_save_draft(
    *, session: TreatmentSession, saved_by, expected_version: int, fields: dict, points: list[dict]
) -> TreatmentSession:
    """Save the draft's fields and replace its injection points."""
    current = _locked_draft(session)
    if current.version != expected_version:
        raise SessionConflict(current_version=current.version)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current._history_user = saved_by
    current.save()
    current.points.all().delete()  # draft points only: signed sessions never reach here
    new_points = [
        InjectionPoint(session=current, order=index, **point) for index, point in enumerate(points)
    ]
    for point in new_points:
        # Field checks only: sites come from the form's own list, and the database enforces
        # the named constraints (units > 0, points >= 1) without a query per point.
        point.full_clean(
            exclude=["session", "site"], validate_unique=False, validate_constraints=False
        )
    InjectionPoint.objects.bulk_create(new_points)
    _allocate_draws(current)
    return current


def _parameter(key: str) -> int:
    """A reference-data threshold; missing reference data is an error, never a default."""
    value = SafetyParameter.objects.filter(key=key).values_list("value", flat=True).first()
    if value is None:
        raise safety.MissingParameterError([key])
    return int(value)


@transaction.atomic
def session_sign(
    *,
    session: TreatmentSession,
    signed_by,
    override_reasons: dict[str, str],
    acknowledge_warnings: bool,
) -> TreatmentSession:
    """Sign: every rule is evaluated again here. BLOCK refuses; OVERRIDE needs a reason
    (recorded with who and when); WARN must be acknowledged. The findings are kept with
    the session, and rule-made follow-ups are created, in the same transaction."""
    current = _locked_draft(session)
    if current.practitioner_id != signed_by.pk:
        raise ValidationError("Only the treating practitioner can sign this session.")
    _allocate_draws(current)
    inputs = selectors.safety_inputs_for_session(session=current)
    if not inputs.session.points:
        raise ValidationError("Add at least one injection point before signing.")
    findings = inputs.evaluate()
    reasons = {code: (text or "").strip() for code, text in override_reasons.items()}
    blocks = [f for f in findings if f.level == safety.Level.BLOCK]
    missing = [f for f in findings if f.level == safety.Level.OVERRIDE and not reasons.get(f.code)]
    unacknowledged = [
        f for f in findings if f.level == safety.Level.WARN and not acknowledge_warnings
    ]
    if blocks or missing or unacknowledged:
        raise SigningRefused(blocks, missing, unacknowledged)
    now = timezone.now()
    SessionFinding.objects.bulk_create(
        SessionFinding(
            session=current,
            code=f.code,
            level=f.level,
            message=f.message,
            source=f.source,
            override_reason=reasons.get(f.code, "") if f.level == safety.Level.OVERRIDE else "",
            recorded_by=signed_by,
            recorded_at=now,
        )
        for f in findings
    )
    current.is_off_label = safety.is_off_label(inputs.session)
    current.status = SessionStatus.SIGNED
    current.signed_at = now
    current.signed_by = signed_by
    current.version += 1
    current._history_user = signed_by
    current.save()
    _create_rule_follow_ups(current, inputs, signed_by)
    return current


def _create_rule_follow_ups(session: TreatmentSession, inputs, user) -> None:
    """Tasks made by rules: the 2-week bladder review (rule 26) or, for other indications,
    the 2-week side-effect review (DOMAIN §4.2: the bladder review already is that review,
    with the post-void residual); outcome scores due by the earliest re-treatment date when
    the indication has outcome measures; a review call after a first treatment here."""
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
                assigned_to=session.practitioner,
                created_by=user,
            )
        )

    indication = session.indication
    if indication.safety_profile == SafetyProfile.BLADDER:
        task(
            FollowUpKind.BLADDER_REVIEW,
            "Post-void residual and UTI review after intradetrusor injection",
            _parameter("bladder_review_days"),
            "bladder.review",
        )
    else:
        task(
            FollowUpKind.SIDE_EFFECT_REVIEW,
            f"Side-effect review after {indication.name} treatment",
            _parameter("side_effect_review_days"),
            "side-effect.review",
        )
    if indication.outcome_instruments.exists():
        guideline = inputs.session.guideline
        task(
            FollowUpKind.OUTCOME_DUE,
            f"Outcome scores for {indication.name} before the next treatment",
            (guideline.min_interval_days if guideline else None) or indication.min_interval_days,
            "outcome.due",
        )
    if not any(d.session_id for d in inputs.history.doses):
        task(
            FollowUpKind.REVIEW_CALL,
            f"Review call after first {session.product} treatment",
            _parameter("first_treatment_review_days"),
            "first.review-call",
        )
    FollowUp.objects.bulk_create(tasks)


@transaction.atomic
def session_add_addendum(
    *, session: TreatmentSession, author, reason: str, text: str
) -> SessionAddendum:
    """The only way to correct a signed session: the original stays as signed."""
    current = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    if current.status != SessionStatus.SIGNED:
        raise ValidationError("A draft can be edited directly; addenda are for signed sessions.")
    addendum = SessionAddendum(
        session=current, author=author, reason=(reason or "").strip(), text=(text or "").strip()
    )
    addendum.full_clean()
    addendum.save()
    return addendum


# Follow-ups -----------------------------------------------------------------------------


@transaction.atomic
def followup_create(
    *,
    patient: Patient,
    created_by,
    kind: str,
    title: str,
    due_on,
    session: TreatmentSession | None = None,
    assigned_to=None,
) -> FollowUp:
    task = FollowUp(
        patient=patient,
        session=session,
        kind=kind,
        title=title.strip(),
        due_on=due_on,
        created_by=created_by,
        assigned_to=assigned_to,
    )
    task.full_clean()
    task._history_user = created_by
    task.save()
    return task


@transaction.atomic
def followup_complete(*, task: FollowUp, done_by, note: str = "") -> FollowUp:
    current = FollowUp.objects.select_for_update().get(pk=task.pk)
    if current.done_at is None:
        current.done_at = timezone.now()
        current.done_by = done_by
        current.outcome_note = (note or "").strip()[:500]
        current._history_user = done_by
        current.save(update_fields=["done_at", "done_by", "outcome_note", "updated_at"])
    return current


# Outcome assessments --------------------------------------------------------------------


def _range_text(instrument: OutcomeInstrument) -> str:
    low = "" if instrument.min_value is None else f"{instrument.min_value.normalize():f}"
    high = "" if instrument.max_value is None else f"{instrument.max_value.normalize():f}"
    unit = f" {instrument.unit}" if instrument.unit else ""
    if low and high:
        return f"{low} to {high}{unit}"
    return f"at least {low}{unit}" if low else f"at most {high}{unit}"


@transaction.atomic
def outcome_record(
    *,
    patient: Patient,
    indication: Indication,
    instrument: OutcomeInstrument,
    value: Decimal,
    assessed_on,
    recorded_by,
    session: TreatmentSession | None = None,
    muscle: AnatomicalSite | None = None,
    is_baseline: bool = False,
    notes: str = "",
) -> OutcomeAssessment:
    """Record one score. Refuses a value outside the instrument's range, an instrument the
    indication does not use, a future date, a per-muscle instrument without its muscle and
    a session of another patient or indication."""
    errors: dict[str, list[str]] = {}
    if not indication.outcome_instruments.filter(pk=instrument.pk).exists():
        errors.setdefault("instrument", []).append(
            f"{instrument.name} is not an outcome measure for {indication.name}."
        )
    below = instrument.min_value is not None and value < instrument.min_value
    above = instrument.max_value is not None and value > instrument.max_value
    if below or above:
        errors.setdefault("value", []).append(
            f"{instrument.name} must be {_range_text(instrument)}."
        )
    if assessed_on > timezone.localdate():
        errors.setdefault("assessed_on", []).append("The assessment date cannot be in the future.")
    if instrument.per_muscle and muscle is None:
        errors.setdefault("muscle", []).append(
            f"{instrument.name} is scored per muscle: choose it."
        )
    if session is not None and (
        session.patient_id != patient.pk or session.indication_id != indication.pk
    ):
        errors.setdefault("session", []).append(
            "The session must be this patient's, for the same indication."
        )
    if errors:
        raise ValidationError(errors)
    assessment = OutcomeAssessment(
        patient=patient,
        indication=indication,
        instrument=instrument,
        value=value,
        assessed_on=assessed_on,
        session=session,
        muscle=muscle if instrument.per_muscle else None,
        is_baseline=is_baseline,
        recorded_by=recorded_by,
        notes=notes,
    )
    assessment.full_clean()
    assessment.save()
    # The outcome entry the session asked for is now done.
    for task in FollowUp.objects.filter(
        patient=patient,
        kind=FollowUpKind.OUTCOME_DUE,
        session__indication=indication,
        done_at__isnull=True,
    ):
        followup_complete(task=task, done_by=recorded_by, note=f"Recorded {assessment}")
    return assessment


# Side effects ---------------------------------------------------------------------------


@dataclass
class SideEffectConflict(Exception):
    """Someone saved the report after the editor opened it; nothing was written."""

    current: SideEffect

    def __str__(self) -> str:
        return "The side-effect report was changed by someone else"


SERIOUSNESS_FIELDS = tuple(field for field, _ in SERIOUSNESS_CRITERIA)


def _side_effect_dates_errors(*, onset_date, resolution_date, session) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if onset_date and onset_date > today:
        errors["onset_date"] = ["The onset date cannot be in the future."]
    if resolution_date and resolution_date > today:
        errors["resolution_date"] = ["The resolution date cannot be in the future."]
    if onset_date and resolution_date and resolution_date < onset_date:
        errors["resolution_date"] = ["The reaction cannot resolve before it started."]
    if session is not None and onset_date:
        treated_on = timezone.localdate(session.performed_at)
        if onset_date < treated_on:
            errors.setdefault("onset_date", []).append(
                f"The suspected session was on {treated_on:%d/%m/%Y}; "
                "a reaction to it cannot start before then."
            )
    return errors


@transaction.atomic
def side_effect_report_phoned(
    *,
    patient: Patient,
    logged_by,
    description: str,
    onset_date,
    reporter: str,
    reporter_name: str = "",
) -> SideEffect:
    """Reception logs a patient's call ("patient phoned to report ..."). The report waits,
    unreviewed, in the practitioners' queue; the suspected session is the latest signed
    session on or before the onset, for the practitioner to confirm."""
    errors = _side_effect_dates_errors(onset_date=onset_date, resolution_date=None, session=None)
    if not (description or "").strip():
        errors["description"] = ["Say what the patient reported."]
    if errors:
        raise ValidationError(errors)
    report = SideEffect(
        patient=patient,
        session=selectors.side_effect_suggested_session(patient=patient, onset_date=onset_date),
        description=description.strip(),
        onset_date=onset_date,
        reporter=reporter,
        reporter_name=(reporter_name or "").strip(),
        status=SideEffectStatus.UNREVIEWED,
        logged_by=logged_by,
    )
    report.full_clean()
    report._history_user = logged_by
    report.save()
    return report


def _apply_clinical_fields(
    report: SideEffect, *, fields: dict, decision: dict | None, user, now
) -> None:
    """Rule 38: onset, severity (1-5), the six seriousness criteria, outcome and WHO-UMC
    causality are all required; severity and seriousness are separate fields. Rule 39:
    a decision, when given, is reported with a reference or not reported with a reason."""
    for name, value in fields.items():
        setattr(report, name, value)
    session, term = report.session, report.term
    errors = _side_effect_dates_errors(
        onset_date=report.onset_date, resolution_date=report.resolution_date, session=session
    )
    required = {
        "session": "Choose the suspected treatment session.",
        "term": "Choose the reaction, or Other and describe it.",
        "severity": "Grade the severity (1 to 5).",
        "outcome": "Record the outcome.",
        "causality": "Assess causality (WHO-UMC).",
        "action_taken": "Record the action taken.",
    }
    for name, message in required.items():
        if getattr(report, name) in (None, ""):
            errors.setdefault(name, []).append(message)
    if session is not None and session.patient_id != report.patient_id:
        errors.setdefault("session", []).append("The session must be this patient's.")
    if session is not None and session.status != SessionStatus.SIGNED:
        errors.setdefault("session", []).append("Only a signed session can be suspected.")
    if term is not None and term.slug == "other" and not report.term_other.strip():
        errors.setdefault("term_other", []).append("Describe the reaction.")
    report.is_serious = any(getattr(report, f) for f in SERIOUSNESS_FIELDS)
    fatal = report.severity == Severity.DEATH or report.outcome == SideEffectOutcome.FATAL
    if fatal and not report.serious_death:
        errors.setdefault("serious_death", []).append(
            'A reaction that led to death is serious: tick "Resulted in death".'
        )
    if report.severity == Severity.LIFE_THREATENING and not report.is_serious:
        errors.setdefault("serious_life_threatening", []).append(
            "A life-threatening reaction (grade 4) is serious: tick the criteria that apply."
        )
    if report.resolution_date and report.outcome in (
        SideEffectOutcome.CONTINUING,
        SideEffectOutcome.UNKNOWN,
    ):
        errors.setdefault("outcome", []).append(
            "The reaction has a resolution date: choose recovered, recovered with sequelae "
            "or fatal."
        )
    if decision is not None:
        errors.update(_decision_errors(**decision))
    if errors:
        raise ValidationError(errors)
    report.term_other = report.term_other.strip()
    if decision is not None and decision["decision"]:
        _apply_decision(report, **decision, user=user, now=now)


def _decision_errors(*, decision: str, reference: str, reason: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if decision == RegulatorDecision.REPORTED and not (reference or "").strip():
        errors["yellow_card_reference"] = ["Give the Yellow Card reference the MHRA sent."]
    if decision == RegulatorDecision.NOT_REPORTED and not (reason or "").strip():
        errors["not_reported_reason"] = ["Say why this reaction is not being reported."]
    return errors


def _apply_decision(report: SideEffect, *, decision, reference, reason, user, now) -> None:
    report.regulator_decision = decision
    report.yellow_card_reference = (
        (reference or "").strip() if decision == RegulatorDecision.REPORTED else ""
    )
    report.not_reported_reason = (
        (reason or "").strip() if decision == RegulatorDecision.NOT_REPORTED else ""
    )
    report.decided_by = user
    report.decided_at = now


@transaction.atomic
def side_effect_record(
    *,
    patient: Patient,
    recorded_by,
    decision: dict | None = None,
    **fields,
) -> SideEffect:
    """A practitioner records a side effect directly (reviewed as they write it)."""
    now = timezone.now()
    report = SideEffect(
        patient=patient,
        logged_by=recorded_by,
        status=SideEffectStatus.REVIEWED,
        reviewed_by=recorded_by,
        reviewed_at=now,
    )
    _apply_clinical_fields(report, fields=fields, decision=decision, user=recorded_by, now=now)
    report.full_clean()
    report._history_user = recorded_by
    report.save()
    return report


@transaction.atomic
def side_effect_review(
    *,
    side_effect: SideEffect,
    reviewed_by,
    expected_version: int,
    decision: dict | None = None,
    **fields,
) -> SideEffect:
    """Complete or correct a report. Refuses (SideEffectConflict) when someone saved it
    after the editor opened it, so nobody's work is silently overwritten."""
    current = SideEffect.objects.select_for_update().get(pk=side_effect.pk)
    if current.version != expected_version:
        raise SideEffectConflict(current)
    now = timezone.now()
    _apply_clinical_fields(current, fields=fields, decision=decision, user=reviewed_by, now=now)
    if current.status == SideEffectStatus.UNREVIEWED:
        current.status = SideEffectStatus.REVIEWED
        current.reviewed_by = reviewed_by
        current.reviewed_at = now
    current.version += 1
    current.full_clean()
    current._history_user = reviewed_by
    current.save()
    return current


@transaction.atomic
def side_effect_decide(
    *,
    side_effect: SideEffect,
    decided_by,
    expected_version: int,
    decision: str,
    reference: str = "",
    reason: str = "",
) -> SideEffect:
    """Record the Yellow Card decision (rule 39): reported with its reference, or not
    reported with a reason. A report must be reviewed first."""
    current = SideEffect.objects.select_for_update().get(pk=side_effect.pk)
    if current.version != expected_version:
        raise SideEffectConflict(current)
    if current.status != SideEffectStatus.REVIEWED:
        raise ValidationError("Complete the review before recording the Yellow Card decision.")
    if decision not in (RegulatorDecision.REPORTED, RegulatorDecision.NOT_REPORTED):
        raise ValidationError({"regulator_decision": ["Choose reported or not reported."]})
    errors = _decision_errors(decision=decision, reference=reference, reason=reason)
    if errors:
        raise ValidationError(errors)
    _apply_decision(
        current,
        decision=decision,
        reference=reference,
        reason=reason,
        user=decided_by,
        now=timezone.now(),
    )
    current.version += 1
    current.full_clean()
    current._history_user = decided_by
    current.save()
    return current
