"""Patient search: what was typed (names, dates, numbers) to ranked matches, typo-tolerant
(trigram similarity on PostgreSQL, difflib on SQLite: patients.names.spelling_ratio), and
the one record to open directly."""

import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from patients.choices import PatientStatus
from patients.models import (
    Patient,
)
from patients.names import NEAR_SPELLING, name_parts, spelling_ratio
from patients.selectors.search_names import Weights, search_by_distinct_names
from patients.validators import (
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
    def is_short_prefix(self) -> bool:
        """One or two letters and nothing else: the start of a name being typed."""
        return (
            len(self.words) == 1
            and len(self.words[0]) < MIN_FUZZY_LENGTH
            and not (self.dates or self.record_numbers or self.numbers)
        )

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
    if record := _record_number_of(number):
        condition |= Q(record_number=record)
    return condition


def _record_number_of(number: str) -> str | None:
    """A record number's six digits typed without its letter ("000123" for K000123: a
    reception review, 07/12/2026, found nothing): the clinic's own record number, matched
    in the same query as the phones. Only six digits as typed (spaces and hyphens aside):
    "+44 12345" is the start of a phone number, which reads as 012345 once normalised."""
    digits = re.sub(r"[\s-]", "", number)
    if len(digits) == FULL_RECORD_NUMBER_DIGITS and digits.isascii() and digits.isdigit():
        return f"{settings.CLINIC_RECORD_PREFIX}{digits}"
    return None


def _number_match_order(numbers: list[str]):
    """The patient's own number (or NHS number) first, then an emergency contact's, then
    near numbers: 0, 1, 2."""
    exact, emergency, records = Q(), Q(), Q(pk__in=[])
    for number in numbers:
        digits = normalise_phone(number)
        exact |= Q(phone__startswith=digits) | Q(nhs_number=normalise_nhs_number(number))
        if record := _record_number_of(number):
            # The one record first: 012345 is also the start of many phone numbers, and
            # the page stops at 25 (review 07/12/2026).
            records |= Q(record_number=record)
        emergency |= Q(emergency_contact_phone__startswith=digits)
    return Case(
        When(records, then=Value(-1)),
        When(exact, then=Value(0)),
        When(emergency, then=Value(1)),
        default=Value(2),
    )


def _label_number_matches(patients: list[Patient], numbers: list[str]) -> list[Patient]:
    """Say on each result found by something other than its own number why it is there
    (`search_note`): an emergency contact's number, or a similar number."""
    for patient in patients:
        patient.search_note = ""
        for number in numbers:
            digits = normalise_phone(number)
            if (
                patient.phone.startswith(digits)
                or (patient.nhs_number and patient.nhs_number == normalise_nhs_number(number))
                or patient.record_number == _record_number_of(number)
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
        # One or two letters (an initial, or typing just begun): the surname or the first
        # of the first names starts with them, both normalised (" mary" for "Mary-Jane",
        # " emile" for "Émile"); trigrams need three characters.
        return Q(family_name_key__startswith=word) | Q(given_name_tokens__startswith=f" {word}")
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


_LOOSE_THRESHOLDS = {
    "pg_trgm.similarity_threshold": str(LOOSE_SIMILARITY),
    "pg_trgm.word_similarity_threshold": str(LOOSE_WORD_SIMILARITY),
}
_WEIGHTS = Weights(
    surname_part=1 - WHOLE_SURNAME_WEIGHT,
    whole_surname=WHOLE_SURNAME_WEIGHT,
    given=GIVEN_NAME_WEIGHT,
)


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
        if parsed.is_short_prefix:
            return _search_short_prefix(parsed.words[0], status=status, limit=limit)
        # Names alone: matched on the distinct names (search_names); with a date of birth
        # or a record number, the rows those select are few and are compared one by one.
        by_names = not (parsed.dates or parsed.record_numbers)
        return _search_words_with_trigrams(base, parsed, limit, status=status, by_names=by_names)
    return _search_words_without_trigrams(base, parsed, limit)


# One or two letters on PostgreSQL: surnames starting with them, then first names
# starting with them, each alphabetically (normalised surname, first names, id). Each
# half reads an index already in that order (patients migration 0015, C collation) and
# stops at the page size, so "m" costs the same at a million patients as at a hundred.
# The words are normalised letters and digits only (patients.names): no LIKE wildcards.
_SHORT_PREFIX_SQL = """
SELECT p.* FROM (
    (SELECT id, 0 AS tier, family_name_key COLLATE "C" AS surname,
            given_name_tokens COLLATE "C" AS given
     FROM patients_patient
     WHERE (family_name_key COLLATE "C") LIKE %(surname)s {status}
     ORDER BY 3, 4, 1 LIMIT %(limit)s)
    UNION ALL
    (SELECT id, 1, family_name_key COLLATE "C", given_name_tokens COLLATE "C"
     FROM patients_patient
     WHERE (given_name_tokens COLLATE "C") LIKE %(given)s
       AND NOT (family_name_key COLLATE "C") LIKE %(surname)s {status}
     ORDER BY 3, 4, 1 LIMIT %(limit)s)
) AS hit
JOIN patients_patient p ON p.id = hit.id
ORDER BY hit.tier, hit.surname, hit.given, hit.id
LIMIT %(limit)s
"""


def _search_short_prefix(word: str, *, status: str | None, limit: int) -> list[Patient]:
    sql = _SHORT_PREFIX_SQL.format(status="AND status = %(status)s" if status else "")
    params = {"surname": f"{word}%", "given": f" {word}%", "status": status, "limit": limit}
    return list(Patient.objects.raw(sql, params))


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


def _by_names(parsed: ParsedQuery, *, status, limit, mode="fuzzy", ranked=True) -> list[Patient]:
    return search_by_distinct_names(
        parsed.words,
        parsed.joined,
        status=status,
        limit=limit,
        weights=_WEIGHTS,
        mode=mode,
        ranked=ranked,
        thresholds=_LOOSE_THRESHOLDS if mode == "loose" else None,
    )


def _search_words_with_trigrams(
    base: QuerySet, parsed: ParsedQuery, limit: int, *, status=None, by_names=False
) -> list[Patient]:
    """Ranked name matches; `by_names`: through the distinct names (no other filter than
    the status), ties then in normalised order (search_names)."""
    words = parsed.words
    matches = base.filter(_words_filter(parsed, fuzzy=True))
    if all(len(word) < MIN_FUZZY_LENGTH for word in words):
        # Only initials or a first keystroke or two: thousands of rows can match, and
        # similarity to a two-letter fragment means little. Alphabetical is enough.
        if by_names:
            return _by_names(parsed, status=status, limit=limit, ranked=False)
        return list(matches.order_by("family_name", "given_names", "id")[:limit])
    rank = _rank(parsed)
    if by_names:
        found = _by_names(parsed, status=status, limit=limit)
    else:
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
    if by_names:
        more = _by_names(parsed, status=status, limit=limit, mode="loose")
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
                "set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(LOOSE_SIMILARITY), str(LOOSE_WORD_SIMILARITY)],
            )
            more = list(loose[:limit])
    merged = {patient.pk: patient for patient in [*found, *more]}.values()
    if by_names:
        # The C collation's order of the normalised names, as in search_names.
        order = lambda p: (-p.rank, p.family_name_key.encode(), p.given_name_tokens.encode(), p.pk)  # noqa: E731
    else:
        order = lambda p: (-p.rank, p.family_name, p.given_names, p.pk)  # noqa: E731
    return sorted(merged, key=order)[:limit]


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
        return min(max(spelling_ratio(word, name) for name in names if name) for word in words)

    near = [(score(p), p) for p in candidates.order_by("id")[:2000]]
    near = sorted((item for item in near if item[0] >= NEAR_SPELLING), key=lambda item: -item[0])
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
