from django.urls import path

from clinic.jobs import views

app_name = "jobs"

urlpatterns = [
    path("failed/", views.failed_jobs, name="failed"),
]
