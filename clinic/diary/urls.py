from django.urls import path

from clinic.diary import views
from clinic.diary.messaging import views as messaging_views
from clinic.diary.waiting_list import views as waiting_list_views

app_name = "diary"

urlpatterns = [
    path("", views.day, name="day"),
    path("week/<int:practitioner_id>/", views.week, name="week"),
    path("book/", views.book, name="book"),
    path("book/patients/", views.patient_picker, name="patient_picker"),
    path("free/", views.free_slots, name="free_slots"),
    path("appointments/<uuid:public_id>/", views.appointment, name="appointment"),
    path("appointments/<uuid:public_id>/step/", views.appointment_step, name="appointment_step"),
    path("appointments/<uuid:public_id>/move/", views.appointment_move, name="appointment_move"),
    path(
        "appointments/<uuid:public_id>/cancel/", views.appointment_cancel, name="appointment_cancel"
    ),
    path("appointments/<uuid:public_id>/start/", views.appointment_start, name="appointment_start"),
    # Messages to patients and the waiting list (issue 15.5, 15.6).
    path("outbox/", messaging_views.outbox, name="outbox"),
    path("recalls/send/", messaging_views.recall_send, name="recall_send"),
    path(
        "sessions/<uuid:public_id>/aftercare/",
        messaging_views.aftercare_send,
        name="aftercare_send",
    ),
    path("unsubscribe/<str:token>/", messaging_views.unsubscribe, name="unsubscribe"),
    path("waiting-list/", waiting_list_views.waiting_list, name="waiting_list"),
    path(
        "waiting-list/<int:pk>/change/",
        waiting_list_views.waiting_list_change,
        name="waiting_list_change",
    ),
    path(
        "waiting-list/withdraw/",
        waiting_list_views.waiting_list_withdraw,
        name="waiting_list_withdraw",
    ),
    path(
        "waiting-list/offer/",
        waiting_list_views.waiting_list_send_offer,
        name="waiting_list_send_offer",
    ),
    path("calendar/", views.feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
