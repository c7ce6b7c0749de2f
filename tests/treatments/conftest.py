"""Fixtures shared by the treatments app's tests."""

import pytest

from tests.treatments.session_helpers import ready_patient_for


@pytest.fixture
def ready_patient(practitioner):
    """A patient ready to treat: screened 120 days ago, assessed by a prescriber."""
    return ready_patient_for(practitioner)
