"""The demo seed's patients through PostgreSQL COPY: a million patients in minutes.

The twin of PatientSeeder.seed_batch (clinic.demo.patients), for seeds without a
treatment history: the same generators draw the same values in the same order from the
same random seed, and the columns the ORM would derive are derived by the same code
(patients.models.patient_name_keys for the normalised names; record numbers from the
same counter). Each batch writes, in one transaction, the patients, their history rows
(as bulk_create_with_history writes them: "+" on the registration date, by reception,
reason "Demo seed"; copied from the patients just written by one INSERT ... SELECT, so
each patient crosses from Python once), their questionnaires and prior treatments; ids
come from the tables' own sequences. tests/clinic/test_seed_copy.py checks that both
ways write the same rows.
"""

import os
from functools import cache
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from clinic.demo.bulk_copy import CopyStream, allocate_ids
from clinic.demo.patients import FEMALE, SEED_CHANGE_REASON
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment, patient_name_keys
from patients.services import allocate_record_numbers

HISTORY_FIELDS = {"history_date": "created_at", "history_type": "'+'"}


@cache
def _name_keys(family_name: str, given_names: str, preferred_name: str) -> tuple:
    """patient_name_keys, worked out once per distinct name (a million patients carry
    a few tens of thousands): (attname, value) pairs."""
    keys = patient_name_keys(
        family_name=family_name, given_names=given_names, preferred_name=preferred_name
    )
    return tuple(keys.items())


@cache
def _history_insert(where: str) -> str:
    """INSERT INTO the patients' history table SELECT each patient's own columns, the
    registration date as history_date, "+", the user and the reason (parameters), from
    the patients `where` picks."""
    quote = connection.ops.quote_name
    columns, values = [], []
    for field in Patient.history.model._meta.concrete_fields:
        if field.attname == "history_id":
            continue  # the table's own identity
        columns.append(quote(field.column))
        if field.attname in HISTORY_FIELDS:
            values.append(HISTORY_FIELDS[field.attname])
        elif field.attname == "history_user_id":
            values.append("%(user)s")
        elif field.attname == "history_change_reason":
            values.append("%(reason)s")
        else:
            values.append(quote(Patient._meta.get_field(field.name).column))
    history, patients = quote(Patient.history.model._meta.db_table), quote(Patient._meta.db_table)
    return (
        f"INSERT INTO {history} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608 (the models' own tables and columns; every value a parameter)
        f"FROM {patients} WHERE {where} ORDER BY id"
    )


def write_history(cursor, *, user: int, ids: list[int] | None = None, from_id: int = 0) -> None:
    """The patients' "+" history rows, as bulk_create_with_history writes them, for the
    patients `ids`, or else every patient from id `from_id` on (a whole bulk load at once:
    one statement instead of one a batch)."""
    where = "id = ANY(%(ids)s)" if ids is not None else "id >= %(from_id)s"
    cursor.execute(
        _history_insert(where),
        {"ids": ids, "from_id": from_id, "user": user, "reason": SEED_CHANGE_REASON},
    )


class PatientCopySeeder:
    """seed_batch_by_copy: patients, history, questionnaires and prior treatments by COPY."""

    @transaction.atomic
    def seed_batch_by_copy(self, size: int, *, large: bool, history: bool = True) -> None:
        """`size` patients; history=False leaves their history rows to the caller
        (write_history once after a bulk load)."""
        today = timezone.localdate()
        now = timezone.now()  # updated_at, as bulk_create's auto_now gives it
        reception = self.staff["reception"].pk
        numbers = allocate_record_numbers(size)
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            patients = []
            ids = allocate_ids(cursor, Patient, size)  # before COPY: no query during one
            random_bytes = os.urandom(16 * size)  # public_id: uuid4's bytes, read at once
            with CopyStream(cursor, Patient, now=now) as stream:
                for index, (number, pk) in enumerate(zip(numbers, ids, strict=True)):
                    row = self.patient_row(number, today, large)
                    row["id"] = pk
                    row["public_id"] = UUID(
                        bytes=random_bytes[index * 16 : index * 16 + 16], version=4
                    )
                    row.update(
                        _name_keys(row["family_name"], row["given_names"], row["preferred_name"])
                    )
                    stream.write(row)
                    patients.append(row)
            if history:
                write_history(cursor, user=reception, ids=ids)
            questionnaires, priors = [], []
            for patient in patients:
                answers = self.questionnaire_rows(
                    registered_on=patient["created_at"].date(),
                    female=patient["sex"] == FEMALE,
                    today=today,
                )
                for index, values in self.prior_treatment_rows(patient["date_of_birth"], answers):
                    values["patient_id"] = patient["id"]
                    priors.append((len(questionnaires) + index, values))
                for answer in answers:
                    answer["patient_id"] = patient["id"]
                questionnaires.extend(answers)
            ids = allocate_ids(cursor, IntakeQuestionnaire, len(questionnaires))
            with CopyStream(cursor, IntakeQuestionnaire, now=now) as stream:
                for answer, pk in zip(questionnaires, ids, strict=True):
                    answer["id"] = pk
                    stream.write(answer)
            if priors:
                with CopyStream(cursor, PriorTreatment, now=now, exclude={"id"}) as stream:
                    for index, values in priors:
                        values["questionnaire_id"] = questionnaires[index]["id"]
                        stream.write(values)
