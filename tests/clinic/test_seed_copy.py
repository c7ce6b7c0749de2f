"""The demo seed's COPY path (issue 14.6) writes what the ORM path writes: the same
patients, history rows, questionnaires and prior treatments from the same random seed,
with every derived column (name keys, record numbers, NHS check digits, phones) as the
services would derive it."""

import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from clinic.management.commands.seed_demo import Command
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment, patient_name_keys
from patients.selectors import patient_search
from patients.validators import (
    is_valid_nhs_number,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
)
from treatments.models import Product

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY")

# Set by the database or the clock, so different between two runs.
VOLATILE = {"id", "public_id", "updated_at", "history_id"}


def _values(model, rows, *, skip=()):
    names = [f.attname for f in model._meta.concrete_fields]
    return [{n: getattr(row, n) for n in names if n not in VOLATILE | set(skip)} for row in rows]


def _snapshot() -> dict:
    """Everything a seed wrote, with ids replaced by record numbers and positions."""
    patients = list(Patient.objects.order_by("record_number"))
    numbers = {p.pk: p.record_number for p in patients}
    history = list(Patient.history.model.objects.order_by("record_number"))
    questionnaires = list(IntakeQuestionnaire.objects.order_by("id"))
    position = {q.pk: (numbers[q.patient_id], n) for n, q in enumerate(questionnaires)}
    priors = list(PriorTreatment.objects.order_by("id"))
    return {
        "patients": _values(Patient, patients),
        "history": _values(Patient.history.model, history, skip={"id"}),
        "history_keeps_public_id": [h.public_id for h in history]
        == [p.public_id for p in patients],
        "questionnaires": [
            {**row, "patient_id": numbers[q.patient_id]}
            for row, q in zip(
                _values(IntakeQuestionnaire, questionnaires), questionnaires, strict=True
            )
        ],
        "priors": [
            {
                **row,
                "patient_id": numbers[p.patient_id],
                "questionnaire_id": position[p.questionnaire_id],
            }
            for row, p in zip(
                _values(PriorTreatment, priors, skip={"created_at"}), priors, strict=True
            )
        ],
    }


def _seed(batch_method: str, staff: dict) -> dict:
    command = Command()
    command.rng = random.Random(7)
    command.staff = staff
    command.load_name_lists()
    command.products = list(Product.objects.filter(on_formulary=True))
    command.treatment = None
    getattr(command, batch_method)(70, large=True)
    getattr(command, batch_method)(50, large=False)
    return _snapshot()


@on_postgres
def test_copy_writes_the_rows_the_orm_writes():
    staff = Command().ensure_staff()
    with transaction.atomic():
        by_orm = _seed("seed_batch", staff)
        transaction.set_rollback(True)  # the record number counter too: the same numbers
    by_copy = _seed("seed_batch_by_copy", staff)
    assert len(by_copy["patients"]) == 120
    assert by_copy["questionnaires"] and by_copy["priors"]
    assert by_copy["history_keeps_public_id"]
    for table in ("patients", "history", "questionnaires", "priors"):
        assert by_copy[table] == by_orm[table], table


@on_postgres
def test_every_copied_row_has_its_derived_columns_as_the_services_derive_them():
    command = Command()
    command.rng = random.Random(11)
    command.staff = command.ensure_staff()
    command.load_name_lists()
    command.products, command.treatment = [], None
    command.seed_batch_by_copy(300, large=True)
    patients = list(Patient.objects.all())
    assert len(patients) == 300
    assert len({p.public_id for p in patients}) == 300
    for patient in patients:
        expected = patient_name_keys(
            family_name=patient.family_name,
            given_names=patient.given_names,
            preferred_name=patient.preferred_name,
        )
        assert {name: getattr(patient, name) for name in expected} == expected
        assert re.fullmatch(r"K\d{6}", patient.record_number)
        if patient.nhs_number:
            assert is_valid_nhs_number(patient.nhs_number)
            assert normalise_nhs_number(patient.nhs_number) == patient.nhs_number
        assert normalise_phone(patient.phone) == patient.phone
        assert normalise_phone(patient.emergency_contact_phone) == patient.emergency_contact_phone
        assert normalise_postcode(patient.postcode) == patient.postcode
        assert patient.history.get().history_type == "+"
    # Search reads the derived columns: a copied patient is found by surname.
    someone = next(p for p in patients if p.status == "active")
    found = patient_search(user=command.staff["reception"], query=someone.family_name, limit=500)
    assert someone in found


@on_postgres
def test_seed_demo_uses_copy_on_postgres_and_shows_progress(capsys):
    call_command("seed_demo", patients=30, sessions=False, seed=3)
    out = capsys.readouterr().out
    assert "30/30 patients" in out and "/s" in out and "ETA" in out
    assert Patient.objects.count() == 30
    assert Patient.history.model.objects.count() == 30


def test_copy_needs_postgres_and_no_treatment_history():
    with pytest.raises(CommandError):
        if connection.vendor == "postgresql":
            call_command("seed_demo", patients=5, sessions=True, copy=True)
        else:
            call_command("seed_demo", patients=5, sessions=False, copy=True)
