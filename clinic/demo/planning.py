"""Planning the demo's treatment: which plan each patient gets (indication, product,
template, interval), its visits over the 18 months, and the points of each session
(adults from the site templates, children by weight, top-ups); a mixin of
clinic.demo.sessions.TreatmentHistory, which replays the plans."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.demo.clock import HISTORY_DAYS, add_years, open_day
from clinic.demo.plans import (
    ADULT_PLAN_SHARE,
    CD_BOTOX_RECIPES,
    CD_DYSPORT_RECIPES,
    CHILD_PLAN_SHARE,
    GLABELLAR_KINDS,
    ONE,
    TOP_UP_REASONS,
    UL_BOTOX,
    UL_DYSPORT,
    D,
    Plan,
    PlanKind,
    SessionPlan,
    child_weight,
    needles,
    plan_weight,
    round_to,
)
from patients.choices import Sex
from patients.models import Patient


class SessionPlanning:
    """The plans of TreatmentHistory (its products, indications, templates and kinds)."""

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
        """(day, sessions, is top-up, diary visit or None) from the plan's start to its
        end, in date order; in the diary's past week at a visit it books
        (clinic.demo.visits)."""
        kind, rng = plan.kind, self.rng
        interval = self.interval(kind.indication, kind.product)
        day, number, reasons, last = plan.start, 0, {}, None
        while True:
            visit = None
            if day >= plan.end:  # due by today, treated in the diary's week (or not)
                pulled = last is not None and self.pull_due(plan, last, interval, day)
                if not pulled:
                    return
                day, reasons = pulled, {}
                earliest = max(last + timedelta(days=interval), self.diary_from)
            else:
                earliest = day
            if self.in_diary_week(day):
                booked = self.book_visit(
                    plan, day, earliest=earliest, latest=self.today, first=number == 0
                )
                if booked is None:
                    return
                day, visit = booked
            number += 1
            yield day, self.sessions_for(plan, day, number, reasons), False, visit
            if kind.key in GLABELLAR_KINDS and rng.random() < 0.08:
                top_up_day = open_day(day + timedelta(days=rng.randrange(10, 13)))
                top_up = None
                if top_up_day < plan.end and self.in_diary_week(top_up_day):
                    top_up = self.book_visit(
                        plan, top_up_day, earliest=top_up_day,
                        latest=day + timedelta(days=13), first=False, top_up=True,
                    )  # fmt: skip
                    top_up_day = top_up[0] if top_up else plan.end
                if top_up_day < plan.end:
                    yield top_up_day, [self.top_up(plan)], True, top_up and top_up[1]
                    day = top_up_day
            last = day  # the interval runs from the last session (a top-up's too)
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
