"""Outcome scores: a baseline and follow-up scores per treated series, on the
indication's instruments.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from treatments.choices import SessionStatus
from treatments.models import Indication, OutcomeAssessment, OutcomeInstrument, TreatmentSession

# Baseline score ranges per indication for the demo's outcome charts (invented data, within
# each instrument's range in the reference data; all lower-is-better scales).
OUTCOME_BASELINES = {
    "chronic-migraine": (
        ("headache-days", (16, 24)),
        ("migraine-days", (9, 15)),
        ("hit6", (60, 72)),
    ),
    "hyperhidrosis-axillary": (("hdss", (3, 4)),),
    "cervical-dystonia": (("twstrs", (30, 50)),),
    "oab": (("ui-episodes-day", (3, 8)),),
    "glabellar-lines": (("fws", (2, 3)),),
    "lateral-canthal-lines": (("fws", (2, 3)),),
    "forehead-lines": (("fws", (2, 3)),),
    "blepharospasm": (("jrs", (4, 7)),),
}


class OutcomeSeeder:
    """Outcome scores for the signed sessions."""

    def record_outcomes(self) -> int:
        """Scores over time for treated patients: a baseline a week or two before the first
        session, then one about four weeks after each session. Most respond (30-65% better
        on lower-is-better scales), about one in five barely does, so the charts, responder
        badges and the NICE continuation warnings all have something to show."""
        rng = random.Random(self.rng.random())
        instruments = {i.slug: i for i in OutcomeInstrument.objects.all()}
        linked = {
            ind.pk: {i.slug for i in ind.outcome_instruments.all()}
            for ind in Indication.objects.prefetch_related("outcome_instruments")
        }
        sessions = (
            TreatmentSession.objects.filter(status=SessionStatus.SIGNED)
            .select_related("patient", "indication", "practitioner")
            .order_by("patient_id", "indication_id", "performed_at")
        )
        courses: dict[tuple[int, int], list[TreatmentSession]] = {}
        for session in sessions:
            courses.setdefault((session.patient_id, session.indication_id), []).append(session)
        rows = []
        for course in courses.values():
            first = course[0]
            for slug, (low, high) in OUTCOME_BASELINES.get(first.indication.slug, ()):
                instrument = instruments.get(slug)
                if instrument is None or slug not in linked[first.indication_id]:
                    continue
                baseline = Decimal(rng.randint(low, high))
                best = rng.uniform(0.30, 0.65) if rng.random() > 0.2 else rng.uniform(0, 0.2)
                start = timezone.localdate(first.performed_at)
                rows.append(
                    self._score(
                        first,
                        instrument,
                        baseline,
                        start - timedelta(days=rng.randint(7, 14)),
                        True,
                    )
                )
                for number, session in enumerate(course, start=1):
                    # The effect builds over the first cycles, then holds.
                    gain = best * min(1.0, 0.6 + 0.2 * number) * rng.uniform(0.85, 1.1)
                    value = baseline * Decimal(str(round(1 - min(gain, 0.95), 3)))
                    on = timezone.localdate(session.performed_at) + timedelta(
                        days=rng.randint(24, 35)
                    )
                    if on <= timezone.localdate():
                        rows.append(self._score(session, instrument, value, on, False))
        for row in rows:
            value = row.value.quantize(Decimal(1))
            low, high = row.instrument.min_value, row.instrument.max_value
            if low is not None:
                value = max(low, value)
            if high is not None:
                value = min(high, value)
            row.value = value
        OutcomeAssessment.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    @staticmethod
    def _score(session, instrument, value, on, baseline):
        return OutcomeAssessment(
            patient_id=session.patient_id,
            indication_id=session.indication_id,
            instrument=instrument,
            value=value,
            assessed_on=on,
            is_baseline=baseline,
            session=None if baseline else session,
            recorded_by=session.practitioner,
        )
