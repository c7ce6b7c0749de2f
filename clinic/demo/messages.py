"""Messages to patients and the waiting list (issue 15.5, 15.6), as the worker and the
front desk would have left them around the demo week (clinic/demo/diary.py):

- reminders for the next two days' appointments: sent where the reminder time has passed
  (48 hours before), queued (with their task) where it has not, skipped on a channel the
  patient did not agree to;
- recall messages sent from the recall list one to three weeks ago to patients due for
  re-treatment, some of whom booked afterwards ("recalls sent and booked"), and a few
  sent three weeks before a recent re-treatment ("recall to treatment");
- aftercare advice after the last few sessions signed (up to two weeks back);
- a cancellation filled from the waiting list (the entry offered the slot, the offer sent,
  the patient booked into it), a second one offered this morning and not yet answered
  (to a patient who can come only at that time of day, on two weekdays), and one patient
  still waiting who can come only at the other time of day, on three weekdays (so the
  slot offered was not theirs).

The text of each message is what the clinic would have sent (clinic.diary.messaging.texts);
nothing is sent while seeding. Draws come from their own generator, made after the diary's.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

RECALLS = 12  # patients recalled
RECALLS_BOOKED = 4  # of whom this many booked afterwards
RECALLED_THEN_TREATED = 3  # re-treatments in the last four weeks that followed a recall


class MessagesSeeder:
    """The outbox and the waiting list of the demo week."""

    def record_messages(self) -> int:
        from clinic.diary.messaging.models import PatientMessage

        if PatientMessage.objects.exists():
            return 0
        rng = random.Random(self.rng.random())
        self._desk = self.staff.get("reception")
        made = self._reminders(rng)
        made += self._recalls(rng)
        made += self._aftercare(rng)
        made += self._waiting_list(rng)
        return made

    # One message, as the worker would have left it ----------------------------------

    def _message(self, *, patient, kind, channel, when, sent: bool, compose, **about):
        """A row for one channel: skipped for no consent, else sent at `when` (with its
        text) or queued for `when` (and its task queued for then)."""
        from clinic.diary.messaging.models import PatientMessage
        from clinic.diary.messaging.services import consent_problem
        from clinic.diary.messaging.tasks import send_patient_message

        problem = consent_problem(patient=patient, kind=kind, channel=channel)
        row = PatientMessage(patient=patient, kind=kind, channel=channel, send_after=when, **about)
        if problem:
            row.status, row.skip_reason, row.finished_at = "skipped", problem, when
        elif sent:
            text = compose(channel)
            row.status, row.subject, row.text = "sent", text.subject, text.body
            row.to = patient.email if channel == "email" else patient.phone
            row.sent_at = row.finished_at = when
            row.provider_reference = f"demo-{kind}-{channel}-{patient.pk}-{when:%Y%m%d%H%M}"
        else:
            row.to = patient.email if channel == "email" else patient.phone
        row.save()
        PatientMessage.objects.filter(pk=row.pk).update(created_at=min(when, timezone.now()))
        if row.status == "queued":
            send_patient_message.using(run_after=when).enqueue(row.pk)
        return row

    def _both(self, **kwargs) -> list:
        return [self._message(channel=channel, **kwargs) for channel in ("sms", "email")]

    # Reminders ------------------------------------------------------------------------

    def _reminders(self, rng) -> int:
        from clinic.diary.messaging import texts
        from clinic.diary.messaging.reminders import reminder_due_at
        from clinic.diary.models import Appointment

        now = timezone.now()
        upcoming = (
            Appointment.objects.filter(
                status__in=["booked", "confirmed"],
                starts_at__gt=now + timedelta(hours=2),
                starts_at__lt=now + timedelta(days=3),
            )
            .select_related("patient", "practitioner")
            .order_by("starts_at", "id")
        )
        made = 0
        for appointment in upcoming:
            due = reminder_due_at(appointment.starts_at)
            made += len(
                self._both(
                    patient=appointment.patient,
                    kind="reminder",
                    when=due,
                    sent=due <= now,
                    compose=lambda channel, a=appointment: texts.reminder(
                        appointment=a, channel=channel
                    ),
                    appointment=appointment,
                    appointment_starts_at=appointment.starts_at,
                )
            )
        return made

    # Recalls --------------------------------------------------------------------------

    def _recalls(self, rng) -> int:
        from clinic.diary.messaging import texts
        from clinic.diary.models import Appointment
        from treatments.models import TreatmentSession

        now = timezone.now()
        latest = {}
        for session in (
            TreatmentSession.objects.filter(status="signed")
            .select_related("patient", "indication")
            .order_by("-performed_at", "-id")
        ):
            latest.setdefault(session.patient_id, session)
        consenting = [
            s
            for s in latest.values()
            if s.patient.consent_marketing_sms or s.patient.consent_marketing_email
        ]
        booked_later = {
            a.patient_id: a
            for a in Appointment.objects.filter(
                starts_at__gt=now, created_at__lt=now - timedelta(days=1)
            ).order_by("starts_at", "id")
        }
        # Booked after the recall: due patients who have an appointment coming up.
        took_it = [s for s in consenting if s.patient_id in booked_later][:RECALLS_BOOKED]
        # Not booked (yet): the longest since their last treatment first, as the recall
        # list orders them, recalled at a time after which they booked nothing.
        chosen = [(s, booked_later[s.patient_id]) for s in took_it]
        for session in sorted(latest.values(), key=lambda s: (s.performed_at, s.pk)):
            if len(chosen) >= RECALLS:
                break
            if session in took_it:
                continue
            when = now - timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 6))
            if not Appointment.objects.filter(
                patient_id=session.patient_id, created_at__gte=when
            ).exists():
                chosen.append((session, when))
        made = 0
        for session, booked_or_when in chosen:
            if isinstance(booked_or_when, Appointment):
                when = booked_or_when.created_at - timedelta(days=rng.randint(1, 3), hours=2)
            else:
                when = booked_or_when
            made += len(
                self._both(
                    patient=session.patient,
                    kind="recall",
                    when=when,
                    sent=True,
                    compose=lambda channel, p=session.patient: texts.recall(
                        patient=p, channel=channel
                    ),
                    indication=session.indication,
                    created_by=self._desk,
                )
            )
        return made + self._recalled_then_treated(texts)

    def _recalled_then_treated(self, texts) -> int:
        """Recalls that led to a treatment (the managers' "recall to treatment" figure):
        the last few re-treatments in the past four weeks of patients who agree to
        recalls, recalled three weeks before the session. No random draw."""
        from treatments.models import TreatmentSession

        now = timezone.now()
        signed = TreatmentSession.objects.filter(status="signed")
        made = found = 0
        for session in (
            signed.filter(performed_at__gte=now - timedelta(days=28))
            .select_related("patient", "indication")
            .order_by("-performed_at", "-id")
        ):
            patient = session.patient
            if found >= RECALLED_THEN_TREATED or not (
                patient.consent_marketing_sms or patient.consent_marketing_email
            ):
                continue
            if not signed.filter(
                patient_id=patient.pk,
                indication_id=session.indication_id,
                performed_at__lt=session.performed_at - timedelta(days=28),
            ).exists():
                continue
            found += 1
            made += len(
                self._both(
                    patient=patient,
                    kind="recall",
                    when=session.performed_at - timedelta(days=21),
                    sent=True,
                    compose=lambda channel, p=patient: texts.recall(patient=p, channel=channel),
                    indication=session.indication,
                    created_by=self._desk,
                )
            )
        return made

    # Aftercare (rule 40) --------------------------------------------------------------

    def _aftercare(self, rng) -> int:
        from clinic.diary.messaging import texts
        from treatments.models import TreatmentSession

        recent = (
            TreatmentSession.objects.filter(
                status="signed", signed_at__gte=timezone.now() - timedelta(days=14)
            )
            .select_related("patient", "signed_by")
            .order_by("-signed_at", "-id")[:3]
        )
        made = 0
        for session in recent:
            made += len(
                self._both(
                    patient=session.patient,
                    kind="aftercare",
                    when=session.signed_at + timedelta(minutes=rng.randint(2, 20)),
                    sent=True,
                    compose=lambda channel, s=session: texts.aftercare(session=s, channel=channel),
                    session=session,
                    created_by=session.signed_by,
                )
            )
        return made

    # The waiting list -----------------------------------------------------------------

    def _waiting_list(self, rng) -> int:
        from clinic.diary.models import Appointment
        from clinic.diary.waiting_list.models import WaitingListEntry
        from patients.models import Patient

        now = timezone.now()
        desk = self._desk
        if desk is None:
            return 0
        cancelled = (
            Appointment.objects.filter(status="cancelled", starts_at__gt=now)
            .select_related("appointment_type", "practitioner")
            .order_by("starts_at", "id")
            .first()
        )
        if cancelled is None:  # seeded late in the day: cancel tomorrow's first booking
            cancelled = (
                Appointment.objects.filter(status__in=["booked", "confirmed"], starts_at__gt=now)
                .select_related("appointment_type", "practitioner")
                .order_by("starts_at", "id")
                .first()
            )
            if cancelled is None:
                return 0
            Appointment.objects.filter(pk=cancelled.pk).update(
                status="cancelled",
                cancelled_at=now - timedelta(hours=3),
                cancelled_by="patient",
                cancel_reason="Unwell, will call to rebook",
            )
            cancelled.refresh_from_db()
        busy = set(
            Appointment.objects.filter(starts_at__gt=now).values_list("patient_id", flat=True)
        )
        free = [
            p
            for p in Patient.objects.filter(status="active").order_by("record_number")
            if p.pk not in busy and p.pk != cancelled.patient_id
        ]
        if len(free) < 3:
            return 0
        waiting, *others = rng.sample(free, 3)
        # The first still waiting is offered a second slot (_offer_open): one who agreed to
        # be contacted on some channel, so that the offer shows as sent.
        reachable = [
            p
            for p in free
            if (p.consent_contact_sms and p.phone) or (p.consent_contact_email and p.email)
        ]
        if others[0] not in reachable:
            spare = [p for p in reachable if p not in (waiting, others[1])]
            if spare:
                others[0] = rng.choice(spare)
        offered_at = cancelled.cancelled_at + timedelta(minutes=5)
        filled = Appointment.objects.create(
            patient=waiting,
            practitioner=cancelled.practitioner,
            room=cancelled.room,
            appointment_type=cancelled.appointment_type,
            indication=cancelled.indication,
            product=cancelled.product,
            starts_at=cancelled.starts_at,
            ends_at=cancelled.ends_at,
            booked_by=desk,
            notes="From the waiting list",
        )
        Appointment.objects.filter(pk=filled.pk).update(
            created_at=offered_at + timedelta(minutes=40)
        )
        entry = WaitingListEntry.objects.create(
            patient=waiting,
            appointment_type=cancelled.appointment_type,
            from_date=timezone.localdate() - timedelta(days=12),
            notes="Would come in at short notice",
            status="booked",
            offered_appointment=cancelled,
            offered_at=offered_at,
            booked_appointment=filled,
            created_by=desk,
        )
        WaitingListEntry.objects.filter(pk=entry.pk).update(created_at=now - timedelta(days=12))
        made = self._offer_sent(entry, cancelled, when=offered_at + timedelta(minutes=2))
        still_waiting = []
        for n, patient in enumerate(others):
            later = WaitingListEntry.objects.create(
                patient=patient,
                appointment_type=cancelled.appointment_type,
                practitioner=cancelled.practitioner if n == 0 else None,
                from_date=timezone.localdate() + timedelta(days=n * 3),
                notes="" if n == 0 else "Happy to see anyone; call the mobile",
                created_by=desk,
            )
            WaitingListEntry.objects.filter(pk=later.pk).update(
                created_at=now - timedelta(days=5 - n)
            )
            still_waiting.append(later)
        return made + self._offer_open(still_waiting[0], cancelled, rng, still_waiting[1])

    @staticmethod
    def _can_come(entry, *, slot, fits: bool, days: int, rng) -> None:
        """When `entry`'s patient can come, invented around `slot`: its time of day and
        its weekday among `days` weekdays (Monday to Friday) when it `fits`, else the other
        time of day, on days without the slot's (the matching would not offer it them)."""
        from clinic.diary.waiting_list.choices import TimeOfDay, weekdays_mask
        from clinic.diary.waiting_list.models import WaitingListEntry

        starts = timezone.localtime(slot.starts_at)
        morning = TimeOfDay.MORNINGS in TimeOfDay.fitting(starts.time())
        if not fits:
            morning = not morning
        weekday = starts.weekday()
        others = [day for day in range(5) if day != weekday]
        chosen = set(rng.sample(others, days - 1 if fits else days))
        if fits:
            chosen.add(weekday)
        WaitingListEntry.objects.filter(pk=entry.pk).update(
            time_of_day=TimeOfDay.MORNINGS if morning else TimeOfDay.AFTERNOONS,
            weekdays=weekdays_mask(chosen),
            notes=entry.notes or ("Works afternoons" if morning else "School run in the mornings"),
        )

    def _offer_open(self, entry, like, rng, not_offered) -> int:
        """A second cancellation this morning, its slot offered to the first patient still
        waiting and the offer sent an hour ago, no answer yet: the waiting list shows the
        entry "Offered" with the offer's line (sent, or skipped on a channel the patient
        did not agree to). A slot past the reminders' two days (none was queued for it).
        The patient offered it can come only at its time of day, on two weekdays; the one
        still waiting (`not_offered`) only at the other time, on three."""
        from clinic.diary.models import Appointment
        from clinic.diary.waiting_list.models import WaitingListEntry

        now = timezone.now()
        later = Appointment.objects.filter(
            status__in=["booked", "confirmed"], starts_at__gt=now + timedelta(days=4)
        ).exclude(patient=entry.patient)
        # Like the first cancellation when the diary has one (same practitioner and kind of
        # visit); seeded late in the evening it may not, and any later booking will do.
        slot = None
        for alike in (
            {"appointment_type": like.appointment_type, "practitioner": like.practitioner},
            {"appointment_type": like.appointment_type},
            {},
        ):
            slot = later.filter(**alike).order_by("starts_at", "id").first()
            if slot is not None:
                break
        if slot is None:
            return 0
        cancelled_at = now - timedelta(hours=2)
        Appointment.objects.filter(pk=slot.pk).update(
            status="cancelled",
            cancelled_at=cancelled_at,
            cancelled_by="patient",
            cancel_reason="Away with work that week",
            version=slot.version + 1,
        )
        slot.refresh_from_db()
        offered_at = cancelled_at + timedelta(minutes=4)
        # Seeded late, the slot may be another practitioner's or kind: the entry waits for
        # what it was offered (its row said "With Amelia Hart" beside Priya Shah's slot).
        with_whom = entry.practitioner_id if entry.practitioner_id == slot.practitioner_id else None
        WaitingListEntry.objects.filter(pk=entry.pk).update(
            status="offered",
            offered_appointment=slot,
            offered_at=offered_at,
            appointment_type=slot.appointment_type,
            practitioner_id=with_whom,
        )
        self._can_come(entry, slot=slot, fits=True, days=2, rng=rng)
        self._can_come(not_offered, slot=slot, fits=False, days=3, rng=rng)
        entry.refresh_from_db()
        return self._offer_sent(entry, slot, when=offered_at + timedelta(minutes=55))

    def _offer_sent(self, entry, slot, *, when) -> int:
        """The offer of `slot` to `entry`'s patient, sent by reception at `when` (each
        channel sent, or skipped where the patient did not agree to it)."""
        from clinic.diary.messaging import texts

        return len(
            self._both(
                patient=entry.patient,
                kind="waiting-offer",
                when=when,
                sent=True,
                compose=lambda channel: texts.waiting_list_offer(
                    entry=entry, appointment=slot, channel=channel
                ),
                appointment=slot,
                appointment_starts_at=slot.starts_at,
                waiting_entry=entry,
                created_by=self._desk,
            )
        )
