"""Treatment sessions: 18 months of plans replayed in date order per patient, with
addenda and the figures printed at the end (today's draft: signing).
"""

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import batched

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from clinic.demo.clock import HISTORY_DAYS, ReplayClock, add_years, aware, open_day
from clinic.demo.followups import FollowUpHistory
from clinic.demo.plans import (
    ADULT_KINDS,
    ADULT_PLAN_SHARE,
    CD_BOTOX_RECIPES,
    CD_DYSPORT_RECIPES,
    CHILD_KINDS,
    CHILD_PLAN_SHARE,
    GLABELLAR_KINDS,
    ONE,
    TOP_UP_REASONS,
    UL_BOTOX,
    UL_DYSPORT,
    D,
    Pending,
    Plan,
    PlanKind,
    SessionPlan,
    Signed,
    child_weight,
    needles,
    plan_weight,
    round_to,
)
from clinic.demo.signing import SessionSigning
from clinic.demo.stock import LotCalendar, StockHistory
from patients.choices import Sex
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
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


class TreatmentHistory(SessionSigning, StockHistory, FollowUpHistory):
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

    def available(self, kind: PlanKind) -> bool:
        product = self.products.get(kind.product)
        return (
            kind.indication in self.indications
            and product is not None
            and product.on_formulary
            and all(slug in self.templates for slug in kind.templates)
        )

    def choose_kind(self, patient: Patient, today: date) -> PlanKind | None:
        age, rng = patient.age_on(today), self.rng
        if age < 18:
            kinds = self.child_kinds if rng.random() < CHILD_PLAN_SHARE else []
        else:
            kinds = self.adult_kinds if rng.random() < ADULT_PLAN_SHARE else []
        if not kinds:
            return None
        female = patient.sex == Sex.FEMALE
        weights = [plan_weight(kind, age, female) for kind in kinds]
        return rng.choices(kinds, weights=weights)[0]

    def make_plan(self, patient, kind, questionnaires, priors) -> Plan | None:
        """A plan starting in the last 18 months, after registration (and for adult-only
        indications after the 18th birthday), or None when there is no room for one."""
        rng, today = self.rng, self.today
        earliest = max(today - timedelta(days=HISTORY_DAYS), timezone.localdate(patient.created_at))
        if kind.child:
            earliest = max(earliest, patient.date_of_birth + timedelta(days=913))  # 2.5 years
        else:
            earliest = max(earliest, add_years(patient.date_of_birth, 18) + timedelta(days=1))
        end = today
        if patient.archived_at:
            end = min(end, timezone.localdate(patient.archived_at))
        span = (end - earliest).days
        if span < 1 or not questionnaires:
            return None
        # Two in five are established patients, treated since the start of the window.
        offset = rng.randrange(min(span, 45)) if rng.random() < 0.4 else rng.randrange(span)
        start = open_day(earliest + timedelta(days=offset))
        if start >= end:
            return None
        # Cow's milk protein allergy: a product without the contraindication instead.
        contraindicated = self.products[kind.product].milk_protein_contraindicated
        if contraindicated and any(q.allergy_cows_milk_protein for q in questionnaires):
            kind = self.kinds.get(kind.instead, kind)
        nurse = kind.nurse_share and rng.random() < kind.nurse_share
        if kind.indication == "chronic-migraine":
            # NICE TA260 asks for 3 or more failed preventives; a few fall short.
            failed = rng.choice((3, 3, 4, 4, 5, 6, 2))
            for questionnaire in questionnaires:
                questionnaire.migraine_preventives_failed = failed
        return Plan(
            patient=patient,
            kind=kind,
            start=start,
            end=end,
            questionnaires=questionnaires,
            priors=priors,
            practitioner=self.staff["nurse" if nurse else "practitioner"],
            side=rng.choice(("left", "right")),
            both_sides=rng.random() < 0.6,
            build=rng.uniform(0.85, 1.2),
        )

    def interval(self, indication: str, product: str) -> int:
        return self.intervals.get((indication, product)) or (
            self.indications[indication].min_interval_days
        )

    def visits(self, plan: Plan):
        """(day, sessions, is top-up) from the plan's start to its end, in date order."""
        kind, rng = plan.kind, self.rng
        interval = self.interval(kind.indication, kind.product)
        day, number, reasons = plan.start, 0, {}
        while day < plan.end:
            number += 1
            yield day, self.sessions_for(plan, day, number, reasons), False
            if kind.key in GLABELLAR_KINDS and rng.random() < 0.08:
                top_up_day = open_day(day + timedelta(days=rng.randrange(10, 13)))
                if top_up_day < plan.end:
                    yield top_up_day, [self.top_up(plan)], True
                    day = top_up_day
            if rng.random() < 0.07:
                return  # the patient stopped coming
            gap, reasons = interval + rng.randrange(0, 57), {}
            if kind.early_reason and rng.random() < 0.06:
                gap = interval - rng.randrange(7, 22)
                reasons = {"interval.too_soon": kind.early_reason}
            day = open_day(day + timedelta(days=gap))

    def template_points(self, slug: str, optional: int = 0, scale: Decimal = ONE) -> list:
        rows = self.templates[slug]
        chosen = [row for row in rows if not row.optional]
        chosen += self.rng.sample([row for row in rows if row.optional], optional)
        chosen.sort(key=lambda row: row.order)
        return [
            (row.site.slug, row.side, (row.units * scale).quantize(D("0.01")), row.points)
            for row in chosen
        ]

    def sessions_for(self, plan: Plan, day: date, number: int, reasons: dict) -> list:
        kind, rng = plan.kind, self.rng
        key, other = kind.key, "right" if plan.side == "left" else "left"
        male = plan.patient.sex == Sex.MALE
        fields, notes = {}, ""
        if key == "migraine":
            extra = rng.choice((0, 0, 0, 2, 4, 4, 6, 8))
            points = self.template_points("preempt", extra)
            notes = (
                f"PREEMPT cycle {number}: 31 fixed sites"
                + (f" and {extra} follow-the-pain sites" if extra else "")
                + f". Headache days last month: {rng.randrange(6, 25)}."
            )
        elif key == "glabellar-botox":
            strong = D("1.25") if male and rng.random() < 0.35 else D(1)
            points = self.template_points("glabellar-botox", scale=strong)
            notes = "Dynamic glabellar lines at maximum frown; aftercare leaflet given."
        elif key == "glabellar-azzalure":
            points = self.template_points("glabellar-azzalure")
            notes = "Glabellar lines, moderate at maximum frown; aftercare leaflet given."
        elif key == "glabellar-bocouture":  # no template: five points
            u = D(5) if male and rng.random() < 0.35 else D(4)
            points = [
                ("procerus", "midline", u, 1),
                ("corrugator", "left", 2 * u, 2),
                ("corrugator", "right", 2 * u, 2),
            ]
            notes = "Five-point glabellar pattern; aftercare leaflet given."
        elif key == "crows-feet":
            more = D("1.25") if rng.random() < 0.15 else D(1)
            points = self.template_points("crows-feet-botox", scale=more)
            notes = "Lateral canthal lines at maximum smile; three points each side."
        elif key == "forehead":  # forehead lines are treated with the glabellar complex
            glabellar = SessionPlan(
                self.indications["glabellar-lines"],
                self.template_points("glabellar-botox"),
                {"notes": "Glabellar complex treated with the forehead."},
                dict(reasons),
            )
            forehead = SessionPlan(
                self.indications[kind.indication],
                self.template_points("forehead-botox"),
                {"notes": "Five frontalis points, kept 2 cm above the brow."},
                dict(reasons),
            )
            return [glabellar, forehead]
        elif key == "axillary":
            points = self.template_points("axillary-grid")
            notes = "Starch-iodine test: sweating area mapped; ten points each axilla."
        elif key in ("cd-dysport", "cd-botox"):
            dysport = key == "cd-dysport"
            recipe = rng.choice(CD_DYSPORT_RECIPES if dysport else CD_BOTOX_RECIPES)
            most = 200 if dysport else 50
            points = []
            for (site, side, default), units in zip(
                (
                    ("splenius-capitis", plan.side, 2),
                    ("sternocleidomastoid", other, 2),
                    ("trapezius", plan.side, 2),
                    ("levator-scapulae", plan.side, 1),
                ),
                recipe,
                strict=True,
            ):
                if units:
                    points.append((site, side, D(units), needles(D(units), default, most)))
            notes = f"Rotational torticollis to the {plan.side}. TWSTRS {rng.randrange(18, 45)}."
        elif key == "oab":
            points = self.template_points("oab-20")
            fields = {
                "pvr_ml": rng.randrange(15, 150),
                "antibiotic_prophylaxis": True,
                "performs_cic": False,
            }
            if plan.screening and plan.screening.bleeding_risk and rng.random() < 0.8:
                fields["antiplatelet_stopped_days"] = rng.randrange(3, 8)
            notes = "Flexible cystoscopy; 20 intradetrusor injections, trigone spared."
        elif key == "blepharospasm":
            points = []
            for side in ("left", "right"):
                preseptal = (D("7.5"), 3) if rng.random() < 0.5 else (D(5), 2)
                points += [
                    ("orbicularis-oculi-pretarsal", side, D(5), 2),
                    ("orbicularis-oculi-preseptal", side, *preseptal),
                    ("lateral-orbicularis-oculi", side, D("2.5"), 1),
                ]
            notes = "2.5 U per point, five or six points each eye; lid margins avoided."
        elif key in ("spasticity-botox", "spasticity-dysport"):
            menu, cap, most = (
                (UL_DYSPORT, 500, 200) if key.endswith("dysport") else (UL_BOTOX, 200, 50)
            )
            if not plan.muscles:
                plan.muscles = (0, *sorted(rng.sample(range(1, len(menu)), rng.randrange(2, 5))))
            points, total = [], 0
            for index in plan.muscles:
                site, doses, default = menu[index]
                units = rng.choice(doses)
                if total + units <= cap:
                    total += units
                    points.append((site, plan.side, D(units), needles(D(units), default, most)))
            notes = f"Post-stroke spasticity, {plan.side} arm. Modified Ashworth 2-3 at elbow."
        elif key == "tmd":
            units = D(rng.choice((20, 25, 30)))
            points = [("masseter", "left", units, 3), ("masseter", "right", units, 3)]
            if rng.random() < 0.3:
                points += [("temporalis", "left", D(10), 2), ("temporalis", "right", D(10), 2)]
            fields = {"off_label_consent": True}
            notes = "Off-label: masseter hypertrophy with bruxism; night guard continued."
        else:  # paediatric spasticity, dosed by weight
            age = (day - plan.patient.date_of_birth).days / 365.25
            weight = child_weight(age, plan.build)
            points = self.paediatric_points(plan, float(weight))
            fields = {"weight_kg": weight, "weight_measured_on": day}
            notes = f"Weighed today: {weight} kg. GMFCS II; physiotherapy programme continues."
        fields.setdefault("notes", notes)
        return [SessionPlan(self.indications[kind.indication], points, fields, dict(reasons))]

    def paediatric_points(self, plan: Plan, weight: float) -> list:
        rng, key = self.rng, plan.kind.key
        dysport = key.endswith("dysport")
        most = 100 if dysport else 50  # Dysport in children: at most 0.5 mL a point
        if key.startswith("paed-ul"):
            if dysport:
                total = min(round_to(weight * rng.uniform(8, 12), 10), D(500))
            else:
                total = min(round_to(weight * rng.uniform(3, 5), 5), D(200))
            biceps = round_to(float(total) * 0.5, 5)
            wrist = round_to(float(total) * 0.25, 5)
            split = [
                ("biceps-brachii", biceps),
                ("flexor-carpi-ulnaris", wrist),
                ("flexor-carpi-radialis", total - biceps - wrist),
            ]
            return [
                (site, plan.side, units, needles(units, 1, most))
                for site, units in split
                if units > 0
            ]
        sides = ("left", "right") if plan.both_sides else (plan.side,)
        if dysport:
            per_leg = min(round_to(weight * rng.uniform(7.5, 10), 10), D(500 // len(sides)))
        else:
            per_leg = min(round_to(weight * rng.uniform(2.5, 3.5), 5), D(100))
        return [("gastrocnemius", side, per_leg, needles(per_leg, 2, most)) for side in sides]

    def top_up(self, plan: Plan) -> SessionPlan:
        side = self.rng.choice(("left", "right"))
        units = D(10) if plan.kind.product == "azzalure" else D(4)
        reason = self.rng.choice(TOP_UP_REASONS).format(side=side)
        # Recorded on the session (a warning), or given at signing (an override).
        fields, reasons = {}, {}
        if self.rng.random() < 0.5:
            fields["top_up_reason"] = reason
        else:
            reasons["interval.top_up"] = reason
        fields["notes"] = "Top-up at the 2-week review."
        return SessionPlan(
            self.indications["glabellar-lines"],
            [("corrugator", side, units, 1)],
            fields,
            reasons,
            top_up=True,
        )

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
                self.today_draft(clock)
                self.stock(clock)
                self.backdate()
        self.report(time.monotonic() - started)

    def replay_plan(self, plan: Plan, clock: ReplayClock) -> None:
        rng = self.rng
        main = None
        for day, sessions, top_up in self.visits(plan):
            self.file_questionnaires(plan, day)
            self.assess_face_to_face(plan, sessions, day, clock)
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
