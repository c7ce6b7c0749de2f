"""The 500 and 503 pages (issue 12, points 3-5), rendered without the database.

They use a plain template context (the clinic's name and the request id) and no request,
so no context processor runs: `clinic.context_processors.navigation` reads the user's
groups, and with the database down the old 500 page failed itself, at every middleware
layer in turn, each failure logged with its whole traceback (about 2,800 lines per
failed request). Neither page reads the session, the user or the messages.

- `server_error` is handler500: for an error raised anywhere (a view or a middleware).
  If that error is the database being busy (lock or statement timeout, SQLite still
  locked), it answers with the busy page instead.
- `busy_response`: "The record is busy, please try again", HTTP 503 with Retry-After.
  For a POST, a "Try again" form re-posts the same fields (CSRF token and the create
  forms' one-time `submission_token` included, so a retry cannot make a second record);
  password and one-time-code fields are never echoed back.

Django logs nothing for these responses (`_has_been_logged`): clinic.request_log writes
the one record per request, with the request id and the exception.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils.html import escape

from clinic.db_timeouts import busy_reason

TITLES = {503: "The record is busy, please try again", 500: "Something went wrong"}
FALLBACK = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
    "</head><body><h1>{title}</h1><p>{clinic}. Please go back and try again in a moment."
    " Reference for the practice manager: <code>{request_id}</code></p></body></html>"
)

# Field names never echoed into the retry form (a password, a TOTP code).
SECRET_FIELD_MARKERS = ("password", "otp", "token_code", "secret")
KEPT_TOKEN_FIELDS = {"csrfmiddlewaretoken", "submission_token"}


def _request_id(request) -> str:
    from clinic.request_log import current_request_id

    return getattr(request, "request_id", "") or current_request_id()


def _static_page(request, template: str, status: int, extra: dict | None = None):
    context = {"clinic_name": settings.CLINIC_NAME, "request_id": _request_id(request)}
    context.update(extra or {})
    try:
        body = loader.get_template(template).render(context)
    except Exception:  # noqa: BLE001 (an error page must not fail: e.g. a missing static file)
        body = FALLBACK.format(
            title=escape(TITLES.get(status, "Something went wrong")),
            clinic=escape(context["clinic_name"]),
            request_id=escape(context["request_id"]),
        )
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    # clinic.request_log writes this request's one log record; Django's own
    # "Internal Server Error: /path" record would be a second one.
    response._has_been_logged = True
    return response


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    if lowered in KEPT_TOKEN_FIELDS:
        return False
    return any(marker in lowered for marker in SECRET_FIELD_MARKERS)


def retry_fields(request) -> tuple[list[tuple[str, str]], bool]:
    """The POSTed fields to send again, in order, and whether any were left out."""
    fields, dropped = [], False
    try:
        data = request.POST
    except Exception:  # noqa: BLE001 (an unreadable or refused body: nothing to keep)
        return [], False
    for name, values in data.lists():
        if _is_secret(name):
            dropped = True
            continue
        fields.extend((name, value) for value in values)
    dropped = dropped or bool(getattr(request, "FILES", None))
    return fields, dropped


def busy_response(request, reason: str = "busy"):
    from clinic.request_log import record_timeout

    record_timeout(request, reason)
    method = request.method
    extra = {"method": method, "action": request.get_full_path()}
    if method == "POST":
        extra["fields"], extra["dropped"] = retry_fields(request)
    response = _static_page(request, "503.html", 503, extra)
    response["Retry-After"] = str(getattr(settings, "DATABASE_BUSY_RETRY_AFTER", 5))
    return response


def server_error(request):
    """handler500. Called while Django handles the exception, so sys.exc_info() is it."""
    exc = sys.exc_info()[1]
    reason = busy_reason(exc)
    if reason:
        return busy_response(request, reason)
    return _static_page(request, "500.html", 500)
