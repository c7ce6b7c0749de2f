"""Reading patients: one for a user, the list, duplicates at registration, recent
registrations and counts, change history, the edit-conflict view and the last change."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.expressions import CountRows
from clinic.prepared import Prepared
from patients.choices import PatientStatus
from patients.models import (
    FAMILY_NAME_KEY_LENGTH,
    Patient,
)
from patients.names import normalise_name
from patients.validators import (
    format_nhs_number,
    format_phone,
    normalise_nhs_number,
    normalise_phone,
)


def patient_queryset(public_id) -> QuerySet[Patient]:
    """What patient_get_for_user reads, for a read that adds a column of its own
    (treatments.selectors.patient_for_session_start)."""
    return Patient.objects.select_related("registered_by").filter(public_id=public_id)


# Compiled once per process (clinic.prepared): every patient page and POST reads it.
_PATIENT = Prepared(patient_queryset, public_id=(uuid.UUID(int=1), uuid.UUID(int=2)))


def patient_get_for_user(*, user, public_id) -> Patient:
    """The one way views fetch a patient (404 when unknown). Callers have checked the view
    permission; this is where per-patient restrictions will live (e.g. sites)."""
    return _PATIENT.one_or_404("No such patient", public_id=public_id)


# What the patient list shows (patients.tables.patient_rows): the other columns are not read.
PATIENT_LIST_FIELDS = (
    *("public_id", "record_number", "title", "family_name", "given_names", "preferred_name"),
    *("date_of_birth", "nhs_number", "phone", "postcode", "status"),
)


def patient_list(*, status: str | None = PatientStatus.ACTIVE) -> QuerySet[Patient]:
    qs = Patient.objects.only(*PATIENT_LIST_FIELDS)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("family_name", "given_names", "id")


_DATE_OF_BIRTH = Patient._meta.get_field("date_of_birth")

DUPLICATE_NHS_NUMBER = "NHS number"
DUPLICATE_SURNAME_AND_DOB = "surname and date of birth"
DUPLICATE_PHONE = "phone"


def patient_find_duplicates(
    *,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    exclude_pk: int | None = None,
) -> list[Patient]:
    """Likely matches for a new registration: same NHS number, or same surname and date of
    birth, or same phone number. Archived patients count too (they may be returning).
    Each match carries `matched_on`, the details that matched, for the warning table.

    Surnames are compared by their normalised key (patients.names: O'Brien-Whitfield =
    OBrien Whitfield, McDonald = MacDonald), the same key the registration lock uses, so
    that two spellings of one surname can neither slip past the check nor race each other."""
    wanted_nhs = normalise_nhs_number(nhs_number) if nhs_number else ""
    wanted_phone = normalise_phone(phone) if phone else ""
    wanted_surname = normalise_name(family_name)[:FAMILY_NAME_KEY_LENGTH]
    using = Patient.objects.db  # the primary inside the registration's transaction
    connection = connections[using]
    conditions, params = [], []
    if wanted_nhs:
        conditions.append("nhs_number = %s")
        params.append(wanted_nhs)
    if wanted_surname and date_of_birth:
        conditions.append("(family_name_key = %s AND date_of_birth = %s)")
        params += [wanted_surname, _DATE_OF_BIRTH.get_db_prep_value(date_of_birth, connection)]
    if wanted_phone:
        conditions.append("phone = %s")
        params.append(wanted_phone)
    if not conditions:
        return []
    where = " OR ".join(conditions)
    if exclude_pk is not None:
        where = f"({where}) AND id <> %s"
        params.append(exclude_pk)
    # The ids first, in the statement Patient.objects.filter(Q | Q | Q) would write but
    # without building and compiling it on every registration (about 1 ms of CPU, issue
    # 14.3); every condition is the leading column of an index. Most registrations match
    # nobody; the records themselves are read only when something matched.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Patient._meta.db_table} WHERE {where} "  # noqa: S608 (fixed columns; values are parameters)
            "ORDER BY family_name, given_names, id LIMIT 10",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    matches = list(
        Patient.objects.using(using).filter(pk__in=ids).order_by("family_name", "given_names", "id")
    )
    for match in matches:
        match.matched_on = [
            label
            for label, matched in (
                (DUPLICATE_NHS_NUMBER, wanted_nhs and match.nhs_number == wanted_nhs),
                (
                    DUPLICATE_SURNAME_AND_DOB,
                    match.date_of_birth == date_of_birth
                    and match.family_name_key == wanted_surname,
                ),
                (DUPLICATE_PHONE, wanted_phone and match.phone == wanted_phone),
            )
            if matched
        ]
    return matches


def patient_list_recently_registered(*, limit: int = 8) -> list[Patient]:
    return list(Patient.objects.order_by("-created_at", "-id")[:limit])


def patient_stats() -> dict:
    """Small counts for the manager's home page: one statement of four counts, each read
    through its own index (status; created_at). One aggregate with four FILTERs read every
    patient row instead: 153 ms at 1,000,000 patients, now about 35 ms."""

    def count(condition: Q) -> CountRows:
        return CountRows(Patient.objects.filter(condition).order_by().values("pk"))

    month_start = timezone.localdate().replace(day=1)
    month_start_dt = timezone.make_aware(datetime.combine(month_start, datetime.min.time()))
    counts = {
        "active": count(Q(status=PatientStatus.ACTIVE)),
        "archived": count(Q(status=PatientStatus.ARCHIVED)),
        "registered_this_month": count(Q(created_at__gte=month_start_dt)),
        "registered_last_7_days": count(Q(created_at__gte=timezone.now() - timedelta(days=7))),
    }
    row = Patient.objects.order_by().annotate(**counts).values(*counts)[:1]
    return next(iter(row), dict.fromkeys(counts, 0))


def staff_name(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str
    changes: list[tuple[str, str, str]]


HIDDEN_HISTORY_FIELDS = {"version"}


@dataclass
class EditConflictView:
    """An edit refused because someone saved first, and how to carry on without losing
    either person's work."""

    changed_by: str
    changed_at: datetime | None
    theirs: list[tuple[str, str, str]]  # field, value when you opened it, value saved now
    mine: list[tuple[str, str]]  # field, your new value (kept in the form)
    clashes: list[str]  # fields both of you changed, to differing values
    merged: dict  # the form's new data: what is saved now, plus your own changes


@dataclass
class LastChange:
    """Who saved a patient last, and when (its change history); `user` is None for a
    change nobody on the staff made (an unsubscribe link) or a record with no history."""

    user: object | None
    at: datetime | None


def last_change(record) -> LastChange:
    """The latest entry of a record's change history (a patient, a subject access request),
    with its user (one query): the change made meanwhile that an edit conflict and a refused
    archive or restore name."""
    last = record.history.select_related("history_user").order_by("-history_date").first()
    if last is None:
        return LastChange(user=None, at=None)
    return LastChange(user=last.history_user, at=last.history_date)


def patient_edit_conflict(
    *, current, submitted: dict, expected_version: int, show_nhs_number: bool
) -> EditConflictView:
    """Compare the version the editor loaded (from the change history) with what is saved
    now and with what they typed. Only fields they changed are kept from their form, so
    saving again never silently undoes the other person's change. `current` is a patient,
    or another record kept with a `version` and its history (a subject access request)."""
    loaded = current.history.filter(version=expected_version).order_by("-history_date").first()
    last = last_change(current)
    theirs, mine, clashes, merged = [], [], [], {}
    for name, typed in submitted.items():
        field = type(current)._meta.get_field(name)  # a patient, or a subject access request
        label = str(field.verbose_name)
        saved = getattr(current, name)
        original = getattr(loaded, name) if loaded is not None else saved
        i_changed = _differs(typed, original)
        they_changed = _differs(saved, original)
        merged[name] = typed if i_changed else saved
        hidden = name == "nhs_number" and not show_nhs_number
        if they_changed and not hidden:
            theirs.append(
                (label, _display_value(name, original, field), _display_value(name, saved, field))
            )
        if i_changed and not hidden:
            mine.append((label, _display_value(name, typed, field)))
        if i_changed and they_changed and _differs(typed, saved):
            clashes.append(label)
    return EditConflictView(
        changed_by=staff_name(last.user) if last.at is not None else "someone",
        changed_at=last.at,
        theirs=theirs,
        mine=mine,
        clashes=clashes,
        merged=merged,
    )


def _differs(a, b) -> bool:
    return (a if a is not None else "") != (b if b is not None else "")


def _display_value(name: str, value, field) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if name in ("phone", "emergency_contact_phone"):
        return format_phone(value)
    if name == "nhs_number":
        return format_nhs_number(value)
    return str(value)


def patient_history(*, patient: Patient, user) -> list[HistoryEntry]:
    """Who changed what and when, newest first. NHS numbers stay hidden from roles that
    may not see them."""
    records = list(
        patient.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    can_see_nhs = user.has_perm("patients.view_nhs_number")
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            for change in delta.changes:
                if change.field in HIDDEN_HISTORY_FIELDS:
                    continue
                label = Patient._meta.get_field(change.field).verbose_name
                old, new = str(change.old or "—"), str(change.new or "—")
                if change.field == "nhs_number" and not can_see_nhs:
                    old, new = "(hidden)", "(hidden)"
                changes.append((label, old, new))
        kind = {"+": "Registered", "~": "Changed", "-": "Deleted"}[record.history_type]
        who = staff_name(record.history_user)
        entries.append(HistoryEntry(when=record.history_date, who=who, kind=kind, changes=changes))
    return entries


# Record governance (issue 6): retention and subject access -----------------------------
