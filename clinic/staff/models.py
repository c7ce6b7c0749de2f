"""The history of staff accounts, and the permission to manage them.

Managers create staff accounts, change their one role, deactivate and reactivate them
on the staff page (clinic.staff.views), never through Django's user admin, which is for
superusers only (clinic.staff.admin).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.staff.choices import (
    ApprovalKind,
    ApprovalOutcome,
    RegulatedProfession,
    StaffChangeKind,
)


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
    # The role, or for a registration change the registration as it read (up to a
    # doctor's and a profession's with their numbers).
    from_role = models.CharField(max_length=160, blank=True)
    to_role = models.CharField(max_length=160, blank=True)
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
            ),
            (
                "confirm_clinical_change",
                "Can confirm or refuse a manager's grant of the Practitioner role or of a "
                "professional registration",
            ),
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
        if self.kind == StaffChangeKind.DOCTOR_STATUS_CHANGED:
            # from_role/to_role hold the registration as it read then, e.g. "registered
            # medical practitioner (GMC 1234567)"; rows from before the professions were
            # recorded say "no" or "yes (GMC 1234567)" about the doctor status alone.
            return (
                f"Professional registration changed from {_as_registration(self.from_role)} "
                f"to {_as_registration(self.to_role)}"
            )
        if self.kind == StaffChangeKind.CREATED and self.to_role:
            return f"Account created as {self.to_role}"
        if self.kind == StaffChangeKind.CLINICAL_ASKED:
            return f"{_asked(self.to_role)} asked for: a practitioner is to confirm it"
        if self.kind == StaffChangeKind.CLINICAL_REFUSED:
            return f"{_asked(self.to_role)} refused by a practitioner"
        return self.get_kind_display()


NO_REGISTRATION = "none recorded"


def _asked(what: str) -> str:
    """A clinical grant as its StaffChange row names it: the role ("Practitioner role") or
    the registration as it would read."""
    if what == "Practitioner":
        return "The Practitioner role"
    return f"Professional registration as {what}"


def _as_registration(status: str) -> str:
    if status in ("", "no"):
        return NO_REGISTRATION
    if status.startswith("yes"):
        return "registered medical practitioner" + status[3:]
    return status


class StaffProfile(models.Model):
    """Professional facts about a staff member that the safety rules read. One row per
    account, made when a manager first sets a fact (no row: none of the facts hold).

    `registered_medical_practitioner`: a doctor on the GMC register. The Botulinum Toxin
    and Cosmetic Fillers (Children) Act 2021 lets only a registered medical practitioner,
    or a regulated health professional on one's directions, give toxin to a person under
    18 (DOMAIN §10 rule 29b). `regulated_profession`: the register of a regulated health
    professional in the Act's sense (s1(7): nurse, dentist, pharmacist), who may give it on
    a registered medical practitioner's directions. Set by a manager on the staff page,
    recorded in StaffChange.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile"
    )
    registered_medical_practitioner = models.BooleanField(
        "registered medical practitioner (GMC)", default=False
    )
    gmc_number = models.CharField("GMC number", max_length=7, blank=True)
    regulated_profession = models.CharField(
        "regulated health profession",
        max_length=16,
        choices=RegulatedProfession.choices,
        blank=True,
    )
    registration_number = models.CharField("registration number", max_length=12, blank=True)

    def __str__(self) -> str:
        return f"Profile of user {self.user_id}"

    @property
    def is_regulated(self) -> bool:
        """A doctor, or a regulated health professional (the Act's s1(4)(a) or (b))."""
        return self.registered_medical_practitioner or bool(self.regulated_profession)

    def registration(self) -> str:
        """As the staff page and the account's history say it."""
        parts = []
        if self.registered_medical_practitioner:
            parts.append(
                "registered medical practitioner"
                + (f" (GMC {self.gmc_number})" if self.gmc_number else "")
            )
        if self.regulated_profession:
            # "Registered nurse (NMC)" reads "registered nurse (NMC 12A3456E)" with a number.
            label = RegulatedProfession(self.regulated_profession).label
            if self.registration_number:
                label = f"{label[:-1]} {self.registration_number})"
            parts.append(label[0].lower() + label[1:])
        return "; ".join(parts) or NO_REGISTRATION


class StaffApproval(models.Model):
    """A manager's grant of clinical authority, waiting for a practitioner to confirm it
    (security review 07/12/2026: a manager made a practitioner account, took its
    set-password link and treated patients with it; ARCHITECTURE: managers never perform
    clinical acts). The Practitioner role and a professional registration (which rule 29b
    reads) take effect only when an active practitioner other than the manager who asked
    and the person concerned confirms them, or the system administrator (a superuser)
    does; a superuser's own grants take effect at once.

    `change`: what takes effect (the role's name, or the registration's fields); `reads`:
    it in words; `was`: the account's role or registration when it was asked for, so that
    a confirmation of something changed since is refused. Rows are kept, decided or not.
    """

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_approvals"
    )
    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    change = models.JSONField()
    reads = models.CharField(max_length=160)
    was = models.CharField(max_length=160, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=10, choices=ApprovalOutcome.choices, blank=True, default=ApprovalOutcome.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind"],
                condition=Q(outcome=""),
                name="staffapproval_one_waiting_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user {self.subject_id}: {self.reads}"
