"""Reads of staff accounts and their history, with their joins done."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import Role
from clinic.staff.choices import ApprovalKind, ApprovalOutcome
from clinic.staff.models import StaffApproval, StaffChange, StaffProfile

ROLE_NAMES = [role.value for role in Role]


def _with_role_and_two_factor(queryset: QuerySet) -> QuerySet:
    """Each user's role groups as `role_groups` (one query for all users), whether they
    have a confirmed authenticator app as `has_two_factor` and a grant waiting for a
    practitioner as `awaits_confirmation` (subqueries, no extra query)."""
    return queryset.prefetch_related(
        Prefetch(
            "groups",
            queryset=Group.objects.filter(name__in=ROLE_NAMES).order_by("name"),
            to_attr="role_groups",
        )
    ).annotate(
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        # A manager's grant of clinical authority waiting for a practitioner's confirmation.
        awaits_confirmation=Exists(
            StaffApproval.objects.filter(subject=OuterRef("pk"), outcome=ApprovalOutcome.WAITING)
        ),
        role_awaits_confirmation=Exists(
            StaffApproval.objects.filter(
                subject=OuterRef("pk"), kind=ApprovalKind.ROLE, outcome=ApprovalOutcome.WAITING
            )
        ),
    )


def staff_list() -> QuerySet:
    """Every account, active ones first, by name."""
    return _with_role_and_two_factor(get_user_model().objects.all()).order_by(
        "-is_active", "last_name", "first_name", "username"
    )


def staff_get(*, pk: int):
    """The one way the staff pages fetch an account (404 when unknown), with its profile."""
    return get_object_or_404(
        _with_role_and_two_factor(get_user_model().objects.select_related("staff_profile")),
        pk=pk,
    )


def staff_changes_of(*, user) -> QuerySet:
    """The account's history, newest first, with who made each change."""
    return StaffChange.objects.filter(subject=user).select_related("actor").order_by("-at", "-id")


def role_of(user) -> str:
    """The user's role name ("" when none). Uses `role_groups` when the selector loaded
    it; otherwise one query."""
    groups = getattr(user, "role_groups", None)
    if groups is None:
        return current_role_of(user)
    return ", ".join(group.name for group in groups)


def current_role_of(user) -> str:
    """The user's role name as the database holds it now (for the services)."""
    names = user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True)
    return ", ".join(sorted(names))


def staff_profile_of(user) -> StaffProfile:
    """The account's professional facts (an unsaved, empty profile when none is recorded);
    no query when the staff selectors loaded the user."""
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return StaffProfile(user=user)


@dataclass(frozen=True)
class Registrations:
    """Who among some accounts is a registered medical practitioner (`doctors`), and who
    is a doctor or a regulated health professional (`regulated`): the Botulinum Toxin and
    Cosmetic Fillers (Children) Act 2021 s1(4)(a) and (b), which DOMAIN §10 rule 29b reads."""

    doctors: frozenset[int] = frozenset()
    regulated: frozenset[int] = frozenset()


def registrations_of(user_ids) -> Registrations:
    """One query; none when no id is given. Only active accounts count: a doctor whose
    account was deactivated (who has left) no longer directs anyone's treatment, even on a
    draft that recorded them before, as the editor no longer offers them."""
    ids = [pk for pk in user_ids if pk is not None]
    if not ids:
        return Registrations()
    # Practitioners only: a registration recorded for someone moved to another role since
    # gives them no clinical authority (review 07/12/2026).
    rows = StaffProfile.objects.filter(
        user_id__in=ids, user__is_active=True, user__groups__name=Role.PRACTITIONER.value
    ).values_list("user_id", "registered_medical_practitioner", "regulated_profession")
    doctors, regulated = set(), set()
    for user_id, doctor, profession in rows:
        if doctor:
            doctors.add(user_id)
        if doctor or profession:
            regulated.add(user_id)
    return Registrations(doctors=frozenset(doctors), regulated=frozenset(regulated))


def registered_doctors() -> QuerySet:
    """Active accounts recorded as registered medical practitioners, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_profile__registered_medical_practitioner=True,
            groups__name=Role.PRACTITIONER.value,
        )
        .order_by("last_name", "first_name", "username")
    )


def approvals_waiting(*, for_user) -> QuerySet:
    """The grants of clinical authority `for_user` may confirm or refuse (not those they
    asked for or that concern them), oldest first, with the people named."""
    return (
        StaffApproval.objects.filter(outcome=ApprovalOutcome.WAITING, subject__is_active=True)
        .exclude(asked_by=for_user)
        .exclude(subject=for_user)
        .select_related("subject", "asked_by")
    )


def approvals_waiting_of(*, user) -> list[StaffApproval]:
    """The account's grants still waiting for a practitioner (the staff pages say so)."""
    return list(
        StaffApproval.objects.filter(subject=user, outcome=ApprovalOutcome.WAITING).select_related(
            "asked_by"
        )
    )


def approval_get(*, pk: int) -> StaffApproval:
    """404 when unknown."""
    return get_object_or_404(StaffApproval.objects.select_related("subject"), pk=pk)
