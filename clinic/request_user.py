"""request.user from the session row (clinic.session_store): no query of its own.

AuthenticationMiddleware and OTPMiddleware here replace Django's and django-otp's in
MIDDLEWARE. They do what those do (the same session-hash check, the same refusal of an
inactive user, the same device binding), reading the user joined to the session row and
the access snapshot beside it instead of querying the user, groups, permissions and
device on every request. Any session the fast path cannot vouch for (no row, another
backend, no snapshot) takes Django's own path.
"""

import functools

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthMiddleware
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from clinic.session_store import compute_access


def _session_hash_verified(request, user) -> bool:
    """django.contrib.auth.get_user's check: the password (hash) the session was made
    with is still the user's; a fallback SECRET_KEY's hash is upgraded in place."""
    session = request.session
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    session_auth_hash = user.get_session_auth_hash()
    if constant_time_compare(session_hash, session_auth_hash):
        return True
    if any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        return True
    return False


def get_user(request):
    session = request.session
    try:
        user_id = session[auth.SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    row = getattr(session, "row", None)
    if (
        row is None
        or row.user_id is None
        or str(row.user_id) != str(user_id)
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return auth.get_user(request)
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend):
        return auth.get_user(request)
    user = row.user
    if not backend.user_can_authenticate(user):  # deactivated: refused at once
        return AnonymousUser()
    if not _session_hash_verified(request, user):  # password changed elsewhere
        session.flush()
        return AnonymousUser()
    access = row.access
    otp_device_id = session.get(DEVICE_ID_SESSION_KEY)
    if (
        not isinstance(access, dict)
        or access.get("uid") != user.pk
        or (otp_device_id and access.get("otp") != otp_device_id)
    ):
        access = compute_access(user, otp_device_id=otp_device_id)
        session.remember_access(access)
    user._perm_cache = set(access["perms"])  # ModelBackend's per-user cache
    user._clinic_roles = list(access["roles"])
    user._clinic_otp = access.get("otp")
    return user


class AuthenticationMiddleware(DjangoAuthMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def remember_access_at_login(sender, request, user, **kwargs):
    """user_logged_in: the snapshot is written with the new session row."""
    session = getattr(request, "session", None) if request is not None else None
    if hasattr(session, "remember_access"):
        session.remember_access(
            compute_access(user, otp_device_id=session.get(DEVICE_ID_SESSION_KEY))
        )


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware, without its device query when the session's snapshot
    vouches for the device (it is cleared when the user's devices change): the device
    is then read only if a view actually uses it."""

    def _verify_user_sync(self, request, user):
        persistent_id = (
            request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        )
        if persistent_id and persistent_id == getattr(user, "_clinic_otp", None):
            self._init_user_fields(user)
            user.otp_device = SimpleLazyObject(
                functools.partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        return super()._verify_user_sync(request, user)
