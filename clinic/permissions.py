"""How views declare access. Every view in the URLconf carries `view.access`:

- PUBLIC: no login (login page, /healthz);
- AUTHENTICATED: any signed-in staff member (home, logout);
- a permission string ("patients.view_patient"): checked against the user's groups,
  which come from clinic/roles.py.

tests/clinic/test_permission_matrix.py walks the URLconf and fails on any view without
a declaration, so a new page cannot ship unclassified.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view):
    view = login_not_required(view)
    view.access = PUBLIC
    return view


def authenticated(view):
    view.access = AUTHENTICATED
    return view


def require_perm(permission: str):
    """Require one permission; anonymous users are sent to login by LoginRequiredMiddleware."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = permission
        return wrapper

    return decorator
