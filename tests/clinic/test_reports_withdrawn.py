"""A withdrawn draft (treatment not given: treatments.services.session_withdraw) is not
open work: the compliance report's unsigned sessions leave it out, and the sessions
report shows it only when its status is asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.reports.selectors import unsigned_overdue
from clinic.reports.selectors.scope import Scope
from tests.factories import TreatmentSessionFactory
from treatments import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_drafts(practitioner):
    """Two drafts performed 120 days ago, one of them withdrawn."""
    when = timezone.now() - timedelta(days=120)
    kept = TreatmentSessionFactory(practitioner=practitioner, performed_at=when)
    gone = TreatmentSessionFactory(practitioner=practitioner, performed_at=when)
    services.session_withdraw(session=gone, by=practitioner, reason="wrong-patient")
    return kept, gone


def test_the_compliance_report_leaves_it_out(manager_client, old_drafts):
    kept, gone = old_drafts
    html = manager_client.get("/reports/sessions/?compliance=unsigned-overdue").content.decode()
    assert kept.patient.record_number in html and gone.patient.record_number not in html
    # The dashboard's tile counts the same (any period: open work).
    assert set(unsigned_overdue(Scope(period=None)).values_list("pk", flat=True)) == {kept.pk}


def test_the_sessions_report_shows_it_when_asked_for(manager_client, old_drafts):
    kept, gone = old_drafts
    since = timezone.localdate() - timedelta(days=200)
    url = f"/reports/sessions/?start={since:%d/%m/%Y}"
    html = manager_client.get(url).content.decode()
    assert kept.patient.record_number in html and gone.patient.record_number not in html
    html = manager_client.get(url + "&status=withdrawn").content.decode()
    assert gone.patient.record_number in html and kept.patient.record_number not in html
    assert "Withdrawn (not given)" in html
