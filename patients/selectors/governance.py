"""Record governance on the patient page: how long the record is kept (DOMAIN rule 43) and
subject access requests (rule 42)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from patients.models import (
    Patient,
)
from patients.retention import Retention


@dataclass(frozen=True)
class RecordGovernance:
    """The patient page's "records" box: how long to keep the record, and for managers
    the subject access requests (open ones and the next deadline)."""

    retention: Retention
    subject_access_requests: list = field(default_factory=list)

    @property
    def open_requests(self) -> list:
        return [sar for sar in self.subject_access_requests if sar.is_open]

    @property
    def next_due_on(self) -> date | None:
        return min((sar.due_on for sar in self.open_requests), default=None)


def patient_retention(*, patient: Patient) -> Retention:
    """Rule 43, counted from the last signed treatment session here; a patient never
    treated here is counted from registration (the record was still created)."""
    from django.db.models import Max, Q

    from patients.retention import retain_until

    # Through the reverse relation, so that patients does not import treatments (the
    # floors of docs/architecture.md): "signed" is treatments' SessionStatus.SIGNED.
    last = Patient.objects.filter(pk=patient.pk).aggregate(
        last=Max("treatment_sessions__performed_at", filter=Q(treatment_sessions__status="signed"))
    )["last"]
    counted_from = timezone.localdate(last or patient.created_at)
    return retain_until(
        date_of_birth=patient.date_of_birth,
        last_treatment_on=counted_from,
        never_treated=last is None,
    )


def subject_access_requests_for_patient(*, patient: Patient, with_copies: bool = False) -> list:
    """The patient's requests, newest first; `with_copies` also loads the copies made for
    each (one more query), for the requests page."""
    from patients.models import SubjectAccessCopy, SubjectAccessRequest

    qs = SubjectAccessRequest.objects.filter(patient=patient).select_related("recorded_by")
    if with_copies:
        qs = qs.prefetch_related(
            Prefetch("copies", queryset=SubjectAccessCopy.objects.select_related("produced_by"))
        )
    return list(qs.order_by("-received_on", "-id"))


def patient_governance(*, patient: Patient, user) -> RecordGovernance:
    """One query for the retention date, one more for managers' request list."""
    requests = (
        subject_access_requests_for_patient(patient=patient)
        if user.has_perm("patients.view_subjectaccessrequest")
        else []
    )
    return RecordGovernance(
        retention=patient_retention(patient=patient), subject_access_requests=requests
    )
