from django.urls import path

from clinic.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("add/", views.staff_add, name="add"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/role/", views.staff_change_role, name="role"),
    path("<int:pk>/registration/", views.staff_registration, name="registration"),
    path("<int:pk>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.staff_reactivate, name="reactivate"),
    path("<int:pk>/password-link/", views.staff_password_link, name="password_link"),
    # A practitioner confirms or refuses a manager's grant of clinical authority.
    path("approvals/<int:pk>/", views.staff_approval_decide, name="approval_decide"),
    # The one-time link (public: the person has no password yet).
    path("password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
]
