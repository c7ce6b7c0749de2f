"""Issue 13.20: the printable subject access copy reads like a document for the patient:
plain-English sections, staff and linked records by name, no internal ids or codes, UK
dates, nothing laid out wider than the page, a print stylesheet. The JSON copy is not
touched by any of this (tests/patients/test_record_governance.py)."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from clinic.models import AccessEvent
from patients.models import SubjectAccessRequest
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    UserFactory,
)
from treatments.models import SessionFinding


@pytest.fixture
def printed(manager_client, reception, practitioner, patient):
    """A patient with a questionnaire, a session with a point and an overridden finding, a
    follow-up, a changed phone number and a view in the access log: the copy's HTML."""
    practitioner.first_name, practitioner.last_name = "Amelia", "Hartley"
    practitioner.save(update_fields=["first_name", "last_name"])
    reception.first_name, reception.last_name = "Rita", "Osei"
    reception.save(update_fields=["first_name", "last_name"])
    QuestionnaireFactory(patient=patient, entered_by=reception)
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    InjectionPointFactory(session=session)
    SessionFinding.objects.create(
        session=session,
        code="interval.too_soon",
        level="override",
        message="Last BOTOX session 8 weeks ago",
        source="§10 rule 2",
        override_reason="Neurologist agreed",
        recorded_by=practitioner,
    )
    FollowUpFactory(patient=patient, rule_code="R37")
    patient.phone = "07700900999"
    patient.save()
    AccessEvent.objects.create(
        username=practitioner.username,
        role="Practitioner",
        patient=patient,
        action="patient.view",
        method="GET",
        path="/",
        status_code=200,
    )
    sar = SubjectAccessRequest.objects.create(
        patient=patient,
        received_on=date(2026, 1, 5),
        identity_verified_on=date(2026, 1, 6),
        recorded_by=UserFactory(username="sar-desk", first_name="Sam", last_name="Desk"),
    )
    # The readable copy is made by its button (POST), as the JSON copy.
    response = manager_client.post(f"/patients/{patient.public_id}/subject-access/{sar.pk}/copy/")
    assert response.status_code == 200
    html = response.content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    return {"html": html, "article": article, "session": session, "patient": patient}


@pytest.mark.django_db
def test_sections_are_in_plain_english(printed):
    article = printed["article"]
    for heading in (
        "Your personal details",
        "Your medical questionnaires",
        "Your treatment sessions",
        "Where you were injected",
        "Safety checks at your treatments",
        "Follow-up calls and reviews",
        "Who looked at your record",
    ):
        assert heading in article, heading
    assert "The details we hold to identify and contact you." in article
    assert "Viewed your record" in article


@pytest.mark.django_db
def test_staff_and_linked_records_are_named_not_numbered(printed, practitioner, reception):
    article = printed["article"]
    assert "Amelia Hartley" in article and "Rita Osei" in article
    assert f">{practitioner.username}<" not in article
    assert f">{reception.username}<" not in article
    # The change history names the person and says what changed, not "~" and ids.
    assert re.search(r"Changed(?: by [^:]+)?:\s+Mobile or main phone <em>07700900999</em>", article)
    assert "Temporalis" in article  # the injection site's name, also in its history


@pytest.mark.django_db
def test_no_internal_ids_or_codes(printed):
    article = printed["article"]
    for internal in (
        str(printed["patient"].public_id),
        str(printed["session"].public_id),
        "Public id",
        "Family name key",
        "tokens",
        "interval.too_soon",
        "R37",
        "patient.view",
        "<dt>ID</dt>",
        "<dt>Id</dt>",
        "<dt>Version</dt>",
    ):
        assert internal not in article, internal


@pytest.mark.django_db
def test_dates_are_uk_and_nothing_is_wider_than_the_page(printed):
    article = printed["article"]
    patient = printed["patient"]
    assert f"{patient.date_of_birth:%d/%m/%Y}" in article
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", article)
    # Records are label/value lists; the one table is the four-column access log.
    assert article.count("<table") == 1
    assert article.count('<th scope="col">') == 4


@pytest.mark.django_db
def test_the_copy_has_a_print_stylesheet(printed):
    assert "clinic/subject_access.css" in printed["html"]
    css = Path(settings.BASE_DIR, "clinic/static/clinic/subject_access.css").read_text()
    assert "@media print" in css and "@page" in css
