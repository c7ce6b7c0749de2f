"""The read-only admins stay read-only on django-simple-history's page for one past
version of a row: it saves its form on POST ("Revert") after checking only the view
permission (found by review, 04/12/2026)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from patients import services as patient_services
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_a_signed_session_cannot_be_reverted_to_its_draft(superuser, practitioner, patient):
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    draft = session.history.order_by("history_id").first()
    session.status, session.signed_at, session.signed_by = "signed", timezone.now(), practitioner
    session.save()
    client = client_for(superuser)
    url = f"/admin/treatments/treatmentsession/{session.pk}/history/{draft.history_id}/"
    assert client.get(url).status_code == 200  # the past version is shown
    assert client.post(url, {}).status_code == 403
    session.refresh_from_db()
    assert session.status == "signed" and session.signed_at is not None


def test_a_patients_past_version_cannot_be_saved_over_the_record(superuser, patient):
    patient_services.patient_archive(
        patient=patient, archived_by=superuser, reason="duplicate", expected_version=patient.version
    )
    first = patient.history.order_by("history_id").first()
    url = f"/admin/patients/patient/{patient.pk}/history/{first.history_id}/"
    response = client_for(superuser).post(url, {"family_name": "Tampered"})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.family_name != "Tampered" and patient.status == "archived"


# The admin's "view on site" redirect (security review 07/12/2026: a manager turned row
# numbers into patients' and side effects' addresses, which the admin does not show them).


def _view_on_site(client, obj):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(reverse("admin:view_on_site", args=[content_type.pk, obj.pk]))


def test_view_on_site_answers_a_manager_only_for_what_the_admin_shows_them(manager_client):
    patient = PatientFactory()
    assert _view_on_site(manager_client, patient).status_code == 404
    assert manager_client.get("/admin/r/not-a-number/1/").status_code == 404


def test_view_on_site_still_leads_a_superuser_to_the_record(superuser):
    patient = PatientFactory()
    response = _view_on_site(client_for(superuser), patient)
    assert response.status_code == 302
    assert response["Location"].endswith(patient.get_absolute_url())


def test_a_list_with_filters_has_the_width_of_an_ipad(superuser):
    """Browser review (07/12/2026): at 820 px the navigation sidebar and the filters left
    the access log about 210 px, its columns out of sight. No sidebar; the clinic's admin
    stylesheet puts the filters above the list up to a tablet's width (looked at in
    Chromium: the list 780 px wide in a 780 px page)."""
    page = client_for(superuser).get(reverse("admin:clinic_accessevent_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="changelist-filter"' in html
    assert 'id="nav-sidebar"' not in html
    assert "/static/clinic/admin.css" in html
