from django.apps import AppConfig
from django.db.models.signals import post_migrate

DATE_INVALID = "Enter a real date as dd/mm/yyyy, e.g. 14/03/2026."
DATETIME_INVALID = "Enter a real date and time as dd/mm/yyyy hh:mm, e.g. 14/03/2026 09:30."
TIME_INVALID = "Enter a time as hh:mm, e.g. 09:30."


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic import lookups  # noqa: F401 - registers the iprefix lookup
        from clinic.roles import sync_roles_after_migrate

        # Keeps the groups in step with clinic/roles.py whenever migrations run, so a
        # permission added by a later app migration reaches its roles without hand work.
        post_migrate.connect(sync_roles_after_migrate, sender=self)

        from clinic.db_roles import grant_runtime_role_after_migrate

        # PostgreSQL: the owner grants the runtime database role what the app needs, and
        # no more, after every migrate (issue 10, point 6; docs/operations.md).
        post_migrate.connect(grant_runtime_role_after_migrate, sender=self)

        from django import forms

        # Every date and date-time field says what it takes, not just "Enter a valid
        # date." (browser review 05/12): model forms' and django-filter's fields too.
        forms.DateField.default_error_messages = {
            **forms.DateField.default_error_messages,
            "invalid": DATE_INVALID,
        }
        forms.DateTimeField.default_error_messages = {
            **forms.DateTimeField.default_error_messages,
            "invalid": DATETIME_INVALID,
        }
        forms.TimeField.default_error_messages = {
            **forms.TimeField.default_error_messages,
            "invalid": TIME_INVALID,
        }

        from clinic.history import keep_history_managers

        # Model.history without a new manager class per access (clinic/history.py).
        keep_history_managers()

        from clinic import signals

        # Session start times, the two-factor step at login, ending a deactivated
        # user's sessions (issue 6).
        signals.connect()
