"""The access log: who read which patient's record, searched, exported or printed.

DOMAIN §7.2 and rule 44 ask for a record of every read of clinical data, every search,
export, report download and print. One mechanism writes it, for every view:

    from clinic.audit import audited, patient_from_url, patient_of

    @require_perm("patients.view_intakequestionnaire")
    @audited("questionnaire.view", patient=patient_from_url("public_id"))
    def questionnaire_list(request, public_id): ...

    @require_perm("treatments.view_treatmentsession")
    @audited("session.view", patient=patient_of("treatments.TreatmentSession"))
    def session_detail(request, public_id): ...

    @require_perm("clinic.view_reports")
    @audited("report.download")           # no patient: a report over many patients
    def report_csv(request): ...

How it behaves:

- One row per request, never per result row: one INSERT after the view returns.
- Only responses that showed or sent something are logged (status below 400, streaming
  responses included, counted when they start). A refused (403) or missing (404) record
  writes nothing: nothing was disclosed.
- The patient comes from, in order: `request.audit_patient` if the view set it (a
  Patient, or its pk); else the decorator's `patient=` resolver. Resolvers made by
  `patient_from_url` and `patient_of` become a subquery inside the INSERT, so naming the
  patient costs no extra query.
- On PostgreSQL the INSERT is written once per process and sent with the request's values
  (issue 14.1): the ORM's create() compiled it, with the patient's subquery, on every
  request (about 0.6 ms of the 0.9 it took). The trigger chains the row either way.
- `when=` limits logging to requests that disclose something (`when=has_param("lot")`).
- A view may refine the action (`request.audit_action = "patient.search"`) or skip the
  row (`request.audit_skip = True`, e.g. an empty search box).
- The role is read from the permissions the request has already loaded (no query).
- Works on function views; for a class-based view, decorate `as_view()` in urls.py or
  use `method_decorator(audited(...), name="dispatch")`.

Order with require_perm does not matter: the decorator keeps `view.access`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Model, QuerySet, Subquery
from django.utils import timezone

from clinic.prepared import Prepared
from clinic.roles import MATRIX

# Actions in use, for readers of the log (free strings are allowed; keep them dotted).
ACTIONS = {
    "patient.view": "Viewed a patient's record",
    "patient.list": "Listed patients",
    "patient.search": "Searched patients",
    "patient.history": "Viewed a patient's change history",
    "patient.access_log": "Viewed who accessed a patient's record",
    "patient.access_log_export": "Exported who accessed a patient's record",
    "patient.sar": "Viewed subject access requests",
    "patient.sar_export": "Exported a subject access copy",
    "patient.sar_print": "Printed a subject access copy",
    "patient.sar_download": "Downloaded a prepared subject access copy (JSON)",
    "questionnaire.view": "Viewed questionnaires",
    "session.view": "Viewed a treatment session",
    "session.edit": "Opened a session to edit",
    "session.print": "Printed a treatment session",
    "outcome.view": "Viewed outcome scores",
    "sideeffect.view": "Viewed side effects",
    "task.list": "Listed follow-up tasks",
    "task.view": "Viewed a follow-up task (completed meanwhile by someone else)",
    "lot.lookup": "Looked up the patients treated from a lot",
    "report.view": "Viewed a report",
    "report.download": "Downloaded a report",
    # Issue 12.2: large exports are prepared by the background worker.
    "report.export_queued": "Asked for a large report export (prepared in the background)",
    "report.exports": "Viewed their prepared report exports",
    "report.export_download": "Downloaded a prepared report export",
    "access_log.view": "Viewed the access log",
    # Issue 10: every page that shows a patient, forms and the admin included.
    "home.view": "Opened the home page (patient lists)",
    "patient.duplicates": "Was shown possible duplicate records at registration",
    "patient.edit": "Opened a patient's details to edit",
    "patient.archive": "Opened a patient's record to archive",
    "patient.sar_edit": "Opened a subject access request",
    "questionnaire.new": "Opened a new questionnaire for a patient",
    "session.new": "Opened a new session for a patient",
    "task.new": "Opened a new task for a patient",
    "outcome.new": "Opened a new outcome score for a patient",
    "sideeffect.new": "Opened a side-effect report for a patient",
    "sideeffect.queue": "Viewed the side-effect queue",
    "sideeffect.serious_list": "Viewed the serious side-effect list",
    "sideeffect.print": "Printed a Yellow Card",
    "sideeffect.export": "Downloaded a Yellow Card",
    "vial.view": "Viewed a vial and its sessions",
    "dashboard.view": "Viewed the dashboard",
    "report.index": "Viewed the list of reports",
    "history.index": "Viewed recent changes",
    "session.history": "Viewed a session's change history",
    "vial.history": "Viewed a vial's change history",
    "admin.list": "Listed records in the admin",
    "admin.search": "Searched records in the admin",
    "admin.view": "Opened a record in the admin",
    "admin.history": "Read a record's change history in the admin",
    "report.print": "Printed a report",
    "assessment.new": "Opened a face-to-face assessment for a patient",
    # The diary (its pages list patients' names; booking and moving name one patient).
    "diary.day": "Viewed the diary (a day)",
    "diary.week": "Viewed the diary (a practitioner's week)",
    "diary.appointment": "Viewed an appointment",
    "diary.book": "Opened the booking form for a patient",
    "diary.booked": "Booked an appointment",
    "diary.appointment_move": "Moved an appointment, or opened it to move",
    "diary.appointment_cancel": "Cancelled an appointment, or opened it to cancel",
    "diary.waiting_list": "Viewed the waiting list",
    "diary.outbox": "Viewed the messages to patients",
    "diary.aftercare_send": "Sent a patient their aftercare advice",
    # Read by a phone's calendar at the secret address, in the name of its practitioner.
    "diary.feed": "A practitioner's calendar feed was read (patients' initials and times)",
}

PatientResolver = Callable[..., Any]


def patient_from_url(kwarg: str = "public_id") -> PatientResolver:
    """The URL names the patient by their public_id (patients/<uuid>/...)."""

    def resolve(request, **view_kwargs):
        if kwarg not in view_kwargs:
            return None
        return PatientLookup("patients.Patient", "public_id", "pk", view_kwargs[kwarg])

    return resolve


def patient_of(
    model_label: str, *, kwarg: str = "public_id", lookup: str = "public_id", field="patient_id"
) -> PatientResolver:
    """The URL names a record that belongs to a patient (a session, an outcome ...):
    `patient_of("treatments.TreatmentSession")` for sessions/<uuid:public_id>/."""

    def resolve(request, **view_kwargs):
        if kwarg not in view_kwargs:
            return None
        return PatientLookup(model_label, lookup, field, view_kwargs[kwarg])

    return resolve


@dataclass(frozen=True)
class PatientLookup:
    """The patient of the `model_label` row whose `lookup` is `value` (`field`: the row's
    patient key, "pk" for a Patient itself), read by a subquery inside the access event's
    INSERT."""

    model_label: str
    lookup: str
    field: str
    value: Any

    def _build(self, value) -> QuerySet:
        model = apps.get_model(self.model_label)
        return model.objects.filter(**{self.lookup: value}).values(self.field).order_by()[:1]

    def queryset(self) -> QuerySet | None:
        """The subquery as a queryset; None when the value cannot name a row (the lookup
        prepares it: not a UUID, say)."""
        try:
            return self._build(self.value)
        except (ValidationError, TypeError, ValueError):
            return None

    def sql(self, connection) -> tuple[str, list] | None:
        """The subquery's SQL, compiled once per process (clinic.prepared), and this
        value's parameters; None for a value of another kind than the URLs give (a UUID,
        a pk): the caller goes through the ORM."""
        samples = _SAMPLES.get(type(self.value))
        if samples is None:
            return None
        key = (self.model_label, self.lookup, self.field, type(self.value))
        prepared = _PREPARED.get(key)
        if prepared is None:
            prepared = _PREPARED[key] = Prepared(self._build, value=samples)
        sql, params = prepared.sql(using=connection.alias, value=self.value)
        return f"({sql})", params


_SAMPLES = {UUID: (UUID(int=1), UUID(int=2)), int: (1, 2)}
_PREPARED: dict[tuple, Prepared] = {}  # one per resolver's shape, for the process


def has_param(name: str) -> Callable[..., bool]:
    """For `when=`: the request carries a non-empty query parameter `name`."""

    def check(request) -> bool:
        return bool((request.GET.get(name) or "").strip())

    return check


def audited(
    action: str,
    *,
    patient: PatientResolver | None = None,
    when: Callable[..., bool] | None = None,
):
    """Decorate a view so that each successful request writes one AccessEvent.

    `patient`: how to find the patient (patient_from_url, patient_of, or any callable
    taking the request and the view's kwargs); `when(request)`: log only if true (e.g.
    only once a search term was given).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if (
                response.status_code < 400
                and not getattr(request, "audit_skip", False)
                and (when is None or when(request))
            ):
                record_access(
                    request,
                    action=getattr(request, "audit_action", None) or action,
                    patient=_patient_for(request, patient, kwargs),
                    object_ref=_object_ref(kwargs),
                    status_code=response.status_code,
                )
            return response

        wrapper.audit_action = action
        return wrapper

    return decorator


def record_access(
    request,
    *,
    action: str,
    patient: PatientLookup | Model | int | QuerySet | None = None,
    object_ref: str = "",
    status_code: int = 200,
    user=None,
    path: str | None = None,
) -> None:
    """Write one access event for this request (also usable from a view directly).
    `patient`: a Patient, its pk, a PatientLookup (a resolver's) or a queryset of one pk.
    `user`: in whose name, when the request has no signed-in user (a calendar feed read
    at its secret address); `path`: what to log instead of the request's path (one that
    holds a secret)."""
    from clinic.models import AccessEvent

    if user is None and request.user.is_authenticated:
        user = request.user
    values = {
        "occurred_at": timezone.now(),
        "user_id": user.pk if user else None,
        "username": user.get_username() if user else "",
        "role": role_of(user),
        "action": action[:60],
        "object_ref": object_ref[:200],
        "method": request.method[:8],
        # Without the query string: a search's terms (a name, an NHS number, a phone
        # number typed into ?q=) identify patients, and managers read this log.
        "path": (path if path is not None else request.get_full_path().partition("?")[0])[:500],
        "ip_address": client_ip(request),
        "status_code": status_code,
    }
    connection = connections[router.db_for_write(AccessEvent)]
    if connection.vendor == "postgresql":
        patient_sql = _patient_sql(connection, patient)
        if patient_sql is not None:
            _insert_event(connection, values, *patient_sql)
            return
    if isinstance(patient, PatientLookup):
        patient = patient.queryset()
    if isinstance(patient, QuerySet):
        values["patient_id"] = Subquery(patient)
    elif isinstance(patient, Model):
        values["patient_id"] = patient.pk
    elif patient is not None:
        values["patient_id"] = patient
    AccessEvent.objects.create(**values)


def _patient_sql(connection, patient) -> tuple[str, list] | None:
    """The patient as the hand-written INSERT takes it (an SQL expression and its
    parameters), or None for what only the ORM compiles (a queryset, an expression)."""
    if isinstance(patient, PatientLookup):
        return patient.sql(connection)
    if isinstance(patient, Model):
        return "%s", [patient.pk]
    if patient is None or isinstance(patient, int):
        return "%s", [patient]
    return None


def _insert_event(connection, values: dict, patient_sql: str, patient_params: list) -> None:
    """PostgreSQL: the event's INSERT as written once per process, `values` (record_access's,
    by column) adapted by their fields; the trigger fills the chain fields, whatever is
    sent (here NULL and empty)."""
    from clinic.models import AccessEvent

    meta = AccessEvent._meta
    params = [meta.get_field(name).get_db_prep_save(v, connection) for name, v in values.items()]
    sql = _event_insert(connection.alias, tuple(values)) % {"patient": patient_sql}
    with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, params + patient_params)


@cache
def _event_insert(alias: str, names: tuple[str, ...]) -> str:
    """The INSERT's text for the fields `names`, the patient's expression left as
    %(patient)s, after them."""
    from clinic.models import AccessEvent

    qn = connections[alias].ops.quote_name
    meta = AccessEvent._meta
    columns = ", ".join(
        qn(meta.get_field(name).column)
        for name in (*names, "patient", "chain_seq", "prev_hash", "row_hash")
    )
    values = ", ".join(["%%s"] * len(names))
    return (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({values}, %(patient)s, NULL, '', '')"
    )


def role_of(user) -> str:
    """The user's role name(s), from the permissions already cached on the request."""
    if user is None:
        return ""
    if user.is_superuser:
        return "superuser"
    if not user.is_active:
        return "inactive"
    perms = user.get_all_permissions()
    return ", ".join(role.value for role, needed in MATRIX.items() if needed <= perms)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxies saw (AUDIT_TRUSTED_PROXY_COUNT)."""
    hops = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return _valid_ip(forwarded[-hops])
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def _valid_ip(value: str) -> str | None:
    from ipaddress import ip_address

    try:
        # Without an IPv6 zone ("fe80::1%eth0"): the column keeps none, and the access
        # log's hash must be of what the column keeps.
        return str(ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


def _patient_for(request, resolver, view_kwargs):
    chosen = getattr(request, "audit_patient", None)
    if chosen is not None:
        return chosen
    if resolver is None:
        return None
    return resolver(request, **view_kwargs)


def _object_ref(view_kwargs: dict) -> str:
    return ";".join(f"{key}={value}" for key, value in sorted(view_kwargs.items()))


# Reading the log --------------------------------------------------------------------


def access_events_for_patient(*, patient, since=None, until=None) -> QuerySet:
    """Who viewed this patient, newest first; `since`/`until` are dates, inclusive (UK
    calendar days). The user join is done; the patient is the caller's."""
    from datetime import date, datetime, time, timedelta

    from django.utils import timezone

    from clinic.models import AccessEvent

    qs = AccessEvent.objects.filter(patient=patient).select_related("user")
    if since:
        qs = qs.filter(occurred_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until and until < date.max:  # 31/12/9999 bounds nothing (and has no next day)
        end = datetime.combine(until + timedelta(days=1), time.min)
        qs = qs.filter(occurred_at__lt=timezone.make_aware(end))
    return qs.order_by("-occurred_at", "-id")
