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
]
