from django.urls import path

from clinic.diary import views

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
    path("calendar/", views.feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
