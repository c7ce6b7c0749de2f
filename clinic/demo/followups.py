"""Follow-ups: the tasks the safety rules make at signing, closed as the story goes on,
and a few hand-made tasks.
"""

from datetime import timedelta

from clinic.demo.clock import ReplayClock, aware
from clinic.demo.plans import COSMETIC_KINDS, Prepared
from patients.choices import PatientStatus
from treatments import services
from treatments.choices import FollowUpKind
from treatments.models import FollowUp

FOLLOW_UP_NOTES = {
    FollowUpKind.BLADDER_REVIEW: (
        "PVR {pvr} mL, urine dipstick clear, no UTI symptoms.",
        "PVR {pvr} mL; mild frequency only, continence much better.",
        "PVR {pvr} mL, no retention. Continue at the next cycle.",
    ),
    FollowUpKind.SIDE_EFFECT_REVIEW: (
        "No side effects reported.",
        "Mild injection-site tenderness for a day; nothing to record.",
        "Phoned: all well, no swallowing, speech or breathing problems.",
        "No side effects; happy with the effect so far.",
    ),
    FollowUpKind.OUTCOME_DUE: ("Scores recorded.", "Diary and scores entered."),
    FollowUpKind.REVIEW_CALL: (
        "Happy with the result; no side effects.",
        "Mild headache for two days, settled with paracetamol.",
        "Small bruise at one site, resolved.",
        "No answer at first; called back: all well.",
        "Some improvement so far; review at the next session.",
    ),
}


# Hand-made tasks: kind, title, due in (days from today, range), which plans.
HAND_TASKS = (
    (FollowUpKind.DIARY_DUE, "Call about headache diary", (0, 5), {"migraine"}),
    (FollowUpKind.SIDE_EFFECT_REVIEW, "Check brow heaviness has settled", (1, 5), COSMETIC_KINDS),
    (
        FollowUpKind.OUTCOME_DUE,
        "HIT-6 and headache days before the next PREEMPT cycle",
        (5, 21),
        {"migraine"},
    ),
    (
        FollowUpKind.OTHER,
        "Chase GP about anticoagulant plan before the next injection",
        (-5, -1),
        {"oab", "cd-botox", "cd-dysport", "spasticity-botox", "spasticity-dysport"},
    ),
    (FollowUpKind.OUTCOME_DUE, "TWSTRS at the next visit", (7, 30), {"cd-botox", "cd-dysport"}),
    (FollowUpKind.OTHER, "Send clinic letter to GP", (1, 7), None),
)


class FollowUpHistory:
    """The follow-ups of the treatment history (a part of TreatmentHistory)."""

    def rule_follow_ups(self, prepared: Prepared, reference, first_here: bool, proposed) -> list:
        """The tasks services.session_sign makes (services.rule_follow_ups), made when the
        session was signed."""
        session = prepared.session
        if self.has_outcomes.get(session.indication_id) is None:
            self.has_outcomes[session.indication_id] = (
                session.indication.outcome_instruments.exists()
            )
        tasks = services.rule_follow_ups(
            session,
            parameters=reference.parameters,
            guideline=proposed.guideline,
            has_outcomes=self.has_outcomes[session.indication_id],
            first_here=first_here,
            user=session.practitioner,
        )
        for task in tasks:
            task.created_at = prepared.signed_at
        return tasks

    def close_follow_ups(self, clock: ReplayClock) -> None:
        """Rule-made tasks: all those due more than 2 months ago were done, most of those
        due since (a few are overdue), about half of last week's, none still to come."""
        rng = self.rng
        tasks = (
            FollowUp.objects.filter(pk__gt=self.first_task_pk, done_at__isnull=True)
            .select_related("assigned_to")
            .order_by("due_on", "pk")
        )
        closed = []
        for task in tasks:
            overdue = (self.today - task.due_on).days
            chance = 1 if overdue > 60 else 0.85 if overdue > 7 else 0.5 if overdue > 0 else 0
            if rng.random() >= chance:
                continue
            done_on = task.due_on + timedelta(days=rng.randrange(0, 3))
            when = aware(done_on, rng.randrange(10, 17), rng.randrange(60))
            by = task.assigned_to or self.staff["practitioner"]
            note = rng.choice(FOLLOW_UP_NOTES.get(task.kind, ("Done.",)))
            note = note.format(pvr=rng.randrange(20, 140))
            if done_on >= self.today:
                # Not done yet (today's hours may be still to come). Not done "now": two
                # seeds from the same random seed a few seconds apart would differ.
                continue
            if self.replaying:
                clock.at = when
                services.followup_complete(task=task, done_by=by, note=note)
            else:  # what followup_complete writes, in bulk
                task.done_at, task.done_by, task.outcome_note = when, by, note[:500]
                task.updated_at, task._history_user, task._history_date = when, by, when
                closed.append(task)
        if closed:
            fields = ["done_at", "done_by", "outcome_note", "updated_at"]
            FollowUp.objects.bulk_update(closed, fields, batch_size=500)
            FollowUp.history.bulk_history_create(closed, update=True, batch_size=1000)

    def add_tasks(self, clock: ReplayClock) -> None:
        """A handful of tasks made by hand: one due this week is a headache diary call."""
        rng = self.rng
        treated = [
            p for p in self.plans if p.last_session and p.patient.status == PatientStatus.ACTIVE
        ]
        if not treated:
            return
        for index in range(max(len(HAND_TASKS), len(treated) // 25)):
            kind, title, (low, high), keys = HAND_TASKS[index % len(HAND_TASKS)]
            pool = [p for p in treated if keys is None or p.kind.key in keys] or treated
            plan = rng.choice(pool)
            due = self.today + timedelta(days=rng.randrange(low, high + 1))
            clock.at = aware(
                min(due, self.today) - timedelta(days=rng.randrange(1, 8)),
                rng.randrange(9, 17),
                rng.randrange(60),
            )
            task = services.followup_create(
                patient=plan.patient,
                created_by=plan.practitioner,
                kind=kind,
                title=title,
                due_on=due,
                session=plan.last_session,
                assigned_to=plan.practitioner,
            )
            self.created.setdefault(FollowUp, {})[task.pk] = clock.at
            self.tasks_by_hand += 1
