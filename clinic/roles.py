"""The role -> permission matrix: the single source of truth for who may do what.

Groups named after the roles are synced from MATRIX by a migration and after every
`migrate` (post_migrate), and by `manage.py sync_roles`. Views declare the permission they
need (clinic.permissions); nothing checks group names.
"""

from enum import StrEnum


class Role(StrEnum):
    RECEPTION = "Reception"
    PRACTITIONER = "Practitioner"
    MANAGER = "Manager"


REFERENCE_MODELS = (
    "product",
    "indication",
    "anatomicalsite",
    "outcomeinstrument",
    "doseguideline",
    "doselimit",
    "sitetemplate",
    "safetyparameter",
    "sideeffectterm",
)

_reference_view = {f"treatments.view_{model}" for model in REFERENCE_MODELS}
_reference_edit = {
    f"treatments.{action}_{model}" for model in REFERENCE_MODELS for action in ("add", "change")
}

MATRIX: dict[Role, frozenset[str]] = {
    # Registers and finds patients, keeps demographics current, enters the patient's
    # intake questionnaire but cannot read it back (DOMAIN §7.3).
    Role.RECEPTION: frozenset(
        {
            "patients.view_patient",
            "patients.add_patient",
            "patients.change_patient",
            "patients.archive_patient",
            "patients.view_nhs_number",
            "patients.view_patient_history",
            "patients.add_intakequestionnaire",
            # Stock: receiving vials (DOMAIN §7.3 "Stock, vials: view (receiving)").
            "treatments.view_vial",
            "treatments.add_vial",
            # Logs a patient's phone call about a side effect for a practitioner to
            # complete; cannot read side effects back (DOMAIN §7.3).
            "treatments.add_sideeffect",
        }
    ),
    # Reads demographics, reviews the questionnaire, manages vials, logs and signs
    # sessions, works follow-up tasks; no reference-data edits.
    Role.PRACTITIONER: frozenset(
        {
            "patients.view_patient",
            "patients.view_nhs_number",
            "patients.view_patient_history",
            "patients.view_intakequestionnaire",
            "patients.add_intakequestionnaire",
            "patients.review_intakequestionnaire",
            # Security (issue 6): two-step sign-in when OTP_REQUIRED (production).
            "clinic.requires_two_factor",
            "treatments.view_vial",
            "treatments.add_vial",
            "treatments.change_vial",
            "treatments.view_treatmentsession",
            "treatments.add_treatmentsession",
            "treatments.change_treatmentsession",
            "treatments.sign_treatmentsession",
            "treatments.lookup_lot",
            "treatments.add_sessionaddendum",
            "treatments.view_followup",
            "treatments.add_followup",
            "treatments.change_followup",
            "treatments.view_outcomeassessment",
            "treatments.add_outcomeassessment",
            "treatments.view_sideeffect",
            "treatments.add_sideeffect",
            "treatments.change_sideeffect",
            "treatments.review_sideeffect",
            "treatments.view_serious_sideeffects",
            # Dashboard and reports (issue 5): their own figures only, enforced by the
            # report selectors (clinic/reports/selectors.py); no CSV exports, no
            # clinic-wide stock reports, no change history.
            "reports.view_dashboard",
            "reports.view_reports",
        }
        | _reference_view
    ),
    # Operations and governance: reads, reference data in the admin, staff accounts.
    # No NHS numbers (not needed for the role, DOMAIN §7.3); signs nothing clinical.
    Role.MANAGER: frozenset(
        {
            "patients.view_patient",
            "patients.view_patient_history",
            "patients.view_intakequestionnaire",
            "patients.archive_patient",
            # Security and privacy (issue 6): two-step sign-in when OTP_REQUIRED; the
            # access log ("who viewed this patient"); subject access requests and the
            # patient's full subject access copy (DOMAIN §7.3, §7.4).
            "clinic.requires_two_factor",
            "clinic.view_accessevent",
            "patients.view_subjectaccessrequest",
            "patients.add_subjectaccessrequest",
            "patients.change_subjectaccessrequest",
            "patients.export_patient_record",
            # Inventory and batch recall (lot lookup); no clinical session detail.
            "treatments.lookup_lot",
            "treatments.view_vial",
            "treatments.add_vial",
            "treatments.change_vial",
            # Outcome measures: reads the response to treatment (DOMAIN §5 dashboards).
            "treatments.view_outcomeassessment",
            # Serious side effects and their Yellow Card decisions, pseudonymised, for
            # governance (DOMAIN §7.3); no clinical detail.
            "treatments.view_serious_sideeffects",
            # Dashboard, reports and CSV exports over the whole clinic, aggregated or
            # pseudonymised (DOMAIN §7.3); stock reports; change history of sessions and
            # vials (issue 5).
            "reports.view_dashboard",
            "reports.view_reports",
            "reports.view_clinic_reports",
            "reports.export_reports",
            "reports.view_change_history",
            # Staff accounts through the staff page, one role each; never Django's user admin.
            "staff.manage_staff",
        }
        | _reference_view
        | _reference_edit
    ),
}


def permissions_for(role: Role) -> frozenset[str]:
    return MATRIX[role]


def role_allows(role: Role | None, permission: str) -> bool:
    return role is not None and permission in MATRIX[role]


def sync_roles(*, group_model, permission_model, using: str = "default", strict=True) -> None:
    """Make each role's group hold exactly the matrix's permissions.

    Takes the model classes so that migrations can pass their historical models. A
    migration runs with strict=False: a permission whose model a later migration adds is
    skipped there and granted by the post_migrate sync once it exists.
    """
    for role, codenames in MATRIX.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(codenames):
            app_label, codename = dotted.split(".", 1)
            perm = (
                permission_model.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is None:
                if not strict:
                    continue
                raise LookupError(f"Permission {dotted} in clinic/roles.py does not exist")
            wanted.append(perm)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    # Lenient: a partial `migrate app` may run before other apps have their permissions;
    # tests/clinic/test_roles.py checks strictly that every matrix permission exists.
    sync_roles(group_model=Group, permission_model=Permission, using=using, strict=False)
