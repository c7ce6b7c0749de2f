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
    "source",  # the documents the other rows cite (DOMAIN §9)
)

# Who may open the admin site (clinic.admin_site): the roles that keep reference data.
ADMIN_SITE_PERMISSION = "treatments.change_indication"

_reference_view = {f"treatments.view_{model}" for model in REFERENCE_MODELS}
_reference_edit = {
    f"treatments.{action}_{model}" for model in REFERENCE_MODELS for action in ("add", "change")
}

# Each cell says why the role holds it. The purpose is DOMAIN §7.3 (minimum necessary
# for the role): clinical acts (questionnaire review, reconstitution and discards,
# sessions and signing, side-effect review, outcomes) are practitioners' only; managers
# see the clinic through aggregates, pseudonymised lists and the access log, and never a
# patient's clinical record except in a subject-access copy made against a verified
# request; reception runs the front desk and reads nothing clinical back.
MATRIX: dict[Role, frozenset[str]] = {
    Role.RECEPTION: frozenset(
        {
            "patients.view_patient",  # finds and books patients: demographics, contact
            "patients.add_patient",  # registers new patients
            "patients.change_patient",  # keeps contact, GP and consent-to-contact current
            "patients.archive_patient",  # archives duplicates and leavers (never deletes)
            "patients.view_nhs_number",  # checks identity against the NHS number
            "patients.view_patient_history",  # sees who changed the demographics it edits
            "patients.add_intakequestionnaire",  # enters the patient's form; cannot read it
            "treatments.view_vial",  # stock on arrival: what was received (DOMAIN §7.3)
            "treatments.add_vial",  # books deliveries into the fridge stock: a receipt of
            # several vials of one lot, supplier and delivery note (issue 13.13)
            "treatments.add_sideeffect",  # logs a patient's phone call for a clinician;
            # cannot read side effects back (DOMAIN §7.3)
            "diary.view_appointment",  # runs the day: who is coming, who has arrived
            "diary.add_appointment",  # books patients, from the diary or a recall
            "diary.change_appointment",  # moves, cancels, confirms, marks arrivals
            "diary.view_recall_list",  # books patients due for re-treatment
            "diary.send_recall",  # sends recall messages from the recall list (rule 37)
            "diary.view_outbox",  # answers "did my reminder go?": every message and why
            "diary.view_patientmessage",  # the messages on the patient's page
            "diary.view_waitinglistentry",  # offers freed slots to waiting patients
            "diary.add_waitinglistentry",  # puts a patient on the waiting list
            "diary.change_waitinglistentry",  # withdraws them, sends the offer
        }
    ),
    Role.PRACTITIONER: frozenset(
        {
            "patients.view_patient",  # treats the patient in front of them
            "patients.view_nhs_number",  # identifies the patient before treating
            "patients.view_patient_history",  # sees corrections to the demographics
            "patients.view_intakequestionnaire",  # screening before every treatment
            "patients.add_intakequestionnaire",  # updates the history at consultation
            "patients.review_intakequestionnaire",  # a clinical act: signs off the screening
            "clinic.requires_two_factor",  # clinical access: TOTP when OTP_REQUIRED
            "treatments.view_vial",  # chooses a usable vial for the session
            "treatments.add_vial",  # books stock in when reception is not there
            "treatments.change_vial",  # reconstitutes and discards: clinical acts
            "treatments.view_treatmentsession",  # reads the treatment history
            "treatments.add_treatmentsession",  # logs a session point by point
            "treatments.change_treatmentsession",  # edits a draft before signing
            "treatments.sign_treatmentsession",  # signs: the prescriber's responsibility
            "treatments.lookup_lot",  # finds patients treated from a recalled lot
            "treatments.add_sessionaddendum",  # corrects a signed session by addendum only
            "treatments.view_followup",  # works the clinical follow-up tasks
            "treatments.add_followup",  # books a review call or diary check
            "treatments.change_followup",  # completes a task with what was found
            "treatments.view_outcomeassessment",  # judges response to treatment (NICE)
            "treatments.add_outcomeassessment",  # records scores (HIT-6, diaries …)
            # Rule 34: records the prescriber's face-to-face assessment before cosmetic work.
            "treatments.view_prescriberassessment",
            "treatments.add_prescriberassessment",
            "treatments.view_sideeffect",  # reads the reactions of patients they treat
            "treatments.add_sideeffect",  # records a reaction in full (rule 38)
            "treatments.change_sideeffect",  # completes a phoned-in report
            "treatments.review_sideeffect",  # causality and the Yellow Card decision
            "treatments.view_serious_sideeffects",  # the serious list needing a decision
            "diary.view_appointment",  # their day and pre-flight lines
            "diary.add_appointment",  # books the follow-up or review they want
            "diary.change_appointment",  # starts the session of an arrived patient
            "diary.send_aftercare",  # the rule 40 safety-net advice after signing
            "diary.view_patientmessage",  # sees the advice and reminders sent
            "diary.view_recall_list",  # their own patients due for re-treatment
            # Dashboard and reports pinned to their own sessions (clinic/reports): no
            # CSV exports, no clinic-wide stock reports, no change history.
            "reports.view_dashboard",
            "reports.view_reports",
            # The second person of a manager's grant of clinical authority (the
            # Practitioner role, a professional registration): clinic.staff.StaffApproval.
            "staff.confirm_clinical_change",
        }
        | _reference_view  # reads the dose guidelines the engine applies; edits none
    ),
    Role.MANAGER: frozenset(
        {
            "patients.view_patient",  # demographics for operations (DOMAIN §7.3)
            "patients.view_patient_history",  # governance of demographic changes
            "patients.archive_patient",  # merges duplicates and archives leavers
            "clinic.requires_two_factor",  # governance access: TOTP when OTP_REQUIRED
            "clinic.view_accessevent",  # the access log: "who viewed this patient"
            # Subject access (DOMAIN §7.4, rule 42): logs requests and makes the copy,
            # only against a request whose identity check is recorded.
            "patients.view_subjectaccessrequest",
            "patients.add_subjectaccessrequest",
            "patients.change_subjectaccessrequest",
            "patients.export_patient_record",
            "treatments.lookup_lot",  # batch recalls: who received a lot (DOMAIN §7.3)
            "treatments.view_vial",  # inventory; reconstitution and discards are clinical
            "treatments.add_vial",  # books deliveries into stock
            "treatments.view_serious_sideeffects",  # governance: pseudonymised serious list
            "diary.view_appointment",  # attendance and utilisation (DOMAIN §7.3: view)
            "diary.view_recall_list",  # recalls sent and booked (operations)
            # Working hours, rooms and appointment types, kept in the admin.
            "diary.view_workingpattern",
            "diary.add_workingpattern",
            "diary.change_workingpattern",
            "diary.view_workingexception",
            "diary.add_workingexception",
            "diary.change_workingexception",
            "diary.view_room",
            "diary.add_room",
            "diary.change_room",
            "diary.view_appointmenttype",
            "diary.add_appointmenttype",
            "diary.change_appointmenttype",
            # Dashboard, reports and CSV exports over the whole clinic, aggregated or
            # pseudonymised (DOMAIN §7.3); stock reports; change history of sessions and
            # vials (issue 5).
            "reports.view_dashboard",
            "reports.view_reports",
            "reports.view_clinic_reports",
            "reports.export_reports",
            "reports.view_change_history",
            # Staff accounts through the staff page, one role each; never Django's user
            # admin, so no path to superuser, staff status or a loose permission.
            "staff.manage_staff",
        }
        | _reference_view
        | _reference_edit  # products, indications, dose guidelines in the admin
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
    labels = {dotted.split(".", 1)[0] for codenames in MATRIX.values() for dotted in codenames}
    found: dict[str, int] = {}
    # One query for every permission the matrix names. Permission's own ordering, the
    # first kept: what .filter(app_label, codename).first() gave, one query each.
    rows = (
        permission_model.objects.using(using)
        .filter(content_type__app_label__in=labels)
        .order_by("content_type__app_label", "content_type__model", "codename")
        .values_list("content_type__app_label", "codename", "pk")
    )
    for app_label, codename, pk in rows:
        found.setdefault(f"{app_label}.{codename}", pk)
    for role, codenames in MATRIX.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(codenames):
            if dotted not in found:
                if not strict:
                    continue
                raise LookupError(f"Permission {dotted} in clinic/roles.py does not exist")
            wanted.append(found[dotted])
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    # Lenient: a partial `migrate app` may run before other apps have their permissions;
    # tests/clinic/test_roles.py checks strictly that every matrix permission exists.
    sync_roles(group_model=Group, permission_model=Permission, using=using, strict=False)
