"""What a page is about (the period and the optional practitioner, indication and
product) and who may see what: `scope_for` pins a practitioner to their own figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from clinic.reports.periods import Period
from treatments.choices import SessionStatus
from treatments.models import TreatmentSession


@dataclass(frozen=True)
class Scope:
    """What a page is about: the period and the optional practitioner, indication and
    product. `own_only` marks a practitioner's own figures (not a choice they made)."""

    period: Period
    practitioner_id: int | None = None
    indication_id: int | None = None
    product_id: int | None = None
    own_only: bool = False

    @property
    def previous(self) -> Scope:
        return Scope(
            self.period.compared(),
            self.practitioner_id,
            self.indication_id,
            self.product_id,
            self.own_only,
        )


def sees_whole_clinic(user) -> bool:
    """Managers see the clinic; so does the front desk on the one report it may open
    (the recall list, to book from), since it has no figures of its own. Practitioners
    see their own."""
    return user.has_perm("reports.view_clinic_reports") or not user.has_perm("reports.view_reports")


def scope_for(*, user, period: Period, practitioner=None, indication=None, product=None) -> Scope:
    """The scope a user may see. Without the clinic-wide permission the practitioner is
    always the user themselves (a chosen practitioner is ignored)."""
    if sees_whole_clinic(user):
        practitioner_id = practitioner.pk if practitioner is not None else None
        own_only = False
    else:
        practitioner_id, own_only = user.pk, True
    return Scope(
        period=period,
        practitioner_id=practitioner_id,
        indication_id=indication.pk if indication is not None else None,
        product_id=product.pk if product is not None else None,
        own_only=own_only,
    )


def session_q(scope: Scope, prefix: str = "") -> Q:
    """The practitioner / indication / product part of a scope, for sessions reached
    through `prefix` (e.g. "session__" from a side effect)."""
    q = Q()
    if scope.practitioner_id:
        q &= Q(**{f"{prefix}practitioner_id": scope.practitioner_id})
    if scope.indication_id:
        q &= Q(**{f"{prefix}indication_id": scope.indication_id})
    if scope.product_id:
        q &= Q(**{f"{prefix}product_id": scope.product_id})
    return q


def performed_in(period: Period, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}performed_at__gte": period.start_at,
            f"{prefix}performed_at__lt": period.end_at,
        }
    )


def signed_sessions(scope: Scope) -> QuerySet[TreatmentSession]:
    """Signed sessions of the scope in its period (served by session_status_idx)."""
    return TreatmentSession.objects.filter(
        performed_in(scope.period), session_q(scope), status=SessionStatus.SIGNED
    )


def practitioner_choices():
    """Staff who may sign sessions (by permission, never by group name)."""
    user_model = get_user_model()
    can_sign = Q(groups__permissions__codename="sign_treatmentsession") | Q(
        user_permissions__codename="sign_treatmentsession"
    )
    return (
        user_model.objects.filter(can_sign, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def staff_label(first: str | None, last: str | None, username: str | None) -> str:
    name = f"{first or ''} {last or ''}".strip()
    return name or username or "—"
