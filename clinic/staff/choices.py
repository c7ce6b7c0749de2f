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
        "Registered medical practitioner status changed",
    )
