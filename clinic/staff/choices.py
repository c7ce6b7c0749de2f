from django.db import models


class StaffChangeKind(models.TextChoices):
    CREATED = "created", "Account created"
    ROLE_CHANGED = "role_changed", "Role changed"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    PASSWORD_LINK_ISSUED = "password_link_issued", "Set-password link issued"
    PASSWORD_SET = "password_set", "Password set through a link"
    DOCTOR_STATUS_CHANGED = (
        "doctor_status_changed",
        "Professional registration changed",
    )
    # A manager's grant of clinical authority waits for a practitioner (StaffApproval).
    CLINICAL_ASKED = "clinical_asked", "Asked for, to be confirmed by a practitioner"
    CLINICAL_REFUSED = "clinical_refused", "Refused by a practitioner"


class ApprovalKind(models.TextChoices):
    ROLE = "role", "Practitioner role"
    REGISTRATION = "registration", "Professional registration"


class ApprovalOutcome(models.TextChoices):
    WAITING = "", "Waiting"
    CONFIRMED = "confirmed", "Confirmed"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RegulatedProfession(models.TextChoices):
    """The "regulated health professionals" of the Botulinum Toxin and Cosmetic Fillers
    (Children) Act 2021 s1(7), (a) to (d): who may give toxin to a person under 18 on a
    registered medical practitioner's directions (s1(4)(b); s2(5) "approved person")."""

    NURSE = "nurse", "Registered nurse (NMC)"
    DENTIST = "dentist", "Registered dentist (GDC)"
    PHARMACIST = "pharmacist", "Registered pharmacist (GPhC)"
    PHARMACIST_NI = "pharmacist_ni", "Registered pharmacist in Northern Ireland (PSNI)"
