"""Names as people write them, reduced to one comparable form: accents, case,
apostrophes, hyphens and spaces do not make two people different (O'Brien-Whitfield,
OBrien Whitfield and o'brien whitfield are one key).

This is the one normalisation for search, ranking, the duplicate check and the
registration lock. The patient row stores its results (`family_name_key`,
`family_name_tokens`, `given_name_tokens`), so search compares like with like on indexes.

"Mc" at the start of a name part is written "mac": McDonald and MacDonald are one key.
The fold only ever adds letters to "Mc" names, so "Mace", "Machin" or "Mack" keep their
own key and no two names merge that differ in more than that spelling. The reverse
("mac" to "mc") would have merged nothing more but hidden "Machin" from a search for "ma".
"""

import difflib
import re
import unicodedata

# Name parts are split at spaces, hyphens and dashes; apostrophes and dots join (O'Brien
# is one part, "obrien").
_PART_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015/_,]+")


def _fold(part: str) -> str:
    decomposed = unicodedata.normalize("NFKD", part)
    letters = "".join(ch for ch in decomposed.casefold() if ch.isalnum() and ch.isascii())
    if letters.startswith("mc"):
        letters = "mac" + letters[2:]
    return letters


def name_parts(value: str) -> list[str]:
    """Each part of a name, normalised: "O'Brien-Whitfield" -> ["obrien", "whitfield"]."""
    return [part for part in map(_fold, _PART_SEPARATORS.split(value or "")) if part]


def normalise_name(value: str) -> str:
    """Lower-case letters and digits only, accents removed, parts joined, "Mc" as "mac":
    the key for comparing whole names ("O'Brien-Whitfield" -> "obrienwhitfield")."""
    return "".join(name_parts(value))


def name_tokens(*values: str) -> str:
    """The parts of one or more names, each preceded by a space (" obrien whitfield"), so
    that `LIKE '% whit%'` finds a name part that starts with "whit", on a trigram index."""
    parts: list[str] = []
    for value in values:
        for part in name_parts(value):
            if part not in parts:
                parts.append(part)
    return "".join(f" {part}" for part in parts)


# Two spellings this alike (difflib's ratio: 2 x the letters in common / all the letters)
# are one name mistyped: "armstong" / "armstrong" 0.94, "smyth" / "smith" 0.8, while
# "jones" / "james" (0.6) or "harris" / "morris" (0.67) stay apart. What the patient
# search on SQLite ranks near spellings by, and what the duplicate check compares.
NEAR_SPELLING = 0.7


def spelling_ratio(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1 (difflib's ratio)."""
    return difflib.SequenceMatcher(None, a, b).ratio()


def spelt_alike(a: str, b: str) -> bool:
    """Two normalised names that are one mistyping apart: the same, as alike as
    NEAR_SPELLING, or, for names of three letters or more, one letter added, dropped,
    changed or two neighbours swapped ("lee" / "lea", whose ratio is 0.67)."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((len(a), len(b)))
    if 2 * shorter < NEAR_SPELLING * (shorter + longer):
        # Too unlike in length for either (one letter more is at least 0.8 from three).
        return False
    if shorter >= 3 and _one_edit_apart(a, b):
        return True
    matcher = difflib.SequenceMatcher(None, a, b)
    # The cheap upper bound first (as difflib.get_close_matches does).
    return matcher.quick_ratio() >= NEAR_SPELLING and matcher.ratio() >= NEAR_SPELLING


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        rest_a, rest_b = a[start + 1 :], b[start + 1 :]
        swapped = a[start : start + 2] == b[start : start + 2][::-1]
        return rest_a == rest_b or (swapped and a[start + 2 :] == b[start + 2 :])
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return shorter[start:] == longer[start + 1 :]
