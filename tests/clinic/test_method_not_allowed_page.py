"""A page that only accepts a form answers a direct visit with a friendly page, not a
blank 405 (issue 13.19)."""

import pytest
from django.urls import reverse

from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


def test_a_direct_visit_to_a_form_only_address_gets_a_page(practitioner_client, patient):
    task = FollowUpFactory(patient=patient)
    response = practitioner_client.get(reverse("treatments:task_done", args=[task.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address only saves a form" in response.content.decode()


def test_htmx_gets_the_plain_405(practitioner_client, patient):
    task = FollowUpFactory(patient=patient)
    response = practitioner_client.get(
        reverse("treatments:task_done", args=[task.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 405 and response.content == b""
