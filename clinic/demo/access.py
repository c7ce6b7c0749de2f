"""Access events and subject access: staff views of a few records, so that "who viewed
this record" has something to show, and subject access requests.
"""

from datetime import timedelta

from django.utils import timezone

from patients.models import Patient


class AccessSeeder:
    """The access log and subject access requests."""

    def record_access_and_subject_access(self) -> int:
        """Some staff views of a few patients over the last two months, so that "who viewed
        this record" has something to show, and one open subject access request."""
        from clinic.models import AccessEvent
        from patients.models import SubjectAccessCopy, SubjectAccessRequest

        viewers = [
            (self.staff[name], role)
            for name, role in (
                ("reception", "Reception"),
                ("practitioner", "Practitioner"),
                ("manager", "Manager"),
            )
            if name in self.staff
        ]
        patients = list(Patient.objects.order_by("id")[:15])
        if not viewers or not patients:
            return 0
        now = timezone.now()
        events = []
        for patient in patients:
            for _ in range(self.rng.randint(2, 6)):
                user, role = self.rng.choice(viewers)
                events.append(
                    AccessEvent(
                        occurred_at=now - timedelta(minutes=self.rng.randint(30, 60 * 24 * 60)),
                        user=user,
                        username=user.username,
                        role=role,
                        patient=patient,
                        action="patient.view",
                        method="GET",
                        path=patient.get_absolute_url(),
                        ip_address=f"10.20.0.{self.rng.randint(2, 40)}",
                        status_code=200,
                    )
                )
        events += self._calendar_feed_reads(now)
        AccessEvent.objects.bulk_create(events)
        manager = self.staff.get("manager")
        if manager is not None and not SubjectAccessRequest.objects.exists():
            verified = SubjectAccessRequest.objects.create(
                patient=patients[0],
                requester="The patient (by email)",
                received_on=timezone.localdate() - timedelta(days=10),
                identity_verified_on=timezone.localdate() - timedelta(days=8),
                recorded_by=manager,
                notes="Asked for a copy of their treatment records.",
            )
            # A readable copy already made for it; a newer request still waits for the
            # requester's ID, so its copy cannot be produced yet (issue 10).
            SubjectAccessCopy.objects.create(
                request=verified,
                produced_by=manager,
                produced_at=timezone.now() - timedelta(days=6),
                kind="print",
            )
            SubjectAccessRequest.objects.create(
                patient=patients[min(1, len(patients) - 1)],
                requester="Solicitor, with the patient's signed authority",
                received_on=timezone.localdate() - timedelta(days=2),
                recorded_by=manager,
                notes="Waiting for proof of identity and the signed authority.",
            )
        return len(events)

    def _calendar_feed_reads(self, now) -> list:
        """The practitioner's diary on her phone: a calendar link made a week ago, read by
        the phone's calendar every few hours since (the settings page says when and from
        where it was last read). Its secret is a real random one, never the demo's seed."""
        import secrets

        from clinic.diary.feeds import feed_logged_path, feed_ref
        from clinic.diary.models import CalendarFeed
        from clinic.models import AccessEvent

        practitioner = self.staff.get("practitioner")
        if practitioner is None or CalendarFeed.objects.filter(practitioner=practitioner).exists():
            return []
        feed = CalendarFeed.objects.create(
            practitioner=practitioner,
            token=secrets.token_urlsafe(32),
            created_at=now - timedelta(days=7, hours=3),
        )
        phone = f"203.0.113.{self.rng.randint(10, 200)}"  # her mobile network's address
        reads, at = [], feed.created_at
        while (at := at + timedelta(minutes=self.rng.randint(150, 330))) < now:
            reads.append(
                AccessEvent(
                    occurred_at=at,
                    user=practitioner,
                    username=practitioner.username,
                    role="Practitioner",
                    action="diary.feed",
                    object_ref=feed_ref(feed),
                    method="GET",
                    path=feed_logged_path(feed.token),
                    ip_address=phone,
                    status_code=200,
                )
            )
        return reads
