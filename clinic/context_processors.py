"""Template context shared by every page: the clinic name and the signed-in user's role."""

from django.conf import settings

from clinic.roles import Role


def navigation(request):
    user = getattr(request, "user", None)
    role_names = []
    if user is not None and user.is_authenticated:
        # Group names are display-only here: access checks use permissions.
        valid = {role.value for role in Role}
        role_names = [g.name for g in user.groups.all() if g.name in valid]
    return {"clinic_name": settings.CLINIC_NAME, "user_roles": role_names}
