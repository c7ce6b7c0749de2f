"""Optional error reporting to Sentry (issue 12.6), only when SENTRY_DSN is set.

Personal data never leaves: `send_default_pii=False`, no local variables, and
`scrub_event` keeps of the request only its method and the route (no URL, query string,
headers, cookies or body), drops the user, exception messages (a database error can
quote the value of a unique key), breadcrumb data and extras. Events carry the request
id as a tag, so a report matches the id on the clinic's error page and in the log.
"""

from __future__ import annotations


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    from clinic.request_log import current_request_id

    request = event.get("request") or {}
    event["request"] = {"method": request.get("method", "")} if request else {}
    event.pop("user", None)
    event.pop("extra", None)
    event.pop("server_name", None)
    for exception in (event.get("exception") or {}).get("values", []) or []:
        exception["value"] = ""
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            for key in ("vars", "pre_context", "context_line", "post_context"):
                frame.pop(key, None)
    if event.get("logentry"):
        event["logentry"] = {"message": "(scrubbed)"}
    event.pop("message", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs = breadcrumbs.get("values", [])
    for crumb in breadcrumbs or []:
        crumb.pop("data", None)
        crumb["message"] = crumb.get("category", "")
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(dsn: str, environment: str = "production") -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        integrations=[DjangoIntegration(transaction_style="function_name")],
    )
