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
