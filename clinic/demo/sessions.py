"""Treatment sessions: 18 months of plans replayed in date order per patient, with
addenda and the figures printed at the end (today's draft: signing).
"""

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import batched

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from clinic.demo.clock import HISTORY_DAYS, ReplayClock, aware
from clinic.demo.followups import FollowUpHistory
from clinic.demo.planning import SessionPlanning
from clinic.demo.plans import (
    ADULT_KINDS,
    CHILD_KINDS,
    D,
    Pending,
    Plan,
    Signed,
)
from clinic.demo.signing import SessionSigning
from clinic.demo.stock import LotCalendar, StockHistory
from clinic.demo.visits import DiaryWeek
from patients.models import IntakeQuestionnaire, PriorTreatment
from treatments import safety, services
from treatments.choices import SafetyLevel
from treatments.models import (
    AnatomicalSite,
    DoseGuideline,
    FollowUp,
    Indication,
    Product,
    SessionAddendum,
    SessionFinding,
    SiteTemplate,
    TreatmentSession,
)

ADDENDA = (
    (
        "Patient call after treatment",
        "Patient phoned two days later: small bruise at one injection site, settling. "
        "No other effects.",
    ),
    (
        "Aftercare advice",
        "Aftercare advice also given in writing: avoid lying flat, massage and strenuous "
        "exercise for 4 hours.",
    ),
    ("Batch check", "Lot number re-checked against the carton after signing: matches."),
)


WRONG_SIDE = (
    "Correction: injection side",
    "Wrong side recorded for one frontalis point: was left, should be right.",
)


class TreatmentHistory(SessionPlanning, SessionSigning, StockHistory, FollowUpHistory, DiaryWeek):
    """Plans treatment for the patients the command creates, then replays it in date
    order: through services.session_sign when `replaying` (see the module docstring),
    else with the same engine in memory and bulk inserts."""

    def __init__(self, command: BaseCommand, rng: random.Random, staff: dict, replaying: bool):
        self.command, self.rng, self.staff, self.replaying = command, rng, staff, replaying
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.has_outcomes: dict[int, bool] = {}  # indication id -> has outcome measures
        self.products = {p.slug: p for p in Product.objects.all()}
        self.formulary = sorted(
            (p for p in self.products.values() if p.on_formulary and p.presentations),
            key=lambda p: p.brand,
        )
        self.indications = {i.slug: i for i in Indication.objects.all()}
        self.sites = {s.slug: s for s in AnatomicalSite.objects.all()}
        self.templates = {
            t.slug: sorted(t.rows.all(), key=lambda r: r.order)
            for t in SiteTemplate.objects.prefetch_related("rows__site")
        }
        self.intervals = {
            (g.indication.slug, g.product.slug): g.min_interval_days
            for g in DoseGuideline.objects.select_related("indication", "product")
            if g.min_interval_days
        }
        self.kinds = {k.key: k for k in ADULT_KINDS + CHILD_KINDS if self.available(k)}
        self.adult_kinds = [k for k in ADULT_KINDS if k.key in self.kinds]
        self.child_kinds = [k for k in CHILD_KINDS if k.key in self.kinds]
        self.lots = LotCalendar(rng, self.today - timedelta(days=HISTORY_DAYS + 60), self.today)
        self.plans: list[Plan] = []
        self.signed: list[Signed] = []
        self.refused: Counter = Counter()
        self.refused_sessions = 0
        self.drafts = 0
        self.vials_used = self.vials_wasted = self.vials_stock = 0
        self.created: dict[type, dict[int, datetime]] = {}
        self.signed_times: dict[int, datetime] = {}
        self.tasks_by_hand = self.addenda = 0
        self.first_session_pk = self.first_task_pk = 0
        self.pending = Pending()
        self.facts: dict = {}  # bulk path: (product, indication) -> guideline, reference
        self.dose_ids = 0
        self.diary_week_setup()

    def replay(self) -> None:
        started = time.monotonic()
        self.first_session_pk = (
            TreatmentSession.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self.first_task_pk = (
            FollowUp.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        with ReplayClock() as clock:
            done = 0
            for chunk in batched(self.plans, 50):
                with transaction.atomic():
                    for plan in chunk:
                        self.replay_plan(plan, clock)
                    self.flush()
                done += len(chunk)
                if len(self.plans) > 1000 and done % 500 == 0:
                    self.command.stdout.write(
                        f"  sessions: {len(self.signed):,} signed for {done:,}/"
                        f"{len(self.plans):,} treated patients "
                        f"({time.monotonic() - started:.1f}s)"
                    )
            with transaction.atomic():
                self.odd_waste(clock)
                self.close_follow_ups(clock)
                self.add_tasks(clock)
                self.add_addenda(clock)
                self.withdrawn_draft(clock)
                self.today_draft(clock)
                self.forgotten_draft(clock)
                self.stock(clock)
                self.backdate()
        self.report(time.monotonic() - started)

    def replay_plan(self, plan: Plan, clock: ReplayClock) -> None:
        rng = self.rng
        main = None
        for day, sessions, top_up, visit in self.visits(plan):
            self.file_questionnaires(plan, day)
            self.assess_face_to_face(plan, sessions, day, clock)
            if visit is not None:  # the diary's past week: at the visit booked
                practitioner, at = visit.practitioner, visit.starts_at
            else:
                practitioner = plan.practitioner
                if plan.kind.nurse_share and rng.random() < 0.1:  # the other one covered
                    practitioner = self.staff[
                        "practitioner" if practitioner == self.staff["nurse"] else "nurse"
                    ]
                hour = rng.randrange(9, 13 if day.weekday() == 5 else 17)
                at = aware(day, hour, rng.choice((0, 15, 30, 45)))
            for index, spec in enumerate(sessions):
                prepared = self.prepare(
                    plan, spec, at + timedelta(minutes=10 * index), practitioner, main
                )
                if self.replaying:
                    session = self.sign_with_services(prepared, clock)
                else:
                    session = self.sign_in_memory(prepared)
                if visit is not None:
                    visit.sessions.append(session)
                if index == 0 and not top_up:
                    main = session
            plan.last_day = day
        self.file_questionnaires(plan, None)

    def file_questionnaires(self, plan: Plan, upto: date | None) -> None:
        """File the questionnaires answered by `upto` (all when None), so that the engine
        reads, at each session, the answers that stood that day."""
        due = [q for q in plan.questionnaires if upto is None or q.completed_on <= upto]
        if not due:
            return
        plan.questionnaires = plan.questionnaires[len(due) :]
        IntakeQuestionnaire.objects.bulk_create(due)
        plan.screening = due[-1]
        priors = [
            p for p in plan.priors if p.questionnaire.pk and any(p.questionnaire is q for q in due)
        ]
        PriorTreatment.objects.bulk_create(priors)
        plan.elsewhere += [
            safety.PriorDose(
                on=prior.treated_on,
                product_slug=prior.product.slug,
                brand=prior.product.brand,
                unit_family=prior.product.unit_family,
                units=D(prior.units) if prior.units is not None else None,
                elsewhere=True,
                clinic_name=prior.clinic_name,
            )
            for prior in priors
        ]

    def add_addenda(self, clock: ReplayClock) -> None:
        rng, latest = self.rng, self.now - timedelta(hours=1)
        if not self.signed:
            return
        picks = rng.sample(self.signed, min(len(self.signed), max(2, len(self.signed) // 60)))
        migraine = [s for s in self.signed if s.kind == "migraine"]
        if migraine:
            picks[0] = rng.choice(migraine)
        for index, signed in enumerate(picks):
            if index == 0 and signed.kind == "migraine":
                reason, text = WRONG_SIDE
            else:
                reason, text = rng.choice(ADDENDA)
            clock.at = min(signed.signed_at + timedelta(days=rng.randrange(1, 6)), latest)
            addendum = services.session_add_addendum(
                session=signed.session,
                author=signed.session.practitioner,
                reason=reason,
                text=text,
            )
            self.created.setdefault(SessionAddendum, {})[addendum.pk] = clock.at
            self.addenda += 1

    def backdate(self) -> None:
        """created_at is a plain default (not the replay clock): set it to when each row
        was made, on the rows and on their history."""
        follow_ups = FollowUp.objects.filter(
            pk__gt=self.first_task_pk, session__isnull=False, rule_code__gt=""
        ).values_list("pk", "session_id")
        for pk, session_id in follow_ups:
            if session_id in self.signed_times:
                self.created.setdefault(FollowUp, {})[pk] = self.signed_times[session_id]
        for model, when in self.created.items():
            if model is SessionAddendum and connection.vendor == "postgresql":
                # A signed session's addenda cannot change there (treatments migration
                # 0012, whatever the role): they keep the date they were written.
                continue
            rows = [model(pk=pk, created_at=at) for pk, at in when.items()]
            model.objects.bulk_update(rows, ["created_at"], batch_size=500)
            history = getattr(model, "history", None)
            if history is None:
                continue
            past = history.model.objects.filter(id__gte=min(when), id__lte=max(when))
            changed = []
            for row in past.only("history_id", "id"):
                if row.id in when:
                    row.created_at = when[row.id]
                    changed.append(row)
            history.model.objects.bulk_update(changed, ["created_at"], batch_size=500)

    def report(self, seconds: float) -> None:
        out, style = self.command.stdout, self.command.style
        kinds = Counter(p.kind.indication for p in self.plans)
        out.write(
            f"  treatment plans: {len(self.plans):,} patients ("
            + ", ".join(f"{slug} {count}" for slug, count in kinds.most_common())
            + ")"
        )
        how = "by services.session_sign" if self.replaying else "by the engine in memory"
        out.write(
            f"  sessions: {len(self.signed):,} signed {how}, {self.drafts} draft today, "
            f"{self.refused_sessions} refused by the safety engine (left as drafts) "
            f"({seconds:.1f}s)"
        )
        if self.refused:
            listed = ", ".join(f"{code} x{n}" for code, n in self.refused.most_common())
            out.write(style.WARNING(f"  refused at signing (left as drafts): {listed}"))
        findings = Counter(
            SessionFinding.objects.filter(session_id__gt=self.first_session_pk).values_list(
                "level", flat=True
            )
        )
        with_findings = (
            SessionFinding.objects.filter(session_id__gt=self.first_session_pk)
            .values("session_id")
            .distinct()
            .count()
        )
        out.write(
            f"  findings: {findings[SafetyLevel.WARN]:,} warnings acknowledged, "
            f"{findings[SafetyLevel.OVERRIDE]:,} overrides with reasons, "
            f"on {with_findings:,} sessions; {self.addenda} addenda"
        )
        out.write(
            f"  vials: {self.vials_used:,} used and discarded at the end of the session "
            f"(drawn + wasted = presentation), {self.vials_wasted} wasted otherwise, "
            f"{self.vials_stock} in the fridge today (2 reconstituted)"
        )
        tasks = FollowUp.objects.filter(pk__gt=self.first_task_pk)
        open_tasks = tasks.filter(done_at__isnull=True)
        out.write(
            f"  follow-ups: {tasks.filter(done_at__isnull=False).count():,} done, "
            f"{open_tasks.count():,} open ({open_tasks.filter(due_on__lt=self.today).count()} "
            f"overdue); {self.tasks_by_hand} made by hand"
        )
