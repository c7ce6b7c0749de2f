"""The demo seed's COPY path (issue 14.6) writes what the ORM path writes: the same
patients, history rows, questionnaires and prior treatments from the same random seed,
with every derived column (name keys, record numbers, NHS check digits, phones) as the
services would derive it."""

import random
import re
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from clinic.management.commands import seed_demo
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


# A large seed sets the indexes aside (BulkLoad) ------------------------------------------

BULK_TABLES = [
    "patients_patient",
    "patients_historicalpatient",
    "patients_intakequestionnaire",
    "patients_priortreatment",
]


def _schema() -> dict:
    """The loaded tables' indexes, constraints and triggers, as PostgreSQL defines them
    (the foreign keys' own internal triggers are named by oid: the constraints stand for
    them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [BULK_TABLES],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal ORDER BY 1, 2",
            [BULK_TABLES],
        )
        triggers = cursor.fetchall()
    return {"indexes": indexes, "constraints": constraints, "triggers": triggers}


def _distinct_names() -> tuple[set, set]:
    """What the distinct-name tables hold, and what the triggers would have put there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, tokens FROM patients_search_surname")
        surnames = set(cursor.fetchall())
        cursor.execute("SELECT tokens FROM patients_search_given_name")
        given = {row[0] for row in cursor.fetchall()}
    carried = Patient.objects.values_list("family_name_key", "family_name_tokens")
    carried_given = Patient.objects.values_list("given_name_tokens", flat=True)
    return (surnames, given), (set(carried), set(carried_given))


@on_postgres
def test_a_bulk_load_writes_what_a_load_batch_by_batch_writes(monkeypatch, capsys):
    Command().ensure_staff()  # both seeds find the same staff
    before = _schema()
    # The search names upkeep (3) and the reviewed questionnaire's guards (patients 0020).
    assert len(before["indexes"]) > 30 and len(before["triggers"]) == 5
    with transaction.atomic():
        call_command("seed_demo", patients=130, sessions=False, seed=5, batch_size=40)
        assert "Building" not in capsys.readouterr().out  # below BULK_LOAD_MIN_PATIENTS
        by_batches = _snapshot()
        held, carried = _distinct_names()
        assert held == carried  # the triggers' own work
        transaction.set_rollback(True)  # the record number counter too: the same numbers
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_PATIENTS", 100)
    call_command("seed_demo", patients=130, sessions=False, seed=5, batch_size=40)
    out = capsys.readouterr().out
    assert "130/130 patients" in out
    assert "Building the 35 indexes and 9 foreign keys set aside during the load" in out
    in_bulk = _snapshot()
    assert len(in_bulk["patients"]) == 130 and in_bulk["history_keeps_public_id"]
    for table in ("patients", "history", "questionnaires", "priors"):
        assert in_bulk[table] == by_batches[table], table
    # Every index, key and trigger back as the migrations made it, triggers enabled.
    assert _schema() == before
    # The distinct names filled set-based: what the triggers would have written.
    held, carried = _distinct_names()
    assert held == carried and len(held[0]) > 50
    # and the triggers work again: a new name is added by the insert's trigger.
    patient = Patient.objects.order_by("id").first()
    Patient.objects.filter(pk=patient.pk).update(family_name_key="zzyzx", given_name_tokens=" q")
    held, carried = _distinct_names()
    assert ("zzyzx", patient.family_name_tokens) in held[0] and " q" in held[1]


@on_postgres
def test_a_bulk_load_that_fails_leaves_the_tables_as_they_were(monkeypatch):
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_PATIENTS", 10)
    before = _schema()
    calls = []
    original = Command.seed_batch_by_copy

    def fail_on_second_batch(self, size, **kwargs):
        calls.append(size)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        return original(self, size, **kwargs)

    monkeypatch.setattr(Command, "seed_batch_by_copy", fail_on_second_batch)
    with pytest.raises(RuntimeError, match="interrupted"):
        call_command("seed_demo", patients=40, sessions=False, batch_size=20)
    assert calls == [20, 20]
    assert _schema() == before
    assert not Patient.objects.exists()
    assert not IntakeQuestionnaire.objects.exists()


@on_postgres
def test_a_large_seed_by_a_role_that_does_not_own_the_tables_keeps_the_indexes(monkeypatch, capsys):
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_PATIENTS", 10)
    monkeypatch.setattr(seed_demo.BulkLoad, "owns", staticmethod(lambda cursor, models: False))
    before = _schema()
    call_command("seed_demo", patients=20, sessions=False, seed=2)
    out = capsys.readouterr().out
    assert "Not the owner of the patients' tables" in out and "Building" not in out
    assert Patient.objects.count() == 20 == Patient.history.model.objects.count()
    assert _schema() == before
    held, carried = _distinct_names()
    assert held == carried


@on_postgres
def test_a_seed_into_a_fuller_table_keeps_the_indexes(monkeypatch, capsys):
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_PATIENTS", 10)
    call_command("seed_demo", patients=30, sessions=False, seed=2)
    assert "Building" in capsys.readouterr().out
    call_command("seed_demo", patients=20, sessions=False, seed=3)  # fewer than there are
    assert "Building" not in capsys.readouterr().out
    assert Patient.objects.count() == 50 == Patient.history.model.objects.count()
    held, carried = _distinct_names()
    assert held == carried


@pytest.mark.django_db
def test_no_invented_patient_is_registered_or_archived_today():
    """A time of day today may still be to come when the seed runs: registrations and
    archives are from yesterday back (they were sometimes hours after "now")."""
    command = Command()
    command.rng = random.Random(14)
    command.staff = {"reception": SimpleNamespace(pk=1)}
    command.load_name_lists()
    today = timezone.localdate()
    rows = [command.patient_row(f"{n:07d}", today, True) for n in range(5000)]
    assert all(timezone.localdate(row["created_at"]) < today for row in rows)
    archived = [row for row in rows if row["archived_at"]]
    assert len(archived) > 100
    for row in archived:
        assert row["created_at"] <= row["archived_at"]
        assert timezone.localdate(row["archived_at"]) < today
