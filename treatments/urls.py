from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("vials/", views.vial_list, name="vials"),
    path("vials/receive/", views.vial_receive, name="vial_receive"),
    path("vials/<int:pk>/", views.vial_detail, name="vial_detail"),
    path("vials/<int:pk>/reconstitute/", views.vial_reconstitute, name="vial_reconstitute"),
    path(
        "vials/<int:pk>/reconstitution/correct/",
        views.vial_correct_reconstitution,
        name="vial_correct_reconstitution",
    ),
    path("vials/<int:pk>/discard/", views.vial_discard, name="vial_discard"),
    path("lots/", views.lot_lookup, name="lot_lookup"),
    path("reference/sources/", views.source_list, name="sources"),
    path("patients/<uuid:public_id>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<uuid:public_id>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:public_id>/check/", views.session_check, name="session_check"),
    path("sessions/<uuid:public_id>/addendum/", views.session_addendum, name="session_addendum"),
    path("sessions/<uuid:public_id>/withdraw/", views.session_withdraw, name="session_withdraw"),
    path(
        "patients/<uuid:public_id>/assessments/new/",
        views.prescriber_assessment_new,
        name="prescriber_assessment_new",
    ),
    path("tasks/", views.task_list, name="tasks"),
    path("patients/<uuid:public_id>/tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("patients/<uuid:public_id>/outcomes/", views.outcome_list, name="outcomes"),
    path("patients/<uuid:public_id>/outcomes/new/", views.outcome_new, name="outcome_new"),
    path("side-effects/", views.side_effect_queue, name="side_effect_queue"),
    path("side-effects/serious/", views.side_effect_serious, name="side_effect_serious"),
    path("patients/<uuid:public_id>/side-effects/", views.side_effect_list, name="side_effects"),
    path(
        "patients/<uuid:public_id>/side-effects/new/",
        views.side_effect_new,
        name="side_effect_new",
    ),
    path("side-effects/<uuid:public_id>/", views.side_effect_detail, name="side_effect_detail"),
    path(
        "side-effects/<uuid:public_id>/review/",
        views.side_effect_review,
        name="side_effect_review",
    ),
    path(
        "side-effects/<uuid:public_id>/decision/",
        views.side_effect_decision,
        name="side_effect_decision",
    ),
    path(
        "side-effects/<uuid:public_id>/yellow-card/",
        views.side_effect_yellow_card,
        name="yellow_card",
    ),
    path(
        "side-effects/<uuid:public_id>/yellow-card.csv",
        views.side_effect_yellow_card_csv,
        name="yellow_card_csv",
    ),
]
