"""The staff page for managers: list, add, change role, deactivate, reactivate, issue a
set-password link; and the public page where a person chooses their password.

A set-password link is shown once, in the response to the POST that made it: it is never
put in a message (stored in the session), a redirect or a log.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from clinic.idempotency import OnceForm, press_once, submit_once, without_token
from clinic.permissions import public, require_perm
from clinic.roles import Role
from clinic.staff import selectors, services
from clinic.staff.forms import StaffCreateForm, StaffRegistrationForm, StaffRoleForm

MANAGE = "staff.manage_staff"
ACCOUNT_MADE_ALREADY = (
    "That account was made by your first press, and its set-password link is not shown "
    "again. If it was lost, use the set-password link button below for another."
)
LINK_NOT_SHOWN_AGAIN = (
    "That set-password link was issued by your first press (shown or emailed then), and "
    "is not shown again. If it was lost, press the button once more for a new one."
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _link_hours() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 3600


def _show_link(
    request, link: services.PasswordLink, *, new_account: bool, for_confirmer: bool = False
):
    return render(
        request,
        "staff/password_link.html",
        {
            "link": link,
            "member": link.user,
            "new_account": new_account,
            # The practitioner who confirmed a new practitioner's role hands the link over.
            "for_confirmer": for_confirmer,
            "not_sent": _not_sent_message(link) if link.not_sent else "",
            "hours": _link_hours(),
            # As clinic.middleware.TwoFactorMiddleware will ask of them at sign-in.
            "two_factor_at_first_sign_in": settings.OTP_REQUIRED
            and link.user.has_perm("clinic.requires_two_factor"),
        },
    )


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_perm(MANAGE)
def staff_list(request):
    return render(request, "staff/staff_list.html", {"staff": selectors.staff_list()})


@require_perm(MANAGE)
def staff_add(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)
        made = []

        def create() -> str:
            made.append(
                services.staff_create(
                    created_by=request.user, base_url=_base_url(request), **fields
                )
            )
            return reverse("staff:detail", args=[made[0].user.pk])

        try:
            outcome = submit_once(request, form, create, replayed_message=ACCOUNT_MADE_ALREADY)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome is not None and outcome.replayed:
                # The first click made the account and showed its link; that link is not
                # shown again (the account page offers a new one).
                return redirect(outcome.url)
            if outcome is not None:
                return _show_link(request, made[0], new_account=True)
    return render(request, "staff/staff_add.html", {"form": form, "hours": _link_hours()})


@require_perm(MANAGE)
def staff_detail(request, pk: int):
    member = selectors.staff_get(pk=pk)
    role = selectors.role_of(member)
    may_change = services.staff_may_change(actor=request.user, user=member)
    profile = selectors.staff_profile_of(member)
    return render(
        request,
        "staff/staff_detail.html",
        {
            "member": member,
            "role": role,
            "changes": selectors.staff_changes_of(user=member),
            "may_change": may_change,
            "is_self": member.pk == request.user.pk,
            "role_form": (
                StaffRoleForm(initial={"role": role, "shown_role": role}) if may_change else None
            ),
            "hours": _link_hours(),
            "in_use": services.account_in_use(member),
            # Why no set-password link may be issued ("": the button is offered).
            "link_refusal": services.password_link_refusal(issued_by=request.user, user=member),
            # The grants waiting for a practitioner: read only when the flag says so.
            "waiting": (
                selectors.approvals_waiting_of(user=member) if member.awaits_confirmation else []
            ),
            "link_form": OnceForm(),
            "profile": profile,
            "registration_form": (
                StaffRegistrationForm(
                    initial={
                        "registered_medical_practitioner": profile.registered_medical_practitioner,
                        "gmc_number": profile.gmc_number,
                        "regulated_profession": profile.regulated_profession,
                        "registration_number": profile.registration_number,
                        "shown_registration": profile.registration(),
                    }
                )
                if may_change and role == Role.PRACTITIONER.value
                else None
            ),
        },
    )


def _post_only(view):
    """The action views below answer POST only (their form is on the detail page)."""

    @wraps(view)
    def wrapper(request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, selectors.staff_get(pk=pk))

    return wrapper


def _act(request, member, write, said) -> HttpResponseRedirect:
    """Run one staff service on the member and go back to their page: what it refused
    (a ValidationError) or `said(result)` as the message."""
    try:
        result = write()
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, said(result))
    return redirect("staff:detail", pk=member.pk)


def _as_recorded(member):
    """ "Karen Gray: role changed from Reception to Practitioner." Only the first letter
    is lowered: names, roles and registration numbers keep their case."""

    def message(change) -> str:
        description = change.description
        return f"{_name(member)}: {description[:1].lower()}{description[1:]}."

    return message


@require_perm(MANAGE)
@_post_only
def staff_change_role(request, member):
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal("Choose one of the three roles."))
        return redirect("staff:detail", pk=member.pk)
    return _act(
        request,
        member,
        lambda: services.staff_change_role(
            changed_by=request.user,
            user=member,
            role=form.cleaned_data["role"],
            shown_role=form.cleaned_data["shown_role"],
        ),
        _as_recorded(member),
    )


@require_perm(MANAGE)
@_post_only
def staff_registration(request, member):
    form = StaffRegistrationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("staff:detail", pk=member.pk)
    return _act(
        request,
        member,
        lambda: services.staff_set_registration(
            changed_by=request.user, user=member, **form.cleaned_data
        ),
        _as_recorded(member),
    )


@require_perm(MANAGE)
@_post_only
def staff_deactivate(request, member):
    return _act(
        request,
        member,
        lambda: services.staff_deactivate(deactivated_by=request.user, user=member),
        lambda _: f"{_name(member)} is deactivated and was signed out everywhere.",
    )


@require_perm(MANAGE)
@_post_only
def staff_reactivate(request, member):
    return _act(
        request,
        member,
        lambda: services.staff_reactivate(reactivated_by=request.user, user=member),
        lambda _: (
            f"{_name(member)} can sign in again."
            + (
                " Their Practitioner role waits for a practitioner to confirm it."
                if selectors.approvals_waiting_of(user=member)
                else ""
            )
        ),
    )


@require_perm(MANAGE)
@_post_only
def staff_password_link(request, member):
    """Once per one-time token (the button's OnceForm): a double-click, or the link's page
    reloaded and its form resent, issues (and emails) no second link."""
    issued = []

    def issue() -> str:
        issued.append(
            services.staff_issue_password_link(
                issued_by=request.user, user=member, base_url=_base_url(request)
            )
        )
        return reverse("staff:detail", args=[member.pk])

    # The first press issued the link and showed (or emailed) it; a link is never shown
    # twice, so a replay is told how to get another.
    detail = reverse("staff:detail", args=[member.pk])
    outcome = press_once(request, issue, back=detail, replayed_message=LINK_NOT_SHOWN_AGAIN)
    if outcome is None:  # refused, or an unusable token: said already
        return redirect(detail)
    if outcome.replayed:
        return redirect(outcome.url)
    link = issued[0]
    if link.not_sent:
        messages.error(request, _not_sent_message(link))
        return redirect("staff:detail", pk=member.pk)
    if not link.url:  # the account has an address: the link went there only
        in_use = "; their current password works until they use it" if link.in_use else ""
        messages.success(
            request,
            f"A new set-password link was emailed to {link.emailed_to}. It works once and "
            f"expires in {_link_hours()} hours{in_use}.",
        )
        return redirect("staff:detail", pk=member.pk)
    return _show_link(request, link, new_account=False)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _not_sent_message(link: services.PasswordLink) -> str:
    return (
        f"The email to {link.emailed_to} could not be sent, so nobody has the "
        "set-password link. Press the button again once the clinic's email works, or ask "
        "the system administrator."
    )


@method_decorator(public, name="dispatch")
class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation (token checked, then moved out of the URL
    into the session), with the project's validators and templates. Saving the password
    changes the hash, so the link stops working; deactivated accounts get no form."""

    template_name = "staff/set_password.html"
    success_url = reverse_lazy("login")
    title = "Choose your password"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # Whoever is signed in here (a manager testing the link) must not choose
            # someone else's password: the person opens the link in their own browser.
            return render(request, "staff/set_password_signed_in.html")
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        services.staff_set_own_password(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            f"Your password is set. Sign in as {self.user.get_username()} with it now.",
        )
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.user if self.validlink else None
        context["hours"] = _link_hours()
        return context


SetPasswordView.access = "public"


@require_perm("staff.confirm_clinical_change")
@require_POST
def staff_approval_decide(request, pk: int):
    """A practitioner's Confirm or Refuse on their home page (a second press, or another
    practitioner's first: said, nothing changed)."""
    approval = selectors.approval_get(pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "refuse"):
        messages.error(request, "Press Confirm or Refuse.")
        return redirect("home")
    who = _name(approval.subject)
    try:
        decided = services.staff_approval_decide(
            decided_by=request.user,
            approval_pk=approval.pk,
            confirm=decision == "confirm",
            base_url=_base_url(request),
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect("home")
    if decided is None:
        messages.info(request, f"That was decided already for {who}: nothing changed.")
    elif decision == "refuse":
        messages.success(request, f"Refused for {who}: nothing changed on their account.")
    elif decided.link is not None and decided.link.url:
        return _show_link(request, decided.link, new_account=True, for_confirmer=True)
    else:
        description = decided.change.description
        said = f"Confirmed: {who}'s {description[:1].lower()}{description[1:]}."
        if decided.link is not None and decided.link.not_sent:
            messages.success(request, said)
            messages.error(request, _not_sent_message(decided.link))
            return redirect("home")
        if decided.link is not None:
            said += f" Their set-password link was emailed to {decided.link.emailed_to}."
        messages.success(request, said)
    return redirect("home")
