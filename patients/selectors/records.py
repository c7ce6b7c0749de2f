"""Reading patients: one for a user, the list, duplicates at registration, recent
registrations and counts, change history, the edit-conflict view and the last change."""

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.expressions import CountRows
from clinic.prepared import Prepared
from patients.choices import PatientStatus
from patients.models import Patient, patient_name_keys
from patients.names import spelt_alike
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
DUPLICATE_SIMILAR_SURNAME = "date of birth and first name, similar surname"
DUPLICATE_SIMILAR_NAMES = "date of birth, similar first name and surname"
DUPLICATE_SWAPPED_NAMES = "date of birth, first name and surname swapped"
DUPLICATE_PHONE = "phone"

# A surname part this short ("de", "la", "van") says little on its own: parts of a
# double-barrelled surname are compared only from this length.
_SURNAME_PART_LENGTH = 4


@dataclass(frozen=True)
class _Names:
    """A person's names as the duplicate check compares them (patients.names)."""

    surname: str  # the whole surname's key ("obrienwhitfield")
    surname_parts: tuple[str, ...]  # ("obrien", "whitfield")
    given: tuple[str, ...]  # every given and preferred name part

    @classmethod
    def stored(cls, family_name_key: str, family_name_tokens: str, given_name_tokens: str):
        return cls(
            family_name_key, tuple(family_name_tokens.split()), tuple(given_name_tokens.split())
        )

    def swapped(self) -> "_Names":
        """These names the other way round: the first names as the surname and so on."""
        return _Names("".join(self.given), self.given, (self.surname, *self.surname_parts))


class _SimilarNames:
    """The names typed at registration against each record born that day: why one is
    the same person mistyped, or "". Names repeat from record to record, so each pair
    of spellings is compared once a registration (`alike`)."""

    def __init__(self, wanted: _Names):
        self.wanted = wanted
        self.swapped = wanted.swapped()
        self.alike = functools.cache(spelt_alike)

    def __call__(self, found: _Names) -> str:
        """The same first name and a surname one slip away ("Armstong" for Armstrong), a
        first name and surname each one slip away, or the two names swapped. Exactly the
        same surname is DUPLICATE_SURNAME_AND_DOB already, whatever the first name. The
        first names first: they rule out most people born the same day."""
        wanted = self.wanted
        if wanted.surname == found.surname:
            return ""
        same_given = bool(set(wanted.given) & set(found.given))
        if (same_given or self._given_alike(wanted, found)) and self._surname_alike(wanted, found):
            return DUPLICATE_SIMILAR_SURNAME if same_given else DUPLICATE_SIMILAR_NAMES
        swapped = self.swapped
        if self._given_alike(swapped, found) and self._surname_alike(swapped, found):
            return DUPLICATE_SWAPPED_NAMES
        return ""

    def _given_alike(self, mine: _Names, theirs: _Names) -> bool:
        return any(self.alike(a, b) for a in mine.given for b in theirs.given)

    def _surname_alike(self, mine: _Names, theirs: _Names) -> bool:
        """The whole surnames spelt alike, or a part of one the other's part."""
        if self.alike(mine.surname, theirs.surname):
            return True
        return any(
            self.alike(a, b)
            for a in mine.surname_parts
            for b in theirs.surname_parts
            if min(len(a), len(b)) >= _SURNAME_PART_LENGTH
        )


def _as_date(value) -> date | None:
    """A date column read by a raw cursor: a date (PostgreSQL), or its text on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value


# The possible matches shown at most (the warning's table).
MAX_DUPLICATES_SHOWN = 10


def patient_find_duplicates(
    *,
    nhs_number: str = "",
    family_name: str = "",
    given_names: str = "",
    preferred_name: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    exclude_pk: int | None = None,
) -> list[Patient]:
    """Likely matches for a new registration: same NHS number; same surname and date of
    birth; same date of birth and a similar name (a surname or first name mistyped, or
    the two swapped: _SimilarNames); or same phone number. Archived patients count too
    (they may be returning). Each match carries `matched_on`, the details that matched,
    for the warning table.

    Surnames are compared by their normalised key (patients.names: O'Brien-Whitfield =
    OBrien Whitfield, McDonald = MacDonald), and spellings by patients.names.spelt_alike,
    what the search on SQLite ranks near spellings by: in Python, the same on PostgreSQL
    and SQLite, over the few records born that day (the date of birth's index; about 35
    a day at 1,000,000 patients)."""
    wanted_nhs = normalise_nhs_number(nhs_number) if nhs_number else ""
    wanted_phone = normalise_phone(phone) if phone else ""
    keys = patient_name_keys(
        family_name=family_name, given_names=given_names, preferred_name=preferred_name
    )
    wanted = _Names.stored(**keys)
    similar_names = _SimilarNames(wanted)
    using = Patient.objects.db  # the primary inside the registration's transaction
    connection = connections[using]
    conditions, params = [], []
    if wanted_nhs:
        conditions.append("nhs_number = %s")
        params.append(wanted_nhs)
    if date_of_birth and (wanted.surname or wanted.given):
        conditions.append("date_of_birth = %s")
        params.append(_DATE_OF_BIRTH.get_db_prep_value(date_of_birth, connection))
    if wanted_phone:
        conditions.append("phone = %s")
        params.append(wanted_phone)
    if not conditions:
        return []
    where = " OR ".join(conditions)
    if exclude_pk is not None:
        where = f"({where}) AND id <> %s"
        params.append(exclude_pk)
    # The candidates' keys first, in one statement on the indexes of the NHS number, the
    # date of birth and the phone, without building and compiling a queryset on every
    # registration (about 1 ms of CPU, issue 14.3). Most registrations match nobody; the
    # records themselves are read only when something matched.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, nhs_number, date_of_birth, phone, family_name_key, "  # noqa: S608 (fixed columns; values are parameters)
            f"family_name_tokens, given_name_tokens FROM {Patient._meta.db_table} WHERE {where}",
            params,
        )
        rows = cursor.fetchall()
    matched_on = {}
    for pk, nhs, born, number, *names in rows:
        labels = []
        if wanted_nhs and nhs == wanted_nhs:
            labels.append(DUPLICATE_NHS_NUMBER)
        if _as_date(born) == date_of_birth:
            found = _Names.stored(*names)
            if wanted.surname and found.surname == wanted.surname:
                labels.append(DUPLICATE_SURNAME_AND_DOB)
            elif similar := similar_names(found):
                labels.append(similar)
        if wanted_phone and number == wanted_phone:
            labels.append(DUPLICATE_PHONE)
        if labels:
            matched_on[pk] = labels
    if not matched_on:
        return []
    matches = list(
        Patient.objects.using(using)
        .filter(pk__in=matched_on)
        .order_by("family_name", "given_names", "id")[:MAX_DUPLICATES_SHOWN]
    )
    for match in matches:
        match.matched_on = matched_on[match.pk]
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
