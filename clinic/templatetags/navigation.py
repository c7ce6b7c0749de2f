"""`{% nav_links %}`: the main menu's links (templates/includes/nav_links.html), rendered
once per combination of what they depend on and then reused (issue 14.3: the menu's
permission checks and URL reversals were about 8% of the CPU of a registration).

What the links depend on, and so the key: the user's permission set, the superuser and
active flags, the page (the resolver match's app and URL names) and the script prefix
(the reversed URLs). Everything per user or per request (names, the CSRF token) stays in
navbar.html. The kept output is per process and bounded; a role or permission change
gives another key, so it shows on the next request, as before.
"""

from django import template
from django.urls import get_script_prefix

register = template.Library()

NAV_LINKS = "includes/nav_links.html"
_MAX_KEPT = 512
_kept: dict[tuple, str] = {}


def _key(context) -> tuple:
    user = context.get("user")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    signed_in = user is not None and user.is_authenticated
    return (
        get_script_prefix(),
        signed_in and user.is_active,
        signed_in and user.is_superuser,
        frozenset(user.get_all_permissions()) if signed_in else frozenset(),
        getattr(match, "app_name", None),
        getattr(match, "url_name", None),
    )


@register.simple_tag(takes_context=True)
def nav_links(context):
    if getattr(context.get("request"), "second_factor_due", None) is not None:
        # Signed in with the password only (TwoFactorMiddleware): every link would lead
        # back to the code page.
        return ""
    key = _key(context)
    html = _kept.get(key)
    if html is None:
        links = context.template.engine.get_template(NAV_LINKS)
        html = links.render(context)  # a SafeString: not escaped again
        if len(_kept) >= _MAX_KEPT:
            _kept.clear()
        _kept[key] = html
    return html
