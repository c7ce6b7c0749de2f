from django.contrib import admin
from django.urls import include, path

from clinic import accounts, health, views

urlpatterns = [
    path("", views.home, name="home"),
    # Issue 12: live (process up, no database) and ready (database, migrations, worker);
    # /healthz stays as ready for the monitors that call it.
    path("healthz", health.ready, name="healthz"),
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path("accounts/login/", views.ClinicLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    # Account, two-step sign-in, idle-warning ping (issue 6)
    path("accounts/", accounts.account, name="account"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/two-factor/", accounts.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", accounts.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/remove/", accounts.two_factor_remove, name="two_factor_remove"),
    path("accounts/session/ping/", accounts.session_ping, name="session_ping"),
    path("patients/", include("patients.urls")),
    path("", include("treatments.urls")),
    path("", include("clinic.reports.urls")),
    path("diary/", include("clinic.diary.urls")),
    path("staff/", include("clinic.staff.urls")),  # issue 10
    path("jobs/", include("clinic.jobs.urls")),  # issue 12: failed background jobs
    path("admin/", admin.site.urls),
]

handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.errors.server_error"  # never touches the database (issue 12)
