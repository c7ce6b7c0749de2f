"""Patient pages, one module per concept; patients.urls routes to the views re-exported
here. Thin views: check access (clinic.permissions), validate a form, call one service or
selector, then redirect with a message or render.

- records: list and search, register, view, edit, archive and restore, history;
- questionnaires: the medical questionnaire, new and reviewed;
- governance: who viewed the record, subject access requests and their copies.
"""

from patients.views.governance import (
    patient_access_log,
    patient_access_log_csv,
    subject_access_edit,
    subject_access_export_json,
    subject_access_export_print,
    subject_access_json_download,
    subject_access_list,
)
from patients.views.questionnaires import (
    questionnaire_list,
    questionnaire_new,
    questionnaire_review,
)
from patients.views.records import (
    patient_archive,
    patient_detail,
    patient_edit,
    patient_history,
    patient_list,
    patient_register,
    patient_restore,
)

__all__ = [
    "patient_access_log",
    "patient_access_log_csv",
    "patient_archive",
    "patient_detail",
    "patient_edit",
    "patient_history",
    "patient_list",
    "patient_register",
    "patient_restore",
    "questionnaire_list",
    "questionnaire_new",
    "questionnaire_review",
    "subject_access_edit",
    "subject_access_export_json",
    "subject_access_export_print",
    "subject_access_json_download",
    "subject_access_list",
]
