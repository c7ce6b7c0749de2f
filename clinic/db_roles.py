"""Database roles (issue 10, point 6; docs/operations.md "Database roles").

An OWNER role owns the database and every table and runs the migrations; the app runs
as a RUNTIME role that owns nothing. After every `migrate` (post_migrate, PostgreSQL
only, and only when settings.DATABASE_RUNTIME_ROLE names a role other than the migrating
user) the owner grants the runtime role exactly what the app needs:

- USAGE on schema public (never CREATE: revoked explicitly, also from PUBLIC);
- SELECT, INSERT, UPDATE, DELETE on every table; USAGE, SELECT on every sequence;
- never TRUNCATE, REFERENCES or TRIGGER (revoked explicitly);
- the access log (clinic_accessevent) and every django-simple-history table: INSERT and
  SELECT only (UPDATE, DELETE, TRUNCATE revoked);
- django_migrations: SELECT only (the runtime role cannot fake the migration state).

Signed treatment sessions are protected by triggers (treatments migration 0012) that
refuse every role; the access log by its trigger (clinic migration 0004/0005) and its
hash chain, which also catches the owner (`manage.py verify_access_log`).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.db import connections

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def append_only_tables() -> list[str]:
    """The access log, the staff-account changes (clinic.staff) and every simple-history
    table: INSERT and SELECT only."""
    from simple_history.models import HistoricalChanges

    from clinic.models import AccessEvent

    tables = {AccessEvent._meta.db_table}
    if apps.is_installed("clinic.staff"):
        tables.add(apps.get_model("staff", "StaffChange")._meta.db_table)
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges) and not model._meta.abstract:
            tables.add(model._meta.db_table)
    return sorted(tables)


def runtime_role_statements(role: str) -> list[str]:
    if not _ROLE_NAME.match(role):
        raise ValueError(f"DATABASE_RUNTIME_ROLE {role!r} is not a plain role name")
    quoted = f'"{role}"'
    statements = [
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {quoted}",
    ]
    statements += [
        f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM {quoted}'
        for table in append_only_tables()
    ]
    return statements


def grant_runtime_role(using: str = "default") -> str | None:
    """Grant the runtime role its privileges on `using`; returns the role, or None when
    there is nothing to do (not PostgreSQL, no runtime role, or it is the connection's
    own user)."""
    connection = connections[using]
    role = (getattr(settings, "DATABASE_RUNTIME_ROLE", "") or "").strip()
    if connection.vendor != "postgresql" or not role:
        return None
    if role == connection.settings_dict.get("USER"):
        return None
    with connection.cursor() as cursor:
        for statement in runtime_role_statements(role):
            cursor.execute(statement)
    return role


def grant_runtime_role_after_migrate(sender, using="default", verbosity=1, **kwargs):
    role = grant_runtime_role(using)
    if role and verbosity >= 2:
        print(f"  Granted the runtime database role {role!r} its privileges.")
