"""Template context shared by every page: the clinic name and the signed-in user's role."""

from django.conf import settings

from clinic.roles import Role

VALID_ROLE_NAMES = frozenset(role.value for role in Role)


def _user_roles(request) -> list[str]:
    # Cached on the request: sub-templates (e.g. django-tables2) build their own
    # RequestContext and would otherwise query the groups again.
    if not hasattr(request, "_clinic_user_roles"):
        user = getattr(request, "user", None)
        roles = []
        if user is not None and user.is_authenticated:
            # Group names are display-only here: access checks use permissions. Read
            # from the session's access snapshot when there is one (clinic.request_user).
            roles = getattr(user, "_clinic_roles", None)
            if roles is None:
                roles = [g.name for g in user.groups.all() if g.name in VALID_ROLE_NAMES]
        request._clinic_user_roles = roles
    return request._clinic_user_roles


def navigation(request):
    return {"clinic_name": settings.CLINIC_NAME, "user_roles": _user_roles(request)}


def session_limits(request):
    """Seconds before idle logout, for the warning in idle_sign_out.js (clinic.middleware)."""
    seconds_left = getattr(request, "session_seconds_left", None)
    if seconds_left is None:
        return {}
    return {
        "session_seconds_left": seconds_left,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING,
        # After an htmx request the server's clock restarted, give or take the resolution.
        "session_seconds_after_request": settings.SESSION_IDLE_TIMEOUT
        - settings.SESSION_ACTIVITY_RESOLUTION,
    }
