"""Reads of patients and questionnaires. Every queryset leaves here with its joins done."""

import difflib
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from patients.choices import PatientStatus
from patients.models import (
    FAMILY_NAME_KEY_LENGTH,
    IntakeQuestionnaire,
    Patient,
    PriorTreatment,
)
from patients.names import name_parts, normalise_name
from patients.retention import Retention
from patients.validators import (
    format_nhs_number,
    format_phone,
    is_valid_nhs_number,
    normalise_nhs_number,
    normalise_phone,
)

RECORD_NUMBER_RE = re.compile(r"^[A-Za-z](\d{1,9})$")
# A record number typed in full (K000123): enough to open the record straight away.
FULL_RECORD_NUMBER_DIGITS = 6
DATE_INPUTS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# Trigram similarity is noisy below three characters; shorter words match by prefix.
MIN_FUZZY_LENGTH = 3
# pg_trgm's default thresholds are 0.3 (similarity) and 0.6 (word similarity); when
# nothing matches, one retry at these looser ones ("Lweis", "obrein").
LOOSE_SIMILARITY = 0.15
LOOSE_WORD_SIMILARITY = 0.4
# A best match ranked below this (per word of four letters or more) is a weak one: an
# exact surname ranks 1.0, a merely similar one (White for "whitfeild") about 0.4.
WEAK_RANK = 0.45
# A full UK number (11 digits, national form) that matches nobody finds the numbers one
# slip away from it instead.
FULL_PHONE_LENGTH = 11

SIMILAR_NUMBER = "similar number"
EMERGENCY_CONTACT_NUMBER = "emergency contact's number"


def patient_get_for_user(*, user, public_id) -> Patient:
    """The one way views fetch a patient (404 when unknown). Callers have checked the view
    permission; this is where per-patient restrictions will live (e.g. sites)."""
    return get_object_or_404(Patient.objects.select_related("registered_by"), public_id=public_id)


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    record_numbers: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    # A record number typed in full ("K000123", not "k12"): the search names one record.
    full_record_number: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.dates or self.record_numbers or self.numbers)

    @property
    def joined(self) -> str:
        """The words as one surname ("o brien" -> "obrien"), for two or more words."""
        return "".join(self.words) if len(self.words) > 1 else ""


def _parse_date(token: str) -> date | None:
    for fmt in DATE_INPUTS:
        try:
            parsed = datetime.strptime(token, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed > timezone.localdate():
            parsed = parsed.replace(year=parsed.year - 100)  # 01/02/65 is 1965, not 2065
        return parsed
    return None


def parse_search(query: str) -> ParsedQuery:
    """Split what a receptionist typed: "smith 03/04/1981", "K000123", "07700 900123".

    Name words are normalised as stored names are (patients.names): "O'Brien-Whitfield"
    becomes the words "obrien" and "whitfield"."""
    parsed = ParsedQuery()
    text = (query or "").strip()[:200]
    # A phone or NHS number typed with spaces is one token (unless it is a date).
    compact = re.sub(r"[\s()-]", "", text)
    if compact.lstrip("+").isdigit() and len(compact) >= 6 and _parse_date(text) is None:
        parsed.numbers.append(compact)
        return parsed
    tokens = text.split()
    for token in tokens:
        if match := RECORD_NUMBER_RE.match(token):
            prefix = token[0].upper()
            parsed.record_numbers.append(f"{prefix}{int(match.group(1)):06d}")
            parsed.full_record_number = (
                len(tokens) == 1 and len(match.group(1)) >= FULL_RECORD_NUMBER_DIGITS
            )
        elif (parsed_date := _parse_date(token)) is not None:
            parsed.dates.append(parsed_date)
        elif token.isdigit():
            parsed.numbers.append(token)
        else:
            parsed.words.extend(part[:50] for part in name_parts(token))
    return parsed


def _near_numbers(digits: str) -> list[str]:
    """Numbers one slip away from a full phone number: one digit mistyped, or two
    neighbours swapped (the leading 0 kept). About a hundred values, each an index probe."""
    near = set()
    for i in range(1, len(digits)):
        for other in "0123456789":
            if other != digits[i]:
                near.add(digits[:i] + other + digits[i + 1 :])
        if i + 1 < len(digits) and digits[i] != digits[i + 1]:
            near.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    return sorted(near)


def _is_full_phone(digits: str) -> bool:
    return len(digits) == FULL_PHONE_LENGTH and digits.startswith("0")


def _number_filter(number: str, *, user, near: bool = False) -> Q:
    digits = normalise_phone(number)
    if near:
        # Numbers one slip away from a full number that matched nobody; labelled as
        # similar numbers by _label_number_matches.
        return Q(phone__in=_near_numbers(digits)) if _is_full_phone(digits) else Q(pk__in=[])
    # Prefix matches let a receptionist type the start of a number; both columns have
    # pattern indexes on PostgreSQL (patients migration 0004). An emergency contact's
    # number is labelled as such by _label_number_matches.
    condition = Q(phone__startswith=digits) | Q(emergency_contact_phone__startswith=digits)
    nhs = normalise_nhs_number(number)
    if len(nhs) == 10 and user.has_perm("patients.view_nhs_number"):
        condition |= Q(nhs_number=nhs)
    return condition


def _number_match_order(numbers: list[str]):
    """The patient's own number (or NHS number) first, then an emergency contact's, then
    near numbers: 0, 1, 2."""
    exact, emergency = Q(), Q()
    for number in numbers:
        digits = normalise_phone(number)
        exact |= Q(phone__startswith=digits) | Q(nhs_number=normalise_nhs_number(number))
        emergency |= Q(emergency_contact_phone__startswith=digits)
    return Case(When(exact, then=Value(0)), When(emergency, then=Value(1)), default=Value(2))


def _label_number_matches(patients: list[Patient], numbers: list[str]) -> list[Patient]:
    """Say on each result found by something other than its own number why it is there
    (`search_note`): an emergency contact's number, or a similar number."""
    for patient in patients:
        patient.search_note = ""
        for number in numbers:
            digits = normalise_phone(number)
            if patient.phone.startswith(digits) or (
                patient.nhs_number and patient.nhs_number == normalise_nhs_number(number)
            ):
                break
        else:
            if any(
                patient.emergency_contact_phone.startswith(normalise_phone(number))
                for number in numbers
            ):
                patient.search_note = EMERGENCY_CONTACT_NUMBER
            else:
                patient.search_note = SIMILAR_NUMBER
    return patients


def _word_filter(word: str, *, fuzzy: bool) -> Q:
    """One normalised word against the stored normalised names (patients.names)."""
    if len(word) < MIN_FUZZY_LENGTH:
        # One or two letters (an initial, or typing just begun): name prefixes, served by
        # btree pattern indexes; trigrams need three characters.
        return Q(family_name_key__startswith=word) | Q(given_names__istartswith=word)
    # A name part starting with the word (" whit" in " obrien whitfield"), on the
    # token columns' trigram indexes.
    condition = Q(family_name_tokens__contains=f" {word}") | Q(
        given_name_tokens__contains=f" {word}"
    )
    if fuzzy:
        condition |= (
            Q(family_name_key__trigram_similar=word)
            | Q(family_name_tokens__trigram_word_similar=word)
            | Q(given_name_tokens__trigram_word_similar=word)
        )
    return condition


def _words_filter(parsed: ParsedQuery, *, fuzzy: bool) -> Q:
    condition = reduce(operator.and_, (_word_filter(w, fuzzy=fuzzy) for w in parsed.words))
    if parsed.joined:
        # "o brien", "mac donald", "van der berg": the words as one surname.
        condition |= Q(family_name_key__startswith=parsed.joined)
    return condition


# Receptionists mostly search by surname: a surname match outranks an equally close
# first-name match, while "Reece" still finds the Reeces before Mr Reeves.
GIVEN_NAME_WEIGHT = 0.6


# A name part as close as a whole surname ranks nearly as high: the whole surname's own
# similarity only breaks the tie (Whitfield above O'Brien-Whitfield for "whitfield").
WHOLE_SURNAME_WEIGHT = 0.2


def _similarity(word: str):
    """How well one word matches a patient: the better of the whole surname and its best
    part, then the given names, weighted lower. "whitfield": Whitfield 1.0, O'Brien-
    Whitfield 0.91, White 0.39."""
    whole = TrigramSimilarity("family_name_key", word)
    surname = Greatest(whole, TrigramWordSimilarity(word, "family_name_tokens")) * Value(
        1 - WHOLE_SURNAME_WEIGHT
    ) + whole * Value(WHOLE_SURNAME_WEIGHT)
    return surname + TrigramWordSimilarity(word, "given_name_tokens") * Value(GIVEN_NAME_WEIGHT)


def _rank(parsed: ParsedQuery):
    rank = reduce(operator.add, (_similarity(word) for word in parsed.words))
    if parsed.joined:
        rank += TrigramSimilarity("family_name_key", parsed.joined)
    return rank


def patient_search(
    *, user, query: str, status: str | None = PatientStatus.ACTIVE, limit: int | None = None
) -> list[Patient]:
    """Best matches first, at most `limit`: names (typo-tolerant), date of birth, NHS
    number, phone and record number, in any combination ("jones 12/03/1980").

    Names are compared in their normalised form (patients.names). A phone number also
    finds an emergency contact's number, after the patient's own; a full number that
    matches nobody finds numbers one slip away. Both are labelled (`search_note`)."""
    limit = limit or settings.PATIENT_SEARCH_LIMIT
    parsed = parse_search(query)
    if parsed.is_empty:
        return []
    base = Patient.objects.all()
    if status:
        base = base.filter(status=status)
    for record_number in parsed.record_numbers:
        base = base.filter(record_number=record_number)
    for dob in parsed.dates:
        base = base.filter(date_of_birth=dob)
    if parsed.numbers:
        found = _search_with_numbers(base, parsed, limit, user=user)
        return _label_number_matches(found, parsed.numbers)
    if not parsed.words:
        return list(base.order_by("family_name", "given_names", "id")[:limit])
    if connection.vendor == "postgresql":
        return _search_words_with_trigrams(base, parsed, limit)
    return _search_words_without_trigrams(base, parsed, limit)


def _search_with_numbers(base: QuerySet, parsed: ParsedQuery, limit: int, *, user) -> list[Patient]:
    """The number as typed (a patient's own number first, then an emergency contact's);
    when a full phone number matches nobody, the numbers one slip away from it."""
    if parsed.words:
        base = base.filter(_words_filter(parsed, fuzzy=connection.vendor == "postgresql"))
    order = (_number_match_order(parsed.numbers), "family_name", "given_names", "id")
    exact = base
    for number in parsed.numbers:
        exact = exact.filter(_number_filter(number, user=user))
    found = list(exact.order_by(*order)[:limit])
    if found or not any(_is_full_phone(normalise_phone(n)) for n in parsed.numbers):
        return found
    near = base
    for number in parsed.numbers:
        near = near.filter(_number_filter(number, user=user, near=True))
    return list(near.order_by("family_name", "given_names", "id")[:limit])


def _search_words_with_trigrams(base: QuerySet, parsed: ParsedQuery, limit: int) -> list[Patient]:
    words = parsed.words
    matches = base.filter(_words_filter(parsed, fuzzy=True))
    if all(len(word) < MIN_FUZZY_LENGTH for word in words):
        # Only initials or a first keystroke or two: thousands of rows can match, and
        # similarity to a two-letter fragment means little. Alphabetical is enough.
        return list(matches.order_by("family_name", "given_names", "id")[:limit])
    rank = _rank(parsed)
    ranked = matches.annotate(rank=rank).order_by("-rank", "family_name", "given_names", "id")
    found = list(ranked[:limit])
    long_words = [word for word in words if len(word) > MIN_FUZZY_LENGTH]
    weak = not found or found[0].rank < WEAK_RANK * len(long_words)
    if not long_words or not weak or len(found) >= limit:
        return found
    # Nothing, or a few weak matches only: a worse typo ("Lweis", or "whitfeild" in a
    # double-barrelled name, where White is the only close whole surname). Retry once on
    # surnames with looser thresholds, still on the trigram indexes, and merge by rank.
    # A full page of weak matches is left as it is: a second query on every such typo
    # would cost more than it finds.
    loose = base
    for word in words:
        loose = loose.filter(
            Q(family_name_key__trigram_similar=word)
            | Q(family_name_tokens__trigram_word_similar=word)
            if len(word) > MIN_FUZZY_LENGTH
            else _word_filter(word, fuzzy=False)
        )
    loose = loose.annotate(rank=rank).order_by("-rank", "family_name", "given_names", "id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
            "set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(LOOSE_SIMILARITY), str(LOOSE_WORD_SIMILARITY)],
        )
        more = list(loose[:limit])
    merged = {patient.pk: patient for patient in [*found, *more]}.values()
    return sorted(merged, key=lambda p: (-p.rank, p.family_name, p.given_names, p.pk))[:limit]


def _search_words_without_trigrams(
    base: QuerySet, parsed: ParsedQuery, limit: int
) -> list[Patient]:
    """SQLite fallback: name-part prefixes, then near spellings ranked by difflib.

    Candidates for near spellings share the first letter of a surname or given name part,
    a bounded set that is fine for a demo or a small clinic; PostgreSQL is the real engine.
    """
    words = parsed.words
    exact = base.filter(_words_filter(parsed, fuzzy=False))
    surname_first = Case(
        When(family_name_key=words[0], then=Value(0)),
        When(family_name_tokens__contains=f" {words[0]}", then=Value(1)),
        default=Value(2),
    )
    found = list(exact.order_by(surname_first, "family_name", "given_names", "id")[:limit])
    if len(found) >= limit:
        return found
    seen = {p.pk for p in found}
    candidates = base.exclude(pk__in=seen)
    for word in words:
        candidates = candidates.filter(
            Q(family_name_tokens__contains=f" {word[0]}")
            | Q(given_name_tokens__contains=f" {word[0]}")
        )

    def score(patient: Patient) -> float:
        names = [
            patient.family_name_key,
            *patient.family_name_tokens.split(),
            *patient.given_name_tokens.split(),
        ]
        return min(
            max(difflib.SequenceMatcher(None, word, name).ratio() for name in names if name)
            for word in words
        )

    near = [(score(p), p) for p in candidates.order_by("id")[:2000]]
    near = sorted((item for item in near if item[0] >= 0.7), key=lambda item: -item[0])
    return found + [p for _, p in near[: limit - len(found)]]


def patient_search_opens(*, query: str, results: list[Patient], user) -> Patient | None:
    """The one patient to open straight away, when what was typed names exactly one
    record: a record number in full (K000123), or a valid NHS number (for roles that see
    NHS numbers). Partial numbers typed on the way there never open anything."""
    if len(results) != 1:
        return None
    patient = results[0]
    parsed = parse_search(query)
    if parsed.full_record_number and parsed.record_numbers == [patient.record_number]:
        return patient
    if (
        len(parsed.numbers) == 1
        and not parsed.words
        and user.has_perm("patients.view_nhs_number")
        and is_valid_nhs_number(normalise_nhs_number(parsed.numbers[0]))
        and patient.nhs_number == normalise_nhs_number(parsed.numbers[0])
    ):
        return patient
    return None


def patient_list(*, status: str | None = PatientStatus.ACTIVE) -> QuerySet[Patient]:
    qs = Patient.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("family_name", "given_names", "id")


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
    condition = Q()
    if wanted_nhs:
        condition |= Q(nhs_number=wanted_nhs)
    if wanted_surname and date_of_birth:
        condition |= Q(family_name_key=wanted_surname, date_of_birth=date_of_birth)
    if wanted_phone:
        condition |= Q(phone=wanted_phone)
    if not condition:
        return []
    qs = Patient.objects.filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    matches = list(qs.order_by("family_name", "given_names", "id")[:10])
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


def questionnaire_list_for_patient(
    *, patient: Patient, limit: int | None = None
) -> list[IntakeQuestionnaire]:
    """A patient's questionnaires, newest first, with their prior treatments."""
    qs = (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .select_related("entered_by", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "prior_treatments",
                queryset=PriorTreatment.objects.select_related("product", "indication"),
            )
        )
        .order_by("-completed_on", "-id")
    )
    return list(qs[:limit] if limit else qs)


QUESTIONNAIRE_CARRIED_FIELDS = (
    "allergy_details",
    "neuromuscular_details",
    "current_medications",
)


def questionnaire_initial_from_latest(*, patient: Patient) -> dict:
    """Free-text details from the last questionnaire, to be confirmed again (clinical roles
    only). Yes/no answers are never carried over: each must be asked afresh."""
    latest = (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values(*QUESTIONNAIRE_CARRIED_FIELDS)
        .first()
    )
    return latest or {}


def questionnaire_get_for_patient(*, patient: Patient, pk: int) -> IntakeQuestionnaire:
    return get_object_or_404(IntakeQuestionnaire, patient=patient, pk=pk)


@dataclass(frozen=True)
class QuestionnaireSummary:
    """What reception may see: that a questionnaire exists and whether it was reviewed."""

    count: int
    latest_on: date | None
    latest_reviewed: bool


def questionnaire_summary(*, patient: Patient) -> QuestionnaireSummary:
    rows = list(
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values_list("completed_on", "reviewed_at")
    )
    if not rows:
        return QuestionnaireSummary(count=0, latest_on=None, latest_reviewed=False)
    latest_on, reviewed_at = rows[0]
    return QuestionnaireSummary(
        count=len(rows), latest_on=latest_on, latest_reviewed=reviewed_at is not None
    )


def questionnaire_list_awaiting_review(*, limit: int = 10) -> list[IntakeQuestionnaire]:
    return list(
        IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True, patient__status="active")
        .select_related("patient", "entered_by")
        .order_by("completed_on", "id")[:limit]
    )


def patient_stats() -> dict:
    """Small counts for the manager's home page (indexed; one query)."""
    month_start = timezone.localdate().replace(day=1)
    month_start_dt = timezone.make_aware(datetime.combine(month_start, datetime.min.time()))
    return Patient.objects.aggregate(
        active=Count("id", filter=Q(status=PatientStatus.ACTIVE)),
        archived=Count("id", filter=Q(status=PatientStatus.ARCHIVED)),
        registered_this_month=Count("id", filter=Q(created_at__gte=month_start_dt)),
        registered_last_7_days=Count(
            "id", filter=Q(created_at__gte=timezone.now() - timedelta(days=7))
        ),
    )


def questionnaire_awaiting_review_count() -> int:
    return IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True).count()


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


def patient_edit_conflict(
    *, current: Patient, submitted: dict, expected_version: int, show_nhs_number: bool
) -> EditConflictView:
    """Compare the version the editor loaded (from the change history) with what is saved
    now and with what they typed. Only fields they changed are kept from their form, so
    saving again never silently undoes the other person's change."""
    history = current.history.select_related("history_user")
    loaded = history.filter(version=expected_version).order_by("-history_date").first()
    last = history.order_by("-history_date").first()
    theirs, mine, clashes, merged = [], [], [], {}
    for name, typed in submitted.items():
        field = Patient._meta.get_field(name)
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
        changed_by=staff_name(last.history_user) if last else "someone",
        changed_at=last.history_date if last else None,
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


@dataclass(frozen=True)
class RecordGovernance:
    """The patient page's "records" box: how long to keep the record, and for managers
    the subject access requests (open ones and the next deadline)."""

    retention: Retention
    subject_access_requests: list = field(default_factory=list)

    @property
    def open_requests(self) -> list:
        return [sar for sar in self.subject_access_requests if sar.is_open]

    @property
    def next_due_on(self) -> date | None:
        return min((sar.due_on for sar in self.open_requests), default=None)


def patient_retention(*, patient: Patient) -> Retention:
    """Rule 43, counted from the last signed treatment session here; a patient never
    treated here is counted from registration (the record was still created)."""
    from django.db.models import Max

    from patients.retention import retain_until
    from treatments.choices import SessionStatus
    from treatments.models import TreatmentSession

    last = TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED).aggregate(
        last=Max("performed_at")
    )["last"]
    counted_from = timezone.localdate(last or patient.created_at)
    return retain_until(
        date_of_birth=patient.date_of_birth,
        last_treatment_on=counted_from,
        never_treated=last is None,
    )


def subject_access_requests_for_patient(*, patient: Patient, with_copies: bool = False) -> list:
    """The patient's requests, newest first; `with_copies` also loads the copies made for
    each (one more query), for the requests page."""
    from patients.models import SubjectAccessCopy, SubjectAccessRequest

    qs = SubjectAccessRequest.objects.filter(patient=patient).select_related("recorded_by")
    if with_copies:
        qs = qs.prefetch_related(
            Prefetch("copies", queryset=SubjectAccessCopy.objects.select_related("produced_by"))
        )
    return list(qs.order_by("-received_on", "-id"))


def patient_governance(*, patient: Patient, user) -> RecordGovernance:
    """One query for the retention date, one more for managers' request list."""
    requests = (
        subject_access_requests_for_patient(patient=patient)
        if user.has_perm("patients.view_subjectaccessrequest")
        else []
    )
    return RecordGovernance(
        retention=patient_retention(patient=patient), subject_access_requests=requests
    )
