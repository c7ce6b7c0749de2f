"""Reviewing a questionnaire (after the review): a second reviewer's note is never dropped
while they are told it was saved."""

import pytest
from django.urls import reverse

from clinic.models import AccessEvent
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "on warfarin - discuss before treating"


def _review_url(patient, questionnaire):
    return reverse("patients:questionnaire_review", args=[patient.public_id, questionnaire.pk])


def test_a_second_review_is_refused_with_its_note_kept(
    practitioner_client, practitioner, patient, questionnaire
):
    url = _review_url(patient, questionnaire)
    assert practitioner_client.post(url, {"note": "ok"}).status_code == 302
    questionnaire.refresh_from_db()
    first = (questionnaire.reviewed_by_id, questionnaire.reviewed_at, questionnaire.review_note)
    other = client_for(UserFactory(username="dr3", role="Practitioner"))

    response = other.post(url, {"note": NOTE})

    assert response.status_code == 200
    html = response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    assert not any("as reviewed." in m and m.startswith("Marked") for m in messages)
    who = practitioner.get_full_name() or practitioner.get_username()
    assert any(m.startswith(f"Not saved: {who} had already marked") for m in messages), messages
    assert 'data-testid="review-note-not-saved"' in html
    assert "on warfarin - discuss before treating" in html  # the note, kept on the page
    questionnaire.refresh_from_db()
    assert (
        questionnaire.reviewed_by_id,
        questionnaire.reviewed_at,
        questionnaire.review_note,
    ) == first
    assert questionnaire.history.count() == 2  # created, reviewed once
    # the page showed the questionnaires: logged as a view of them
    assert AccessEvent.objects.filter(
        action="questionnaire.view", patient=patient, method="POST"
    ).exists()


def test_the_same_review_sent_twice_is_done_once(practitioner_client, patient, questionnaire):
    url = _review_url(patient, questionnaire)
    practitioner_client.post(url, {"note": "ok"})
    again = practitioner_client.post(url, {"note": "ok"})
    assert again.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.history.count() == 2


def test_a_review_note_too_long_is_kept_to_shorten(practitioner_client, patient, questionnaire):
    note = "x" * 501

    response = practitioner_client.post(_review_url(patient, questionnaire), {"note": note})

    assert response.status_code == 200
    html = response.content.decode()
    assert "longer than 500 characters" in html
    assert f'value="{note}"' in html
    questionnaire.refresh_from_db()
    assert not questionnaire.is_reviewed
