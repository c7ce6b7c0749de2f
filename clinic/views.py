"""Home (role-aware), login/logout and the friendly 403/404 pages (/healthz: clinic.health;
500/503: clinic.errors)."""

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator

from clinic.accounts import ClinicAuthenticationForm
from clinic.audit import audited
from clinic.diary import selectors as diary_selectors
from clinic.permissions import authenticated, public
from clinic.staff import selectors as staff_selectors
from patients import selectors as patient_selectors
from treatments import selectors as treatment_selectors

logger = logging.getLogger(__name__)


@authenticated
@audited("home.view")
def home(request):
    """One page per role, chosen by what the user may do, not by group name."""
    user = request.user
    hour = timezone.localtime().hour
    context = {
        "greeting": "Good morning"
        if hour < 12
        else "Good afternoon"
        if hour < 18
        else "Good evening",
        "today": timezone.localdate(),
        "can_register": user.has_perm("patients.add_patient"),
        "can_review": user.has_perm("patients.review_intakequestionnaire"),
        "can_manage": user.has_perm("treatments.change_indication"),
    }
    if context["can_register"]:
        context["recent_patients"] = patient_selectors.patient_list_recently_registered(limit=8)
    if context["can_review"] or context["can_manage"]:
        context["awaiting_review"] = patient_selectors.questionnaire_list_awaiting_review(limit=10)
    if context["can_manage"]:
        context["stats"] = patient_selectors.patient_stats()
    if user.has_perm("treatments.view_serious_sideeffects"):
        # Flagged until a Yellow Card decision is recorded (DOMAIN §10 rule 39).
        context["serious_undecided"] = treatment_selectors.side_effect_serious_undecided()
    if user.has_perm("treatments.review_sideeffect"):
        context["reports_to_review"] = treatment_selectors.side_effect_list_unreviewed(limit=8)
    if user.has_perm("treatments.add_treatmentsession"):
        context["drafts"] = treatment_selectors.session_list_drafts(practitioner=user)
        context["due_tasks"] = treatment_selectors.followup_list_due(user=user)
    if user.has_perm("staff.confirm_clinical_change"):
        # The second person of a manager's grant of clinical authority (clinic.staff).
        context["staff_to_confirm"] = list(staff_selectors.approvals_waiting(for_user=user))
    elif not user.get_all_permissions():  # no role yet: perhaps one waiting to be confirmed
        context["waiting_mine"] = staff_selectors.approvals_waiting_of(user=user)
    if user.has_perm("diary.view_appointment") and not context["can_manage"]:
        # The day in time order (issue 15): the practitioner's own patients with their
        # pre-flight lines; everyone's at the front desk, with a one-click "Arrived".
        clinical = user.has_perm("treatments.add_treatmentsession")
        context["visits_mine"] = clinical
        context["visits"] = diary_selectors.todays_visits(
            day=context["today"], practitioner=user if clinical else None, clinical=clinical
        )
    return render(request, "clinic/home.html", context)


@method_decorator(public, name="dispatch")
class ClinicLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = ClinicAuthenticationForm  # issue 6: length-checked username


ClinicLoginView.access = "public"


@authenticated
def logout_view(request):
    """Logout by POST only (a link or image cannot sign a user out)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)
    messages.info(request, "You have been signed out.")
    return redirect("login")


def permission_denied(request, exception=None):
    """The "not allowed" page: why, when the refusal says (a sentence of ours, such as "Only
    the treating practitioner edits a draft."), and which roles the page is for when the
    user's is not among them (the outbox, to a manager: browser check 07/12/2026)."""
    from clinic.context_processors import _user_roles
    from clinic.roles import Role

    reason = str(exception) if exception is not None and exception.args else ""
    # Whom to ask depends on who asks: a manager is the one reception and practitioners
    # ask; what a role holds is the system administrator's (clinic/roles.py).
    if Role.MANAGER.value in _user_roles(request):
        ask = (
            "Managers see patients' records and messages only as far as running the clinic "
            "needs; if your work needs this page, ask the system administrator."
        )
    else:
        ask = "If you need it for your work, ask the practice manager."
    context = {"reason": reason, "for_roles": _roles_for(request), "ask": ask}
    return render(request, "403.html", context, status=403)


def _roles_for(request) -> list[str]:
    """The roles the requested page's permission is granted to (clinic/roles.py), or none
    when the page declares no single permission or the user holds it (then the refusal is
    about this record, not the page). The user's permissions are the request's cached ones:
    no query."""
    from clinic.roles import Role, role_allows

    match = getattr(request, "resolver_match", None)
    view = getattr(match, "func", None)
    access = getattr(view, "access", None) or getattr(
        getattr(view, "view_class", None), "access", None
    )
    if not isinstance(access, str) or "." not in access or request.user.has_perm(access):
        return []
    return [role.value for role in Role if role_allows(role, access)]


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# handler500 is clinic.errors.server_error: it must not touch the database (issue 12).
