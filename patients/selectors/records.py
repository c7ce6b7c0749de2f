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
from clinic.templatetags.record_export import plain_value
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
# Those born that day read to compare their names, at most: about 35 a day at 1,000,000
# patients, thousands on a placeholder date of birth (01/01/1900). Past it, the same
# surname is still read by its own index, and the total is said as "at least".
BORN_THAT_DAY_COMPARED = 500
# Rows a condition reads at most for the list by name and for counting (a phone number a
# whole family or a care home shares): past it, the total is said as "at least".
DUPLICATES_COUNTED = 1000

# The strength of each reason, strongest first: the list is cut after ordering by it.
_STRENGTH = {
    DUPLICATE_NHS_NUMBER: 0,
    DUPLICATE_SURNAME_AND_DOB: 1,
    DUPLICATE_SIMILAR_SURNAME: 2,
    DUPLICATE_SIMILAR_NAMES: 2,
    DUPLICATE_SWAPPED_NAMES: 2,
    DUPLICATE_PHONE: 3,
}
_COLUMNS = (
    "id, nhs_number, date_of_birth, phone, family_name_key, family_name_tokens, given_name_tokens"
)
_BY_NAME = "family_name_key, given_name_tokens, id"
# Which condition read a row (the statement's first column).
_NHS, _SURNAME, _BORN, _PHONE, _PHONE_ONLY = 1, 2, 3, 4, 5


class PossibleMatches(list):
    """The records shown (a list of Patient, strongest match first), with `total`, how
    many records matched in all, and `at_least`, True when a limit on the rows read was
    reached and there may be more."""

    def __init__(self, shown=(), *, total: int = 0, at_least: bool = False):
        super().__init__(shown)
        self.total = max(total, len(self))
        self.at_least = at_least


def patient_find_duplicates(
    *,
    nhs_number: str = "",
    family_name: str = "",
    given_names: str = "",
    preferred_name: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    exclude_pk: int | None = None,
) -> PossibleMatches:
    """Likely matches for a new registration: same NHS number; same surname and date of
    birth; same date of birth and a similar name (a surname or first name mistyped, or
    the two swapped: _SimilarNames); or same phone number. Archived patients count too
    (they may be returning). Each match carries `matched_on`, the details that matched,
    for the warning table; the strongest matches are listed first (in that order of
    reasons, then by name), MAX_DUPLICATES_SHOWN of them, with the total matched.

    Surnames are compared by their normalised key (patients.names: O'Brien-Whitfield =
    OBrien Whitfield, McDonald = MacDonald), and spellings by patients.names.spelt_alike,
    what the search on SQLite ranks near spellings by: in Python, the same on PostgreSQL
    and SQLite, over the few records born that day (the date of birth's index; about 35
    a day at 1,000,000 patients; BORN_THAT_DAY_COMPARED at most)."""
    wanted_nhs = normalise_nhs_number(nhs_number) if nhs_number else ""
    wanted_phone = normalise_phone(phone) if phone else ""
    keys = patient_name_keys(
        family_name=family_name, given_names=given_names, preferred_name=preferred_name
    )
    wanted = _Names.stored(**keys)
    similar_names = _SimilarNames(wanted)
    using = Patient.objects.db  # the primary inside the registration's transaction
    connection = connections[using]
    born = _DATE_OF_BIRTH.get_db_prep_value(date_of_birth, connection) if date_of_birth else None
    by_born = born is not None and bool(wanted.surname or wanted.given)
    table = Patient._meta.db_table
    other = "" if exclude_pk is None else " AND id <> %s"
    excluded = [] if exclude_pk is None else [exclude_pk]
    shown = MAX_DUPLICATES_SHOWN

    # One statement (issue 14.3: no queryset compiled per registration), each condition
    # on its own index with its own LIMIT: the NHS number (unique), the same surname and
    # date of birth (the first `shown` by name), those born that day (for the names to be
    # compared), the same phone (the first `shown` by name), and last a count of the
    # records only the phone can match (another date of birth, another NHS number).
    parts, params = [], []

    def rows(part: int, where: str, values: list, *, limit: int, by_name: bool = True):
        read = f"SELECT {part} AS part, {_COLUMNS} FROM {table} WHERE {where}{other}"  # noqa: S608 (fixed columns; values are parameters)
        if by_name:
            read = f"SELECT * FROM ({read} LIMIT {DUPLICATES_COUNTED}) AS c ORDER BY {_BY_NAME}"  # noqa: S608
        parts.append(f"SELECT * FROM ({read} LIMIT {limit}) AS p{len(parts)}")  # noqa: S608
        params.extend([*values, *excluded])

    if wanted_nhs:
        rows(_NHS, "nhs_number = %s", [wanted_nhs], limit=1, by_name=False)
    if by_born and wanted.surname:
        rows(
            _SURNAME,
            "family_name_key = %s AND date_of_birth = %s",
            [wanted.surname, born],
            limit=shown,
        )
    if by_born:
        rows(_BORN, "date_of_birth = %s", [born], limit=BORN_THAT_DAY_COMPARED + 1, by_name=False)
    if wanted_phone:
        rows(_PHONE, "phone = %s", [wanted_phone], limit=shown)
        apart = "phone = %s" + other
        apart_params = [wanted_phone, *excluded]
        if by_born:
            apart += " AND date_of_birth <> %s"
            apart_params.append(born)
        if wanted_nhs:
            apart += " AND nhs_number <> %s"
            apart_params.append(wanted_nhs)
        parts.append(
            f"SELECT {_PHONE_ONLY}, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {apart} "  # noqa: S608
            f"LIMIT {DUPLICATES_COUNTED}) AS n), NULL, NULL, NULL, NULL, NULL, NULL"
        )
        params.extend(apart_params)
    if not parts:
        return PossibleMatches()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()

    phone_only_elsewhere = next((row[1] for row in found if row[0] == _PHONE_ONLY), 0)
    read_born_that_day = sum(1 for row in found if row[0] == _BORN)
    matched_on, order, counted = {}, {}, 0
    for _, pk, nhs, dob, number, *names in (row for row in found if row[0] != _PHONE_ONLY):
        if pk in matched_on:
            continue  # read by two conditions
        labels = []
        if wanted_nhs and nhs == wanted_nhs:
            labels.append(DUPLICATE_NHS_NUMBER)
        same_day = _as_date(dob) == date_of_birth
        if same_day:
            found_names = _Names.stored(*names)
            if wanted.surname and found_names.surname == wanted.surname:
                labels.append(DUPLICATE_SURNAME_AND_DOB)
            elif similar := similar_names(found_names):
                labels.append(similar)
        if wanted_phone and number == wanted_phone:
            labels.append(DUPLICATE_PHONE)
        if not labels:
            matched_on[pk] = None
            continue
        matched_on[pk] = labels
        order[pk] = (min(_STRENGTH[label] for label in labels), names[0], names[2], pk)
        if labels != [DUPLICATE_PHONE] or (by_born and same_day):
            counted += 1  # the count of the phone's records apart leaves it out
    strongest = sorted(order, key=order.__getitem__)[:shown]
    if not strongest:
        return PossibleMatches()
    records = Patient.objects.using(using).in_bulk(strongest)
    matches = [records[pk] for pk in strongest if pk in records]
    for match in matches:
        match.matched_on = matched_on[match.pk]
    return PossibleMatches(
        matches,
        total=counted + phone_only_elsewhere,
        at_least=read_born_that_day > BORN_THAT_DAY_COMPARED
        or phone_only_elsewhere >= DUPLICATES_COUNTED,
    )


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
    """A field's value as the record page shows it: its choice's words, a spaced phone or
    NHS number, else as every record export shows a value (UK dates, London times, Yes/No,
    a dash for nothing: plain_value)."""
    if value not in (None, ""):
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if name in ("phone", "emergency_contact_phone"):
            return format_phone(value)
        if name == "nhs_number":
            return format_nhs_number(value)
    return plain_value(value)


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
                field = Patient._meta.get_field(change.field)
                label = field.verbose_name
                # As the page shows them (dd/mm/yyyy, Yes/No, the choice's words, a spaced
                # phone), not the stored value: a date read 1980-02-01, a consent "True".
                old = _display_value(change.field, change.old, field)
                new = _display_value(change.field, change.new, field)
                if change.field == "nhs_number" and not can_see_nhs:
                    old, new = "(hidden)", "(hidden)"
                changes.append((label, old, new))
        kind = {"+": "Registered", "~": "Changed", "-": "Deleted"}[record.history_type]
        who = staff_name(record.history_user)
        entries.append(HistoryEntry(when=record.history_date, who=who, kind=kind, changes=changes))
    return entries


# Record governance (issue 6): retention and subject access -----------------------------
