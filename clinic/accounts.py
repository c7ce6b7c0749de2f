"""Account pages: two-factor enrolment and sign-in step (django-otp TOTP), the account
page, password change, and the "stay signed in" ping behind the idle warning.

The password step is Django's LoginView (clinic.views.ClinicLoginView) guarded by
django-axes; clinic.middleware.TwoFactorMiddleware sends users here when a code is due.
"""

import base64
import time
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from clinic.inputs import ascii_digits, local_next
from clinic.middleware import OTP_PENDING
from clinic.permissions import authenticated

PENDING_KEY = "_clinic_totp_pending_key"
DEVICE_NAME = "Authenticator app"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not ascii_digits(token):
            raise forms.ValidationError(
                "Enter the 6 digits shown in your app, using the numbers 0 to 9 only."
            )
        return token


def _must_use_two_factor(user) -> bool:
    return settings.OTP_REQUIRED and (
        user.is_superuser or user.has_perm("clinic.requires_two_factor")
    )


@authenticated
def account(request):
    """Who I am, my second factor, my password."""
    devices = list(devices_for_user(request.user, confirmed=True))
    return render(
        request,
        "clinic/account.html",
        {
            "devices": devices,
            "two_factor_required": _must_use_two_factor(request.user),
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        },
    )


@authenticated
def two_factor_setup(request):
    """Enrol a TOTP app: scan the QR code (or type the key), then confirm with a code.

    The secret stays in the session until a correct code proves the app has it; only then
    is the device saved (replacing any earlier one) and this session marked verified.
    """
    if _has_confirmed_device(request.user) and not request.user.is_verified():
        # Signed in with the password only: an enrolled authenticator is replaced only
        # from a session that has already passed it, never with the password alone.
        messages.error(
            request,
            "Enter a code from your current authenticator app first. Lost it? Ask a "
            "superuser to remove it from your account.",
        )
        return redirect(reverse("two_factor_verify") + "?" + urlencode({"next": request.path}))
    key = request.session.get(PENDING_KEY)
    if not key:
        key = random_hex(20)
        request.session[PENDING_KEY] = key
    device = TOTPDevice(user=request.user, name=DEVICE_NAME, key=key, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _totp_matches(bytes.fromhex(key), form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=request.user).delete()
            device.confirmed = True
            device.save()
            otp_login(request, device)
            request.session.pop(PENDING_KEY, None)
            request.session.pop(OTP_PENDING, None)
            request.session.cycle_key()
            messages.success(request, "Two-step sign-in is on: you will be asked for a code.")
            return redirect(local_next(request, reverse("account")))
        form.add_error("token", "That code is not right. Check the time on your phone.")
    uri = device.config_url
    qr = segno.make(uri, error="m")
    return render(
        request,
        "clinic/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": base64.b32encode(bytes.fromhex(key)).decode(),
            "otpauth_uri": uri,
            "required": _must_use_two_factor(request.user),
            "next": request.GET.get("next", ""),
        },
    )


def _has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _totp_matches(key: bytes, token: str) -> bool:
    totp = TOTP(key)
    totp.time = time.time()
    return totp.verify(int(token), tolerance=1)


@authenticated
def two_factor_verify(request):
    """The second step of signing in, for users with a confirmed device. Wrong codes are
    throttled by django-otp (growing delays per device)."""
    if getattr(request.user, "otp_device", None) is not None:
        return redirect(local_next(request, reverse("home")))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                request.session.pop(OTP_PENDING, None)
                request.session.cycle_key()
                return redirect(local_next(request, reverse("home")))
        form.add_error("token", "That code is not right, or too many tries: wait and retry.")
    return render(
        request,
        "clinic/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


@authenticated
def two_factor_remove(request):
    """Turn two-step sign-in off (only where it is optional)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if _must_use_two_factor(request.user):
        messages.error(request, "Your role must use two-step sign-in.")
    else:
        TOTPDevice.objects.filter(user=request.user).delete()
        messages.info(request, "Two-step sign-in is off.")
    return redirect("account")


@authenticated
def session_ping(request):
    """POST by the idle warning's "Stay signed in": the request itself is the activity
    (SessionLimitsMiddleware); answers how long the session now has."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return JsonResponse({"signed_in": True, "seconds_left": request.session_seconds_left})


@method_decorator(authenticated, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own (validators from AUTH_PASSWORD_VALIDATORS; other sessions of the
    user end because the session hash changes; this one is kept)."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        messages.success(self.request, "Password changed. Other sessions were signed out.")
        return super().form_valid(form)


PasswordChangeView.access = "authenticated"


class ClinicAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, with the username's length actually enforced (Django sets
    max_length after the field is built, so no validator runs, and django-axes would try
    to log a 20,000-character username)."""

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.username_field.max_length:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        return username
