"""Managers' view of the diary (issue 15.7): the lead time from a recall, or a referred
patient's registration, to the treated session, checked against a case worked out by
hand, in the figures, the report (and its CSV) and the dashboard panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.attendance import attendance
from clinic.diary.messaging.models import PatientMessage
from patients.models import Patient
from tests.clinic.test_diary import at, working
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory
from treatments.models import Indication

pytestmark = pytest.mark.django_db


def treated(patient, practitioner, when, indication):
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        status="signed",
        signed_at=when,
        performed_at=when,
    )


def recall(patient, indication, sent_at):
    return PatientMessage.objects.create(
        patient=patient,
        kind="recall",
        channel="sms",
        status="sent",
        indication=indication,
        send_after=sent_at,
        sent_at=sent_at,
        finished_at=sent_at,
    )


def test_lead_time_from_recall_or_referral_to_treatment(practitioner, manager):
    doctor = working(practitioner)
    migraine = Indication.objects.get(slug="chronic-migraine")
    today = timezone.localdate()
    session_at = at(0, 9)
    # A: treated 100 days ago, recalled 10 days and again 5 days before today's session:
    # 10 days, from the first recall since the previous session.
    a = PatientFactory(referral_source="self")
    treated(a, doctor, session_at - timedelta(days=100), migraine)
    recall(a, migraine, session_at - timedelta(days=10))
    recall(a, migraine, session_at - timedelta(days=5))
    treated(a, doctor, session_at, migraine)
    # B: referred by their GP, registered 21 days before their first treatment here.
    b = PatientFactory(referral_source="gp")
    Patient.objects.filter(pk=b.pk).update(created_at=session_at - timedelta(days=21))
    treated(b, doctor, session_at + timedelta(hours=1), migraine)
    # Not counted: C a self-referral's first treatment; D a referred patient treated
    # before who came back unprompted; E recalled only before their previous session.
    c = PatientFactory(referral_source="self")
    treated(c, doctor, session_at + timedelta(hours=2), migraine)
    d = PatientFactory(referral_source="gp")
    treated(d, doctor, session_at - timedelta(days=200), migraine)
    treated(d, doctor, session_at + timedelta(hours=3), migraine)
    e = PatientFactory(referral_source="self")
    recall(e, migraine, session_at - timedelta(days=120))
    treated(e, doctor, session_at - timedelta(days=100), migraine)
    treated(e, doctor, session_at + timedelta(hours=4), migraine)

    figures = attendance(start=today, end=today)

    total = figures.total
    assert total.recall_lead_days == [10.0]
    assert total.referral_lead_days == [pytest.approx(21 + 1 / 24)]  # the session at 10:00
    assert total.mean_to_treatment_days == pytest.approx((10 + 21 + 1 / 24) / 2)  # 15.52
    (line,) = figures.practitioners
    assert line.mean_to_treatment_days == total.mean_to_treatment_days
    assert total.to_treatment_text == "16 days"
    assert total.to_treatment_note == "Mean over 1 treatment after a recall and 1 after a referral"

    query = f"?start={today:%d/%m/%Y}&end={today:%d/%m/%Y}"
    client = client_for(manager)
    page = client.get(reverse("reports:diary-attendance") + query).content.decode()
    assert "Days from recall or referral to treatment" in page and "15.5" in page
    csv = b"".join(
        client.get(reverse("reports:diary-attendance_csv") + query).streaming_content
    ).decode()
    assert "Mean days from recall or referral to treatment" in csv and "15.5" in csv
    panel = client.get("/dashboard/panels/diary/" + query).content.decode()
    assert 'data-tile="diary_to_treatment">16 days<' in panel
