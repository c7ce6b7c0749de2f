from django.urls import path

from clinic.reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panels/<slug:panel>/", views.dashboard_panel, name="dashboard_panel"),
    path("reports/", views.report_index, name="index"),
    path("reports/exports/", views.export_list, name="exports"),  # issue 12.2
    path("reports/exports/<int:pk>/", views.export_download, name="export_download"),
    path("history/", views.history_index, name="history"),
    path("history/sessions/<uuid:public_id>/", views.session_history, name="session_history"),
    path("history/vials/<int:pk>/", views.vial_history, name="vial_history"),
]

for slug, (page, download, prepare) in views.REPORT_VIEWS.items():
    urlpatterns += [
        path(f"reports/{slug}/", page, name=slug),
        path(f"reports/{slug}/csv/", download, name=f"{slug}_csv"),
        # A large CSV: the button on the CSV URL's page (POST) has the worker prepare it.
        path(f"reports/{slug}/csv/prepare/", prepare, name=f"{slug}_csv_prepare"),
    ]
