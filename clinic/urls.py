from django.contrib import admin
from django.urls import include, path

from clinic import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.ClinicLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("patients/", include("patients.urls")),
    path("", include("treatments.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
