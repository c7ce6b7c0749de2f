"""Patient forms, one module per concept (as patients.views): input checks only; domain
rules (duplicates, edit conflicts) live in patients.services.

- records: registering and editing a patient, archiving one;
- questionnaires: the medical questionnaire, prior toxin treatments, the review;
- governance: the access log's dates, subject access requests.
"""

from patients.forms.governance import (
    AccessLogFilterForm,
    EditSubjectAccessRequestForm,
    NewSubjectAccessRequestForm,
    SubjectAccessRequestForm,
)
from patients.forms.questionnaires import (
    PriorTreatmentForm,
    PriorTreatmentFormSet,
    QuestionnaireForm,
    ReviewForm,
)
from patients.forms.records import (
    ArchiveForm,
    EditPatientForm,
    PatientForm,
    RegisterPatientForm,
    RestoreForm,
)

__all__ = [
    "AccessLogFilterForm",
    "ArchiveForm",
    "EditPatientForm",
    "EditSubjectAccessRequestForm",
    "NewSubjectAccessRequestForm",
    "PatientForm",
    "PriorTreatmentForm",
    "PriorTreatmentFormSet",
    "QuestionnaireForm",
    "RegisterPatientForm",
    "RestoreForm",
    "ReviewForm",
    "SubjectAccessRequestForm",
]
