from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "clinic.staff"
    label = "staff"
    verbose_name = "Staff accounts"
