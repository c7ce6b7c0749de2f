"""Signing the planned sessions: through services.session_sign one at a time, or (above
REPLAY_MAX_PATIENTS patients) with the same safety engine in memory and bulk inserts;
today's draft session, through session_start and session_save_draft, and a draft withdrawn
earlier today (treatment not given), through session_withdraw.
"""

from datetime import timedelta
from decimal import ROUND_HALF_EVEN

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.demo.clock import ReplayClock, add_years, aware, weekday_before
from clinic.demo.plans import (
    CONFIRMED,
    END_OF_SESSION,
    D,
    Pending,
    Plan,
    Prepared,
    SessionPlan,
    Signed,
)
from clinic.staff.selectors import registrations_of
from patients.choices import PatientStatus
from patients.models import Patient
from treatments import safety, selectors, services
from treatments.choices import IndicationCategory, SafetyProfile, SessionStatus, WithdrawReason
from treatments.models import (
    FollowUp,
    InjectionPoint,
    PrescriberAssessment,
    SessionFinding,
    TreatmentSession,
    Vial,
    VialDraw,
)


class SessionSigning:
    """How the treatment history's sessions are prepared and signed (a part of
    TreatmentHistory)."""

    def prepare(self, plan: Plan, spec: SessionPlan, at, practitioner, main) -> Prepared:
        """The session, its points and its vial as they will be recorded, with the times
        of each step: received 1-6 weeks before, reconstituted just before the session at
        the usual dilution, signed after it and discarded at the end."""
        rng = self.rng
        product = self.products[plan.kind.product]
        total = sum((units for _, _, units, _ in spec.points), D(0))
        presentation = self.presentation(product, total, plan.kind.upsize)
        diluent = (D(presentation) / plan.kind.units_per_ml).quantize(D("0.01"))
        per_ml = D(presentation) / diluent
        received_on = weekday_before(timezone.localdate(at) - timedelta(rng.randrange(7, 41)))
        received_at = aware(received_on, rng.randrange(9, 12), rng.randrange(60))
        lot, expiry = self.lots.lot(product, presentation, received_on)
        vial = Vial(
            product=product,
            presentation_units=presentation,
            lot=lot,
            lot_sequence=self.number_in_lot(product, lot),
            receipt=self.receipt_for(product, lot, received_on, received_at),
            expiry=expiry,
            received_on=received_on,
            received_by=self.staff["reception"],
            created_at=received_at,
        )
        session = TreatmentSession(
            patient=plan.patient,
            practitioner=practitioner,
            indication=spec.indication,
            product=product,
            vial=vial,
            performed_at=at,
            created_at=at,
            top_up_of=main if spec.top_up else None,
            **CONFIRMED,
            **spec.fields,
        )
        points = [
            InjectionPoint(
                session=session,
                order=order,
                site=self.sites[site],
                side=side,
                units=units,
                # The service's rule (point_units_and_volume): a half to the even digit.
                volume_ml=(units / per_ml).quantize(D("0.001"), rounding=ROUND_HALF_EVEN),
                points=count,
            )
            for order, (site, side, units, count) in enumerate(spec.points)
        ]
        signed_at = at + timedelta(minutes=rng.randrange(15, 35))
        return Prepared(
            plan=plan,
            session=session,
            points=points,
            vial=vial,
            draw=VialDraw(session=session, vial=vial, units=total),
            total=total,
            diluent=diluent,
            reasons=spec.reasons,
            received_at=received_at,
            made=at - timedelta(minutes=rng.randrange(5, 30)),
            signed_at=signed_at,
            discarded_at=signed_at + timedelta(minutes=rng.randrange(5, 20)),
        )

    def assess_face_to_face(self, plan: Plan, sessions, day, clock: ReplayClock) -> None:
        """Rule 34: before the first cosmetic treatment the prescriber sees the patient face
        to face, that morning, and records it (no random draw: the figures stay put)."""
        cosmetic = any(s.indication.category == IndicationCategory.COSMETIC for s in sessions)
        if plan.assessed_on is not None or not cosmetic:
            return
        plan.assessed_on = day
        prescriber = self.staff["practitioner"]
        assessment = PrescriberAssessment(
            patient=plan.patient,
            prescriber=prescriber,
            assessed_on=day,
            notes="Face-to-face consultation: suitability, expectations and risks discussed",
            recorded_by=prescriber,
            recorded_at=aware(day, 8, 45),
        )
        assessment._history_user = prescriber
        if self.replaying:
            clock.at = assessment.recorded_at
            assessment.save()
        else:
            assessment._history_date = assessment.recorded_at
            self.pending.assessments.append(assessment)

    def sign_with_services(self, prepared: Prepared, clock: ReplayClock) -> TreatmentSession:
        """Record the vial and the draft, then sign with services.session_sign (every
        rule re-run, findings and rule-made follow-ups written by the service) and discard
        the vial with services.vial_discard (which checks the reconciliation)."""
        vial, session = prepared.vial, prepared.session
        practitioner = session.practitioner
        clock.at = prepared.received_at
        self.save_receipts()
        vial._history_user = vial.received_by
        vial.save()
        clock.at = prepared.made
        self.reconstitute(vial, prepared.made, prepared.diluent, practitioner)
        vial._history_user = practitioner
        vial.save()
        clock.at = session.performed_at
        session._history_user = practitioner
        session.save()
        InjectionPoint.objects.bulk_create(prepared.points)
        VialDraw.objects.bulk_create([prepared.draw])
        clock.at = prepared.signed_at
        try:
            session = services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons=prepared.reasons,
                acknowledge_warnings=True,
            )
        except services.SigningRefused as refused:
            self.refused_sessions += 1
            self.refused.update(f.code for f in refused.blocks + refused.missing_reasons)
        else:
            self.signed_times[session.pk] = prepared.signed_at
            self.signed_one(prepared, session)
        clock.at = prepared.discarded_at
        services.vial_discard(
            vial=vial,
            reason=END_OF_SESSION,
            wasted_units=D(vial.presentation_units) - prepared.total,
            discarded_by=practitioner,
        )
        self.vials_used += 1
        return session

    def signed_one(self, prepared: Prepared, session: TreatmentSession) -> None:
        plan = prepared.plan
        plan.signed += 1
        plan.last_session = session
        self.signed.append(Signed(session, plan.kind.key, prepared.signed_at))

    def sign_in_memory(self, prepared: Prepared) -> TreatmentSession:
        """The bulk path (more than REPLAY_MAX_PATIENTS patients): the same safety engine
        on the same facts, evaluated in memory, and what session_sign and vial_discard
        would write, inserted in bulk by flush()."""
        plan, vial, session = prepared.plan, prepared.vial, prepared.session
        practitioner, pending = session.practitioner, self.pending
        self.reconstitute(vial, prepared.made, prepared.diluent, practitioner)
        proposed, history, reference = self.engine_inputs(prepared)
        findings = safety.evaluate(proposed, history, reference)
        reasons = {code: text.strip() for code, text in prepared.reasons.items()}
        refused = [
            f
            for f in findings
            if f.level == safety.Level.BLOCK
            or (f.level == safety.Level.OVERRIDE and not reasons.get(f.code))
        ]
        session._history_user = practitioner
        if refused:
            self.refused_sessions += 1
            self.refused.update(f.code for f in refused)
            session._history_date = session.performed_at
        else:
            session.status = SessionStatus.SIGNED
            session.signed_at, session.signed_by = prepared.signed_at, practitioner
            session.is_off_label = safety.is_off_label(proposed)
            session.version = 2
            session._history_date = prepared.signed_at
            pending.findings += services.signed_findings(
                session, findings, reasons, by=practitioner, at=prepared.signed_at
            )
            first_here = not any(dose.session_id for dose in history.doses)
            pending.follow_ups += self.rule_follow_ups(prepared, reference, first_here, proposed)
            self.dose_ids += 1
            session.demo_dose_id = self.dose_ids  # what a top-up's link points at in memory
            plan.doses.append(
                safety.PriorDose(
                    on=proposed.on,
                    product_slug=session.product.slug,
                    brand=session.product.brand,
                    unit_family=session.product.unit_family,
                    units=prepared.total,
                    indication_slug=session.indication.slug,
                    indication_name=session.indication.name,
                    indication_category=session.indication.category,
                    session_id=self.dose_ids,
                    # A top-up of this session counts these per side and muscle group
                    # (rule 20), as safety_inputs gives them for a stored session.
                    points=tuple(proposed.points),
                )
            )
            bladder = session.indication.safety_profile == SafetyProfile.BLADDER
            plan.pvr_recorded = plan.pvr_recorded or (bladder and session.pvr_ml is not None)
            self.signed_one(prepared, session)
        vial.discarded_at, vial.discarded_by = prepared.discarded_at, practitioner
        vial.discard_reason = END_OF_SESSION
        vial.wasted_units = D(vial.presentation_units) - prepared.total
        vial.drawn_at_discard = prepared.total  # as vial_discard records the closing count
        vial.version = 3
        vial._history_user, vial._history_date = practitioner, prepared.discarded_at
        pending.vials.append(vial)
        pending.sessions.append(session)
        pending.points += prepared.points
        pending.draws.append(prepared.draw)
        self.vials_used += 1
        return session

    def engine_inputs(self, prepared: Prepared):
        """The engine's inputs as treatments.selectors.safety_inputs builds them, from the
        rows in memory (history: this plan's signed sessions and toxin elsewhere)."""
        plan, session, vial = prepared.plan, prepared.session, prepared.vial
        product, indication = session.product, session.indication
        key = (product.pk, indication.pk)
        if key not in self.facts:
            self.facts[key] = (
                selectors.guideline_facts(product, indication),
                selectors.reference_facts(product, indication),
            )
        guideline, reference = self.facts[key]
        fields = {name: getattr(session, name) for name in selectors.SESSION_SAFETY_FIELDS}
        proposed = safety.ProposedSession(
            patient_id=plan.patient.pk,
            on=timezone.localdate(session.performed_at),
            at=timezone.localtime(session.performed_at),  # as the selectors give it
            date_of_birth=plan.patient.date_of_birth,
            indication=selectors.indication_facts(indication),
            product=selectors.product_facts(product),
            guideline=guideline,
            vial=safety.VialFacts(
                id=0,
                product_slug=product.slug,
                lot=vial.lot,
                expiry=vial.expiry,
                reconstituted_at=vial.reconstituted_at,
                units_per_ml=vial.units_per_ml,
                remaining_units=D(vial.presentation_units),  # a new vial for each session
            ),
            points=tuple(selectors.point_facts_from_points(prepared.points)),
            **{
                **selectors.proposed_session_fields(fields),
                # The main session is not saved yet: its link is its in-memory dose id.
                "top_up_of_session_id": getattr(session.top_up_of, "demo_dose_id", None),
                # Rule 29b, as selectors.with_doctor_facts reads it (no directing doctor).
                "practitioner_is_doctor": session.practitioner_id in self.registered().doctors,
                "practitioner_is_regulated": session.practitioner_id in self.registered().regulated,
            },
        )
        assessed = None
        if plan.assessed_on is not None:
            prescriber = self.staff["practitioner"]
            assessed = safety.PrescriberAssessmentFacts(
                assessed_on=plan.assessed_on,
                prescriber=prescriber.get_full_name() or prescriber.get_username(),
            )
        history = safety.PatientHistory(
            doses=tuple(sorted(plan.doses + plan.elsewhere, key=lambda d: d.on, reverse=True)),
            screening=selectors.screening_facts(plan.patient),
            pvr_recorded_before=plan.pvr_recorded,
            prescriber_assessment=assessed,
        )
        return proposed, history, reference

    def registered(self):
        """The demo staff's professional registrations (read once)."""
        if getattr(self, "_registered", None) is None:
            self._registered = registrations_of([user.pk for user in self.staff.values()])
        return self._registered

    def flush(self) -> None:
        """Insert what the bulk path made (vials and sessions with their history)."""
        pending = self.pending
        if not pending.sessions:
            return
        self.save_receipts()
        bulk_create_with_history(pending.vials, Vial, batch_size=1000)
        if pending.assessments:
            bulk_create_with_history(pending.assessments, PrescriberAssessment, batch_size=1000)
        mains = [s for s in pending.sessions if s.top_up_of is None]
        top_ups = [s for s in pending.sessions if s.top_up_of is not None]
        for sessions in (mains, top_ups):  # a top-up refers to its main session
            if sessions:
                bulk_create_with_history(sessions, TreatmentSession, batch_size=1000)
        InjectionPoint.objects.bulk_create(pending.points, batch_size=2000)
        VialDraw.objects.bulk_create(pending.draws, batch_size=2000)
        SessionFinding.objects.bulk_create(pending.findings, batch_size=2000)
        FollowUp.objects.bulk_create(pending.follow_ups, batch_size=2000)
        self.pending = Pending()

    def today_draft(self, clock: ReplayClock) -> None:
        """Today's chronic-migraine session in progress: points from the PREEMPT template,
        its vial reconstituted just before; the injections given and the rest of the
        single-use vial discarded ("one session, one patient; discard the rest": DOMAIN
        §1.3), the record not yet signed. Its editor keeps the vial, labelled discarded,
        and the live check asks to check it was the vial used (vial.discarded_since); the
        vial's page shows the draft's draw as planned."""
        indication = self.indications.get("chronic-migraine")
        product = self.products.get("botox")
        patient = self.draft_patient()
        if indication is None or product is None or patient is None:
            return
        at = self.draft_at()  # started 20 minutes ago (today, even just after midnight)
        vial = self.receive(product, 200, self.today - timedelta(self.rng.randrange(7, 29)), clock)
        clock.at = max(at - timedelta(minutes=10), aware(self.today, 0))
        practitioner = self.staff["practitioner"]
        vial = services.vial_reconstitute(
            vial=vial, diluent_ml=D(4), reconstituted_by=practitioner, at=clock.at
        )
        clock.at = at
        session = services.session_start(
            patient=patient,
            practitioner=practitioner,
            indication=indication,
            product=product,
            template=selectors.site_template_for(indication=indication, product=product),
        )
        points = [
            {name: getattr(p, name) for name in InjectionPoint.ROW_FIELDS}
            for p in selectors.session_points(session=session)
        ]
        services.session_save_draft(
            session=session,
            saved_by=practitioner,
            expected_version=session.version,
            fields={
                "performed_at": at,
                "vial": vial,
                "screening_reviewed": True,
                "consent_taken": True,
                "notes": "PREEMPT: 31 fixed sites. Headache days last month: 17.",
            },
            points=points,
        )
        self.created.setdefault(TreatmentSession, {})[session.pk] = at
        # The 31 injections given (15 minutes), the rest thrown away before signing; just
        # after midnight, a minute after the session's time.
        clock.at = max(min(at + timedelta(minutes=15), self.now - timedelta(minutes=2)), at)
        clock.at += timedelta(minutes=1)
        drawn = sum((D(p["units"]) for p in points), D(0))
        services.vial_discard(
            vial=vial,
            reason=END_OF_SESSION,
            wasted_units=D(vial.presentation_units) - drawn,
            discarded_by=practitioner,
        )
        self.drafts += 1
        self.draft_session = session  # in treatment in the diary (clinic/demo/diary.py)

    def forgotten_draft(self, clock: ReplayClock) -> None:
        """A glabellar-lines session Priya Shah started 12 days ago and never signed (nor
        withdrew): on her home page's unsigned sessions, on the patient's new-session page,
        and in any later session's checks ("Another session for this patient not signed":
        the intervals count signed sessions only). The first patient due again since before
        then, no random draw: the rest of the demo is as it was."""
        indication = self.indications.get("glabellar-lines")
        nurse = self.staff.get("nurse")
        day = self.today - timedelta(days=12)
        day -= timedelta(days=int(day.weekday() == 6))  # the clinic is closed on Sundays
        plan = next(
            (
                p
                for p in self.plans
                if p.kind.indication == "glabellar-lines"
                and p.patient.status == PatientStatus.ACTIVE
                and p.last_day is not None
                and (day - p.last_day).days >= self.interval(p.kind.indication, p.kind.product)
            ),
            None,
        )
        product = self.products.get(plan.kind.product) if plan is not None else None
        if plan is None or indication is None or product is None or nurse is None:
            return
        at = aware(day, 16, 40)
        clock.at = at
        session = _started(plan.patient, nurse, indication, product)
        points = [
            {name: getattr(p, name) for name in InjectionPoint.ROW_FIELDS}
            for p in selectors.session_points(session=session)
        ]
        clock.at = at + timedelta(minutes=6)
        services.session_save_draft(
            session=session,
            saved_by=nurse,
            expected_version=session.version,
            fields={"performed_at": at, "screening_reviewed": True, "consent_taken": True},
            points=points,
        )
        self.created.setdefault(TreatmentSession, {})[session.pk] = at

    def withdrawn_draft(self, clock: ReplayClock) -> None:
        """A cervical dystonia session started this morning and withdrawn minutes later:
        the patient declined on the day (the session's page shows it withdrawn, not
        given; no draft list counts it). The first such patient, no random draw: the rest
        of the demo is as it was."""
        # Not one treated in the diary's past week (the session would be too soon): one
        # due, else one treated before that week, else the first.
        dystonia = [
            p
            for p in self.plans
            if p.kind.indication == "cervical-dystonia" and p.patient.status == PatientStatus.ACTIVE
        ]
        interval = lambda p: self.interval(p.kind.indication, p.kind.product)  # noqa: E731
        plan = next(
            (p for p in dystonia if p.last_day and (self.today - p.last_day).days >= interval(p)),
            next((p for p in dystonia if p.last_day and p.last_day < self.diary_from), None)
            or next(iter(dystonia), None),
        )
        indication = self.indications.get("cervical-dystonia")
        product = self.products.get(plan.kind.product) if plan is not None else None
        if plan is None or indication is None or product is None:
            return
        at = max(self.now - timedelta(minutes=90), aware(self.today, 0, 1))
        clock.at = at.replace(second=0, microsecond=0)
        practitioner = self.staff["practitioner"]
        session = _started(plan.patient, practitioner, indication, product)
        clock.at += timedelta(minutes=5)
        services.session_withdraw(
            session=session,
            by=practitioner,
            reason=WithdrawReason.DECLINED,
            note="Wants to talk it over with their neurologist first; rebook in 2 weeks.",
        )
        # Not backdated (self.created): a withdrawn row is final on PostgreSQL (treatments
        # migration 0047, whatever the role), so its created_at is when the seed ran.

    def draft_patient(self) -> Patient | None:
        """A chronic-migraine patient due a cycle (else any such patient, else an adult
        with a questionnaire on file)."""
        migraine = [
            p
            for p in self.plans
            if p.kind.key == "migraine" and p.patient.status == PatientStatus.ACTIVE
        ]
        due = [
            p
            for p in migraine
            if p.last_day
            and (self.today - p.last_day).days >= self.interval("chronic-migraine", "botox")
        ]
        if due or migraine:
            return self.rng.choice(due or migraine).patient
        return (
            Patient.objects.filter(
                status=PatientStatus.ACTIVE,
                questionnaires__isnull=False,
                date_of_birth__lte=add_years(self.today, -19),
            )
            .order_by("pk")
            .first()
        )


def _started(patient, practitioner, indication, product):
    """A session started from the indication's template as the editor's page starts it,
    beside the patient's other drafts (acknowledged, as the demo's stories need)."""
    return services.session_start(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        product=product,
        template=selectors.site_template_for(indication=indication, product=product),
        other_drafts=selectors.open_drafts(patient_id=patient.pk),
        acknowledge_drafts=True,
    )
