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
- the tables of NEVER_DELETED (clinical, patient-identifying and governance records):
  no DELETE (see "Never deleted" below);
- django_migrations: SELECT only (the runtime role cannot fake the migration state).

Signed treatment sessions are protected by triggers (treatments migration 0012) that
refuse every role (their functions' search_path pinned after every migrate:
PIN_TRIGGER_SEARCH_PATH below); the access log by its trigger (clinic migration 0004/0005) and its
hash chain, which also catches the owner (`manage.py verify_access_log`).

Never deleted. The clinic's rule: clinical records are never hard-deleted (patients are
archived, reference rows retired, a signed session corrected by addendum), and a direct
DELETE would leave no history row. So the runtime role has no DELETE on any table of
NEVER_DELETED below (REVOKE DELETE after the broad GRANT, on every migrate): the app
itself never deletes a row of them, found by reading the code (services, views, admin,
management commands, signals, CASCADE chains from what the app does delete). It keeps
DELETE only on the tables of DELETED_BY_THE_APP, each with where and why the app deletes
its rows (a draft's points being replaced, sign-in sessions, derived rollups...), and
on the tables of other apps (Django's auth and content types, django-tasks, axes, OTP
devices) and those made by raw SQL (the patients' search names, patients migration 0016).
The owner can still delete (it owns the tables): it is for migrations and restores only.

Adding a model to patients, treatments or any clinic app: put its label in NEVER_DELETED
(with a comment) unless the app deletes its rows in normal operation; then it goes in
DELETED_BY_THE_APP with the reason. tests/clinic/test_db_roles_never_deleted.py fails
while a model is in neither, and checks on PostgreSQL that the runtime role is refused a
DELETE on every never-deleted table. Labels are resolved to db_table at grant time, so a
renamed table follows its model, and a renamed or removed model fails loudly.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.db import connections

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


# The models (app_label.ModelName) whose rows the app never deletes: the runtime role
# loses DELETE on their tables. Each with why nothing deletes them.
NEVER_DELETED: tuple[str, ...] = (
    # patients: archived, never deleted (DOMAIN §7.1); the admin is read-only.
    "patients.Patient",
    "patients.IntakeQuestionnaire",  # the screening history; a new one supersedes it
    "patients.PriorTreatment",  # the questionnaire's answers (formset can_delete=False)
    "patients.SubjectAccessRequest",  # DOMAIN §7.4: the request and its identity check
    "patients.SubjectAccessCopy",  # which copy was made and given, by whom
    # treatments: the clinical record. A draft session is never discarded by the app; a
    # signed one and its rows are also guarded by triggers (migrations 0012, 0016, 0038).
    "treatments.TreatmentSession",
    "treatments.SessionFinding",  # the findings and their override reasons
    "treatments.SessionAddendum",  # the corrections of a signed session
    "treatments.SessionWithdrawal",  # why a draft was withdrawn (treatment not given)
    "treatments.FollowUp",  # done or not, with what was found
    "treatments.OutcomeAssessment",
    "treatments.PrescriberAssessment",  # rule 34: the face-to-face assessment
    "treatments.SideEffect",  # with the Yellow Card decision (rule 38)
    # Stock: a vial is discarded (with its reason), never deleted; migration 0039 also
    # refuses deleting one a signed session drew from.
    "treatments.Vial",
    "treatments.StockReceipt",
    # Reference data, cited by clinical history: retired, never deleted (treatments/admin.py
    # ReferenceAdmin has no delete permission).
    "treatments.Product",
    "treatments.Indication",
    "treatments.AnatomicalSite",
    "treatments.OutcomeInstrument",
    "treatments.SafetyParameter",
    "treatments.DoseGuideline",
    "treatments.DoseLimit",
    "treatments.SiteTemplate",
    "treatments.SideEffectTerm",
    "treatments.Source",
    # The diary: appointments are cancelled, entries withdrawn, feeds revoked (revoked_at),
    # rooms and appointment types retired (clinic/diary/admin.py: no delete); the outbox is
    # the history of what was sent (clinic/diary/messaging/models.py).
    "diary.Appointment",
    "diary.PatientMessage",
    "diary.WaitingListEntry",
    "diary.CalendarFeed",
    "diary.Room",
    "diary.AppointmentType",
    # Staff facts the safety rules read (rule 29b), changed on the staff page and recorded
    # in StaffChange (itself append-only, above).
    "staff.StaffProfile",
    "staff.StaffApproval",  # who asked for clinical authority, who confirmed or refused it
    # Governance: which report left the building, with which filters (DOMAIN §7.2).
    "reports.ReportExport",
    # The record-number counter: deleting it would restart the numbers.
    "clinic.Counter",
)

# The models whose rows the app does delete: the runtime role keeps DELETE. Each with where.
DELETED_BY_THE_APP: dict[str, str] = {
    "treatments.InjectionPoint": "a draft's points are replaced on every save that changes "
    "them (treatments.services.sessions._replace_points, clinic.history_writes."
    "replace_with_history: a '-' history row each); a signed session's are refused by "
    "the triggers of treatments migration 0012",
    "treatments.VialDraw": "a draft's draws are planned again when its units or vials change "
    "(treatments.services.draws: VialDraw...delete()), and deleted when the draft is "
    "withdrawn (treatments.services.withdrawing); signed or withdrawn: triggers (0012, "
    "0016, 0047)",
    "treatments.SessionVial": "a draft's further vials are replaced, and unneeded ones "
    "dropped (treatments.services.draws: set_further_vials, the draws), and deleted when "
    "the draft is withdrawn (treatments.services.withdrawing); signed or withdrawn: triggers",
    "treatments.SiteTemplateRow": "a template's rows are removed in the admin's inline "
    "(treatments/admin.py SiteTemplateRowInline, managers with change_sitetemplate)",
    "treatments.Indication_uk_licensed_products": "the admin's indication form sets its "
    "licensed products (filter_horizontal): rows of the many-to-many table are removed",
    "treatments.Indication_us_licensed_products": "as the UK licensed products: the "
    "admin's indication form removes rows of the many-to-many table",
    "treatments.Indication_outcome_instruments": "as the licensed products: the admin's "
    "indication form removes rows of the many-to-many table",
    # Derived summaries (issue 14.5): `manage.py rebuild_rollups` (run as the runtime role)
    # empties and refills them, and their upkeep deletes a row whose count reaches 0.
    "patients.DailyRegistrations": "a derived rollup: patients.rollups.rebuild deletes and "
    "refills it",
    "treatments.SessionTotals": "a derived rollup: treatments.services.rollup_rebuild "
    "deletes and refills it",
    "treatments.DailySessionRollup": "a derived rollup: rollup_rebuild deletes and refills it",
    "treatments.PatientReturnRollup": "a derived rollup: rollup_rebuild, and its upkeep "
    "deletes a row down to 0 sessions (treatments.services.rollups)",
    "treatments.LatestCourse": "a derived rollup: treatments.services.panel_rebuild deletes "
    "and refills it",
    "treatments.DailyCourseRollup": "a derived rollup: panel_rebuild deletes and refills it",
    "treatments.DailyWasteRollup": "a derived rollup: panel_rebuild deletes and refills it",
    "treatments.OutcomeScoreTotals": "a derived rollup: panel_rebuild, and its upkeep "
    "deletes an assessment's row (treatments.services.panel_rollups)",
    "treatments.OutcomeRollup": "a derived rollup: panel_rebuild, and its upkeep deletes a "
    "row down to 0 series (treatments.services.panel_rollups)",
    "diary.WorkingPattern": "working hours are settings, deletable in the admin "
    "(clinic/diary/admin.py keeps the default delete permission); no patient data",
    "diary.WorkingException": "as working hours: deletable in the admin; no patient data",
    "clinic.StaffSession": "signed-in sessions: deleted on sign-out and key cycling "
    "(Django's session store), and a deactivated user's at once (clinic.signals)",
    "clinic.SubmissionToken": "one-time form tokens (clinic.idempotency): no clinical "
    "content; not deleted by the app yet, kept deletable so that old ones can be purged",
    "jobs.WorkerHeartbeat": "the worker's bookkeeping (clinic.background): no patient data; "
    "kept deletable so that a retired worker's row can be removed",
    "jobs.FailedJob": "the worker's bookkeeping, no patient data (clinic/jobs/models.py); "
    "kept deletable so that old failures can be cleared",
}


def _tables(labels) -> list[str]:
    """The db_table of each model label whose app is installed. A label of an installed app
    that names no model (renamed, removed) raises LookupError: it must not silently drop
    out of the grants."""
    tables = set()
    for label in labels:
        app_label, model_name = label.split(".")
        try:
            apps.get_app_config(app_label)
        except LookupError:  # an optional app (clinic.diary, clinic.staff) not installed
            continue
        tables.add(apps.get_model(app_label, model_name)._meta.db_table)
    return sorted(tables)


def never_deleted_tables() -> list[str]:
    """The tables of NEVER_DELETED: no DELETE for the runtime role."""
    return _tables(NEVER_DELETED)


def deleted_by_the_app_tables() -> list[str]:
    """The tables of DELETED_BY_THE_APP: the runtime role keeps DELETE."""
    return _tables(DELETED_BY_THE_APP)


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
    statements += [f'REVOKE DELETE ON "{table}" FROM {quoted}' for table in never_deleted_tables()]
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


# Temporary tables come first in a session's search_path for table names (before public and
# even pg_catalog), and any role may create them: a trigger function that names a table
# without a pinned search_path reads the caller's own temporary table of that name instead
# (security review 07/12/2026: a TEMP treatments_treatmentsession, empty, let the runtime
# role rewrite a signed session's points). Every trigger function of the schema gets
# pg_catalog, the schema, then pg_temp last, as PostgreSQL advises for SECURITY DEFINER
# functions; after every migrate, because CREATE OR REPLACE FUNCTION drops the setting.
PIN_TRIGGER_SEARCH_PATH = """
DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema()
           AND p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype
           AND pg_catalog.pg_has_role(p.proowner, 'USAGE')
    LOOP
        EXECUTE pg_catalog.format(
            'ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', f, current_schema()
        );
    END LOOP;
END
$pin$;
"""


def pin_trigger_search_path(using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(PIN_TRIGGER_SEARCH_PATH)


def grant_runtime_role_after_migrate(sender, using="default", verbosity=1, **kwargs):
    pin_trigger_search_path(using)
    role = grant_runtime_role(using)
    if role and verbosity >= 2:
        print(f"  Granted the runtime database role {role!r} its privileges.")
