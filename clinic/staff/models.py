"""The history of staff accounts, and the permission to manage them.

Managers create staff accounts, change their one role, deactivate and reactivate them
on the staff page (clinic.staff.views), never through Django's user admin, which is for
superusers only (clinic.staff.admin).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.staff.choices import StaffChangeKind


class StaffChange(models.Model):
    """One change to a staff account: who did it, to whose account, what, when.

    Append-only: written by clinic.staff.services in the same transaction as the change,
    never updated or deleted (read-only in the admin). Roles are kept as their names at
    the time, so the row still reads right if a role is renamed.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the change (the person themselves for a password they set).",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_changes"
    )
    kind = models.CharField(max_length=30, choices=StaffChangeKind.choices)
    from_role = models.CharField(max_length=40, blank=True)
    to_role = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        # Rows are only added (by the services) and read: no add/change/delete codenames.
        default_permissions = ("view",)
        permissions = [
            (
                "manage_staff",
                "Can manage staff accounts on the staff page (one role each; no superuser "
                "or admin-site status, no passwords)",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=StaffChangeKind.ROLE_CHANGED) | ~Q(to_role=""),
                name="staffchange_role_change_names_new_role",
            ),
        ]
        indexes = [models.Index(fields=["subject", "at"], name="staffchange_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: user {self.subject_id} by {self.actor_id}"

    @property
    def description(self) -> str:
        if self.kind == StaffChangeKind.ROLE_CHANGED:
            return f"Role changed from {self.from_role or 'none'} to {self.to_role}"
        if self.kind == StaffChangeKind.CREATED and self.to_role:
            return f"Account created as {self.to_role}"
        return self.get_kind_display()
