"""The demo seed's patients through PostgreSQL COPY: a million patients in minutes.

The twin of PatientSeeder.seed_batch (clinic.demo.patients), for seeds without a
treatment history: the same generators draw the same values in the same order from the
same random seed, and the columns the ORM would derive are derived by the same code
(patients.models.patient_name_keys for the normalised names; record numbers from the
same counter). Each batch writes, in one transaction, the patients, their history rows
(as bulk_create_with_history writes them: "+" on the registration date, by reception,
reason "Demo seed"), their questionnaires and prior treatments; ids come from the
tables' own sequences. tests/clinic/test_seed_copy.py checks that both ways write the
same rows.
"""

from django.db import connection, transaction
from django.utils import timezone

from clinic.demo.bulk_copy import CopyStream, allocate_ids
from clinic.demo.patients import FEMALE, SEED_CHANGE_REASON
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment, patient_name_keys
from patients.services import allocate_record_numbers


class PatientCopySeeder:
    """seed_batch_by_copy: patients, history, questionnaires and prior treatments by COPY."""

    @transaction.atomic
    def seed_batch_by_copy(self, size: int, *, large: bool) -> None:
        today = timezone.localdate()
        now = timezone.now()  # updated_at, as bulk_create's auto_now gives it
        reception = self.staff["reception"].pk
        numbers = allocate_record_numbers(size)
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            patients = []
            ids = allocate_ids(cursor, Patient, size)  # before COPY: no query during one
            with CopyStream(cursor, Patient, now=now) as stream:
                for number, pk in zip(numbers, ids, strict=True):
                    row = self.patient_row(number, today, large)
                    row["id"] = pk
                    row.update(
                        patient_name_keys(
                            family_name=row["family_name"],
                            given_names=row["given_names"],
                            preferred_name=row["preferred_name"],
                        )
                    )
                    stream.write(row)  # fills in public_id, kept for the history row
                    patients.append(row)
            with CopyStream(cursor, Patient.history.model, exclude={"history_id"}) as stream:
                for row in patients:
                    row["history_date"] = row["created_at"]
                    row["history_type"] = "+"
                    row["history_user_id"] = reception
                    row["history_change_reason"] = SEED_CHANGE_REASON
                    stream.write(row)
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
