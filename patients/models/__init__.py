"""The patients app's models, one module per concept: the record (the patient, the intake
questionnaire, toxin received elsewhere), subject access, and the registrations rollup.

Django finds the models through this package, and callers import them from here
(`from patients.models import Patient`): every model module is imported below.
"""

from patients.models.governance import SubjectAccessCopy, SubjectAccessRequest
from patients.models.records import (
    FAMILY_NAME_KEY_LENGTH,
    GIVEN_NAME_TOKENS_LENGTH,
    NAME_FIELDS,
    NAME_KEY_FIELDS,
    IntakeQuestionnaire,
    Patient,
    PriorTreatment,
    patient_name_keys,
)
from patients.models.registrations import DailyRegistrations

__all__ = [
    "FAMILY_NAME_KEY_LENGTH",
    "GIVEN_NAME_TOKENS_LENGTH",
    "NAME_FIELDS",
    "NAME_KEY_FIELDS",
    "DailyRegistrations",
    "IntakeQuestionnaire",
    "Patient",
    "PriorTreatment",
    "SubjectAccessCopy",
    "SubjectAccessRequest",
    "patient_name_keys",
]
