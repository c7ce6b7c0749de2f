"""Shared fixtures: the role personas (Healthchecks-style) and logged-in clients."""

import pytest
from django.test import Client

from clinic.roles import Role
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def reception(db):
    return UserFactory(username="rita", role=Role.RECEPTION)


@pytest.fixture
def practitioner(db):
    return UserFactory(username="amelia", role=Role.PRACTITIONER)


@pytest.fixture
def manager(db):
    return UserFactory(username="marcus", role=Role.MANAGER, is_staff=True)


@pytest.fixture
def deactivated(db):
    return UserFactory(username="former", role=Role.PRACTITIONER, is_active=False)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reception_client(reception):
    return client_for(reception)


@pytest.fixture
def practitioner_client(practitioner):
    return client_for(practitioner)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def patient(db, reception):
    return PatientFactory(registered_by=reception)


@pytest.fixture
def questionnaire(db, patient, reception):
    return QuestionnaireFactory(patient=patient, entered_by=reception)
