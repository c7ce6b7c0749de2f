"""Cross-cutting response and session policies.

- NoStoreMiddleware: signed-in pages are never cached (they can show patient data).
- SessionLimitsMiddleware: idle (15 min) and absolute (12 h) session limits.
- TwoFactorMiddleware: a second factor before anything else, for users who enrolled a
  TOTP device, and enrolment first for roles that must use one (OTP_REQUIRED).
"""

import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.cache import add_never_cache_headers

# Session keys (epoch seconds).
LOGIN_AT = "_clinic_login_at"
SEEN_AT = "_clinic_seen_at"
# Set at login when the user has a confirmed TOTP device: they must enter a code first.
OTP_PENDING = "_clinic_otp_pending"


class NoStoreMiddleware:
    """Signed-in pages can show patient data: never let a browser or proxy cache them.
    Also sends a Permissions-Policy turning off browser features the app never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        if getattr(settings, "PERMISSIONS_POLICY", ""):
            response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


@functools.lru_cache(maxsize=16)
def _paths_of(script_prefix: str, names: tuple[str, ...]) -> frozenset[str]:
    """The paths of these URL names under this script prefix, reversed once per process
    rather than on every request (the middleware below asks on each one)."""
    return frozenset(reverse(name) for name in names)


def _path_of(name: str) -> str:
    (path,) = _paths_of(get_script_prefix(), (name,))
    return path


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _login_redirect(request, reason: str):
    login_url = reverse("login")
    if request.path == _path_of("session_ping") or request.headers.get("Accept", "").startswith(
        "application/json"
    ):
        return JsonResponse({"signed_in": False, "reason": reason}, status=401)
    target = request.get_full_path() if request.method == "GET" and not _is_htmx(request) else ""
    url = f"{login_url}?{urlencode({'next': target})}" if target else login_url
    if _is_htmx(request):
        # htmx swaps the response into the page; HX-Redirect makes it a full navigation.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


SIGNED_OUT_MESSAGES = {
    "idle": "You were signed out after 15 minutes without activity.",
    "absolute": "You were signed out: a session lasts at most 12 hours. Please sign in again.",
}


class SessionLimitsMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request and after
    SESSION_ABSOLUTE_TIMEOUT seconds in all (ASVS V7.3), with a message on the login page.

    Every request counts as activity, htmx ones included (typing in the search box is
    work), and so does the "Stay signed in" ping. To spare a session write on each page,
    the last-seen time is rewritten only once it is SESSION_ACTIVITY_RESOLUTION old.
    `request.session_seconds_left` feeds the idle warning (clinic/static/clinic/idle_sign_out.js).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                # A session from before these limits existed: start counting now.
                session[LOGIN_AT] = login_at = now if login_at is None else login_at
                session[SEEN_AT] = seen_at = now
            reason = None
            if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            if reason:
                logout(request)
                messages.info(request, SIGNED_OUT_MESSAGES[reason])
                return _login_redirect(request, reason)
            is_ping = request.path == _path_of("session_ping")
            if is_ping or now - seen_at >= settings.SESSION_ACTIVITY_RESOLUTION:
                session[SEEN_AT] = seen_at = now
            request.session_seconds_left = max(
                0,
                min(
                    settings.SESSION_IDLE_TIMEOUT - (now - seen_at),
                    settings.SESSION_ABSOLUTE_TIMEOUT - (now - login_at),
                ),
            )
        return self.get_response(request)


def session_started(sender, request, user, **kwargs):
    """user_logged_in: start both clocks (connected in clinic.apps)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


TWO_FACTOR_OPEN_URLS = ("two_factor_verify", "two_factor_setup", "logout", "session_ping")


def second_factor_due(request) -> str | None:
    """The second-factor page a signed-in user must pass before any other ("two_factor_verify":
    a code for their device; "two_factor_setup": enrol first, OTP_REQUIRED and a role that
    needs it), or None. TwoFactorMiddleware keeps it on the request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_verified():
        return None
    if request.session.get(OTP_PENDING):
        return "two_factor_verify"
    if settings.OTP_REQUIRED and (user.is_superuser or user.has_perm("clinic.requires_two_factor")):
        return "two_factor_setup"
    return None


class TwoFactorMiddleware:
    """After the password, the second factor (django-otp):

    - a user with a confirmed TOTP device enters a code before any other page;
    - with OTP_REQUIRED (production), a user whose role holds clinic.requires_two_factor
      (practitioners and managers, clinic/roles.py) and has no device enrols first.

    Whether the user has a device is read once at login (session flag), not per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Kept on the request for the page's menu (clinic.templatetags.navigation), which
        # leaves its links out while a step is due: worked out once per request.
        request.second_factor_due = step = second_factor_due(request)
        if step is not None and not self._is_open(request):
            return self._send_to(request, step)
        return self.get_response(request)

    @staticmethod
    def _is_open(request) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return request.path in _paths_of(get_script_prefix(), TWO_FACTOR_OPEN_URLS)

    @staticmethod
    def _send_to(request, name: str):
        url = reverse(name)
        if request.method == "GET" and not _is_htmx(request):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


def two_factor_pending_at_login(sender, request, user, **kwargs):
    """user_logged_in: a user with a confirmed device must enter a code next."""
    if request is None or not hasattr(request, "session"):
        return
    from django_otp import user_has_device

    if getattr(user, "otp_device", None) is None and user_has_device(user):
        request.session[OTP_PENDING] = True


class RejectNulBytesMiddleware:
    """A NUL byte is never legitimate input here and PostgreSQL cannot store or compare
    it (a query with one fails): refuse such requests with 400 before any view runs,
    rather than let any form or filter turn them into a 500 (issue 6, input handling)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest("Invalid characters in the request.")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        # The raw bytes, once: a NUL reaches a form or filter only percent-encoded in the
        # query string or an urlencoded body (one substring search, issue 14.1: decoding
        # and walking every value cost ~3.6 ms per POST), or raw in a multipart field.
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        if request.method != "POST":
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            body = request.body
            return b"%00" in body or b"\x00" in body
        if request.content_type == "multipart/form-data":
            # Uploaded files may hold NUL bytes: only the form fields are checked.
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return True
        return False


class FriendlyMethodNotAllowedMiddleware:
    """A page that only accepts a form (require_POST) answers a direct visit (a bookmark, a
    reloaded URL, a link pasted into a new tab) with a page saying so and a way on, not a
    blank 405 (issue 13.19). The status and the Allow header are kept; htmx and API
    requests get the plain response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in ("GET", "HEAD")
            or _is_htmx(request)
            or response.content
        ):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "POST")
        return page
