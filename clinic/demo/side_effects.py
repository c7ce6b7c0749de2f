"""Side effects: reactions after some signed sessions, reviewed or not, serious ones with
a regulator decision, and calls logged by reception.
"""

import random
from datetime import timedelta

from django.utils import timezone

from clinic.demo.clock import aware
from treatments.choices import SessionStatus
from treatments.models import SideEffect, SideEffectTerm, TreatmentSession

# Demo side effects (DOMAIN §4.1): likely terms per safety profile, and for cosmetic use.
SIDE_EFFECT_TERMS = {
    "chronic-migraine": (
        "neck-pain",
        "neck-pain",
        "eyelid-ptosis",
        "migraine-exacerbation",
        "neck-stiffness",
        "injection-site-pain",
        "muscular-weakness",
    ),
    "bladder": ("uti", "uti", "dysuria", "urinary-retention"),
    "blepharospasm": ("eyelid-ptosis", "diplopia", "bruising"),
    "strabismus": ("eyelid-ptosis", "diplopia"),
    "general": ("injection-site-pain", "bruising", "muscular-weakness", "dysphagia", "headache"),
    "cosmetic": (
        "bruising",
        "headache",
        "headache",
        "brow-ptosis",
        "eyelid-ptosis",
        "asymmetry",
        "injection-site-reaction",
    ),
}


SIDE_EFFECT_WORDS = {
    "neck-pain": ("Aching neck for a few days after the injections.", "Stiff, sore neck."),
    "eyelid-ptosis": ("Left upper eyelid drooping.", "Right eyelid lower than the left."),
    "brow-ptosis": ("Heavy brows, hard to lift the eyebrows.",),
    "migraine-exacerbation": ("Headaches worse for about a week after treatment.",),
    "neck-stiffness": ("Neck feels stiff when turning the head.",),
    "injection-site-pain": ("Sore at the injection sites for two days.",),
    "muscular-weakness": ("Weakness lifting the head from the pillow.",),
    "uti": ("Burning on passing urine and frequency; dipstick positive.",),
    "dysuria": ("Stinging on passing urine.",),
    "urinary-retention": ("Unable to empty the bladder fully; PVR 350 mL.",),
    "diplopia": ("Double vision looking to the side.",),
    "bruising": ("Small bruise at one injection site.",),
    "headache": ("Headache the day after treatment.",),
    "asymmetry": ("One eyebrow higher than the other.",),
    "injection-site-reaction": ("Redness and small bumps at the sites for a few hours.",),
    "dysphagia": ("Some difficulty swallowing solids.",),
}


SIDE_EFFECT_ACTIONS = {
    "uti": ("treatment",),
    "urinary-retention": ("treatment", "review"),
    "dysphagia": ("review", "dose-changed"),
    "eyelid-ptosis": ("advice", "treatment", "dose-changed"),
    "brow-ptosis": ("advice", "dose-changed"),
}


SIDE_EFFECT_TREATMENTS = {
    "uti": ("Nitrofurantoin 100 mg modified release twice daily for 3 days",),
    "urinary-retention": ("Taught clean intermittent self-catheterisation",),
    "eyelid-ptosis": ("Apraclonidine 0.5% eye drops three times a day",),
}


NOT_REPORTED_REASONS = (
    "Known, listed and non-serious reaction; patient recovered.",
    "Expected local reaction in the SmPC; mild and resolved.",
    "Causality unlikely; better explained by a viral illness.",
)


PHONED_IN = (
    "Patient phoned: left eyelid drooping since yesterday, worse in the evening.",
    "Patient phoned to say her neck has been aching and she finds it hard to lift her head.",
)


class SideEffectSeeder:
    """Side effects of the signed sessions."""

    def _allergic_reaction(self, sessions, rows, terms, today):
        """One urticarial reaction with lip swelling after a patient's latest session, 2 to
        8 weeks ago, reported to the Yellow Card scheme: rule 21 then blocks any toxin for
        that patient, which the session editor shows (no session after it, so the story
        never signs past it). The latest such session with no side effect yet; none
        found, none made."""
        latest = {}
        for session in sessions:  # oldest first: the last one kept is each patient's latest
            latest[session.patient_id] = session
        taken = {row.session_id for row in rows}
        candidates = [
            s
            for s in latest.values()
            if 14 <= (today - timezone.localdate(s.performed_at)).days <= 56 and s.pk not in taken
        ]
        if not candidates:
            return None
        session = max(candidates, key=lambda s: (s.performed_at, s.pk))
        onset = timezone.localdate(session.performed_at)
        reviewed_at = aware(onset + timedelta(days=1), 10, 15)
        reviewer = session.practitioner
        return SideEffect(
            patient=session.patient,
            session=session,
            term=terms["hypersensitivity"],
            description=(
                "Itchy raised rash on the face and neck and swollen lips about two hours after "
                "the injections; no breathing difficulty. Seen at the walk-in centre."
            ),
            onset_date=onset,
            resolution_date=onset + timedelta(days=3),
            severity=2,
            outcome="recovered",
            causality="probable",
            action_taken="treatment",
            treatment_given="Chlorphenamine 4 mg three times a day for 3 days",
            reporter="patient",
            status="reviewed",
            logged_by=reviewer,
            reviewed_by=reviewer,
            reviewed_at=reviewed_at,
            created_at=reviewed_at,
            regulator_decision="reported",
            yellow_card_reference="GB-MHRA-ADR 30417752",
            decided_by=reviewer,
            decided_at=reviewed_at,
        )

    def record_side_effects(self) -> int:
        """Suspected reactions to about one session in eight, with terms typical of the
        indication (DOMAIN §4.1): mostly mild or moderate and decided (not reported with
        a reason, or reported with a Yellow Card reference); a few recent ones still
        awaiting a decision, one serious one flagged without a decision, and two calls
        reception logged this week for a practitioner to review."""
        rng = random.Random(self.rng.random())
        terms = {t.slug: t for t in SideEffectTerm.objects.all()}
        today = timezone.localdate()
        sessions = list(
            TreatmentSession.objects.filter(status=SessionStatus.SIGNED)
            .select_related("indication", "practitioner", "patient")
            .order_by("performed_at", "id")
        )
        rows, serious_left_open = [], False
        reception = self.staff["reception"]
        for session in sessions:
            if rng.random() > 0.125:
                continue
            treated_on = timezone.localdate(session.performed_at)
            onset = treated_on + timedelta(days=rng.randint(1, 9))
            if onset > today:
                continue
            slug = rng.choice(SIDE_EFFECT_TERMS.get(session.indication.safety_profile, ()))
            if session.indication.category == "cosmetic":
                slug = rng.choice(SIDE_EFFECT_TERMS["cosmetic"])
            severity = rng.choices((1, 2, 3), weights=(60, 33, 7))[0]
            age = (today - onset).days
            resolved = age > 21 and rng.random() < 0.9
            resolution = (
                min(onset + timedelta(days=rng.randint(3, 45)), today) if resolved else None
            )
            serious = (
                severity == 3 and slug in ("dysphagia", "urinary-retention") and rng.random() < 0.6
            )
            reviewer = session.practitioner
            reviewed_at = aware(min(onset + timedelta(days=rng.randint(0, 3)), today), 12, 30)
            se = SideEffect(
                patient=session.patient,
                session=session,
                term=terms[slug],
                description=rng.choice(SIDE_EFFECT_WORDS.get(slug, ("Reported at review.",))),
                onset_date=onset,
                resolution_date=resolution,
                severity=severity,
                serious_hospitalisation=serious and slug == "urinary-retention",
                serious_medically_important=serious,
                is_serious=serious,
                outcome="recovered" if resolved else rng.choice(("recovering", "continuing")),
                causality=rng.choices(
                    ("probable", "possible", "certain", "unlikely"), weights=(50, 35, 8, 7)
                )[0],
                action_taken=rng.choice(SIDE_EFFECT_ACTIONS.get(slug, ("advice", "none"))),
                reporter=rng.choice(("patient", "patient", "clinician")),
                status="reviewed",
                logged_by=reviewer,
                reviewed_by=reviewer,
                reviewed_at=reviewed_at,
                created_at=reviewed_at,
            )
            if se.action_taken == "treatment":
                se.treatment_given = rng.choice(SIDE_EFFECT_TREATMENTS.get(slug, ("Paracetamol",)))
            recent = age < 14
            if serious and not serious_left_open:
                serious_left_open = True  # no decision yet: the flag staff see
            elif serious or rng.random() < 0.12:
                se.regulator_decision = "reported"
                se.yellow_card_reference = f"GB-MHRA-ADR {rng.randint(30000000, 30999999)}"
            elif not recent or rng.random() < 0.5:
                se.regulator_decision = "not-reported"
                se.not_reported_reason = rng.choice(NOT_REPORTED_REASONS)
            if se.regulator_decision:
                se.decided_by, se.decided_at = reviewer, reviewed_at
            rows.append(se)
        # Two calls logged by reception this week, waiting for a practitioner: about a
        # session 3 to 19 days ago (logged in the last 2 days, so after it: not one of
        # today's, which the diary shows given this morning).
        recent_sessions = [
            s for s in sessions if 3 <= (today - timezone.localdate(s.performed_at)).days < 20
        ]
        for session, words in zip(
            rng.sample(recent_sessions, min(2, len(recent_sessions))), PHONED_IN, strict=False
        ):
            logged = aware(today - timedelta(days=rng.randint(0, 2)), 9, rng.randrange(60))
            rows.append(
                SideEffect(
                    patient=session.patient,
                    session=session,
                    description=words,
                    onset_date=max(
                        timezone.localdate(session.performed_at), today - timedelta(days=3)
                    ),
                    reporter="patient",
                    status="unreviewed",
                    logged_by=reception,
                    created_at=min(logged, timezone.now() - timedelta(minutes=5)),
                )
            )
        allergic = self._allergic_reaction(sessions, rows, terms, today)
        if allergic is not None:
            rows.append(allergic)
        if serious_left_open is False and rows:
            # Make sure the governance flag has something to show in the demo.
            severe = [r for r in reversed(rows) if r.status == "reviewed" and r.severity == 3]
            could_be_serious = {"dysphagia", "urinary-retention", "muscular-weakness"}
            flagged = next((r for r in severe if r.term.slug in could_be_serious), None)
            if flagged is None and severe:
                # Relabelled as dysphagia, so treated as dysphagia is (no eye drops for a
                # ptosis it no longer is), and after a therapeutic session where possible:
                # toxin spread to the throat after a glabellar injection is implausible.
                therapeutic = [r for r in severe if r.session.indication.category != "cosmetic"]
                flagged = (therapeutic or severe)[0]
                flagged.term = terms["dysphagia"]
                flagged.description = "Difficulty swallowing solids; seen in A&E, not admitted."
                flagged.action_taken = "review"
                flagged.treatment_given = (
                    "Soft diet and small sips advised; swallow assessed by speech and language "
                    "therapy"
                )
            if flagged is not None:
                flagged.is_serious = flagged.serious_medically_important = True
                flagged.regulator_decision = flagged.yellow_card_reference = ""
                flagged.not_reported_reason, flagged.decided_by, flagged.decided_at = "", None, None
        SideEffect.objects.bulk_create(rows, batch_size=1000)
        for row in rows:
            row._history_user, row._history_date = row.logged_by, row.created_at
        SideEffect.history.bulk_history_create(rows, batch_size=1000)
        return len(rows)
