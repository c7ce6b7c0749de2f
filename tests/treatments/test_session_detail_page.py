"""A signed session's page as a practitioner reads it."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_a_signed_sessions_confirmations_are_listed_without_a_trailing_separator(practitioner):
    """Browser review (07/12/2026): "screening · consent ·" when the last was not ticked."""
    session = TreatmentSessionFactory(
        practitioner=practitioner,
        signed=True,
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=False,
    )
    page = client_for(practitioner).get(
        reverse("treatments:session_detail", args=[session.public_id])
    )
    assert '<dd class="col-7">screening · consent</dd>' in page.content.decode()
