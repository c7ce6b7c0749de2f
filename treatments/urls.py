from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("vials/", views.vial_list, name="vials"),
    path("vials/receive/", views.vial_receive, name="vial_receive"),
    path("vials/<int:pk>/", views.vial_detail, name="vial_detail"),
    path("vials/<int:pk>/reconstitute/", views.vial_reconstitute, name="vial_reconstitute"),
    path("vials/<int:pk>/discard/", views.vial_discard, name="vial_discard"),
    path("lots/", views.lot_lookup, name="lot_lookup"),
    path("patients/<uuid:public_id>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<uuid:public_id>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:public_id>/check/", views.session_check, name="session_check"),
    path("sessions/<uuid:public_id>/addendum/", views.session_addendum, name="session_addendum"),
    path("tasks/", views.task_list, name="tasks"),
    path("patients/<uuid:public_id>/tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("patients/<uuid:public_id>/outcomes/", views.outcome_list, name="outcomes"),
    path("patients/<uuid:public_id>/outcomes/new/", views.outcome_new, name="outcome_new"),
]
