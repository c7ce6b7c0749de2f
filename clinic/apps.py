from django.apps import AppConfig
from django.db.models.signals import post_migrate


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

        from clinic.history import keep_history_managers

        # Model.history without a new manager class per access (clinic/history.py).
        keep_history_managers()

        from clinic import signals

        # Session start times, the two-factor step at login, ending a deactivated
        # user's sessions (issue 6).
        signals.connect()
