"""The demo seed: staff logins with roles, invented patients, idempotent --if-empty."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patients.models import IntakeQuestionnaire, Patient
from patients.validators import is_valid_nhs_number

pytestmark = pytest.mark.django_db


def test_seed_creates_staff_and_patients(capsys):
    call_command("seed_demo", patients=40, seed=1)
    users = get_user_model().objects
    assert users.get(username="reception").groups.get().name == "Reception"
    assert users.get(username="practitioner").groups.get().name == "Practitioner"
    assert users.get(username="manager").groups.get().name == "Manager"
    assert users.get(username="admin").is_superuser
    assert users.get(username="reception").check_password("clinic-demo-2026")
    assert Patient.objects.count() == 40
    assert IntakeQuestionnaire.objects.exists()
    numbers = [n for n in Patient.objects.values_list("nhs_number", flat=True) if n]
    assert numbers and all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)
    assert Patient.objects.first().history.exists()
    out = capsys.readouterr().out
    assert "40/40 patients" in out and "password for all" in out


def test_if_empty_leaves_existing_data(capsys):
    call_command("seed_demo", patients=10, seed=1)
    call_command("seed_demo", patients=10, seed=2, if_empty=True)
    assert Patient.objects.count() == 10
    assert "left as it is" in capsys.readouterr().out
