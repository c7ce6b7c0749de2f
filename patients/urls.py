from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_register, name="register"),
    path("<uuid:public_id>/", views.patient_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:public_id>/archive/", views.patient_archive, name="archive"),
    path("<uuid:public_id>/restore/", views.patient_restore, name="restore"),
    path("<uuid:public_id>/history/", views.patient_history, name="history"),
    path("<uuid:public_id>/questionnaire/", views.questionnaire_list, name="questionnaires"),
    path("<uuid:public_id>/questionnaire/new/", views.questionnaire_new, name="questionnaire_new"),
    path(
        "<uuid:public_id>/questionnaire/<int:pk>/review/",
        views.questionnaire_review,
        name="questionnaire_review",
    ),
    # Record governance (issue 6): who viewed the record, subject access requests and copy
    path("<uuid:public_id>/access-log/", views.patient_access_log, name="access_log"),
    path("<uuid:public_id>/access-log.csv", views.patient_access_log_csv, name="access_log_csv"),
    path("<uuid:public_id>/subject-access/", views.subject_access_list, name="subject_access"),
    path(
        "<uuid:public_id>/subject-access/<int:pk>/",
        views.subject_access_edit,
        name="subject_access_edit",
    ),
    path(
        "<uuid:public_id>/subject-access/<int:pk>/copy.json",
        views.subject_access_export_json,
        name="subject_access_json",
    ),
    path(  # issue 12.2: the JSON copy the worker wrote
        "<uuid:public_id>/subject-access/<int:pk>/copies/<int:copy>.json",
        views.subject_access_json_download,
        name="subject_access_json_file",
    ),
    path(
        "<uuid:public_id>/subject-access/<int:pk>/copy/",
        views.subject_access_export_print,
        name="subject_access_print",
    ),
]
