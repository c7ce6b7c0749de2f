"""Names as people write them, reduced to one comparable form: accents, case,
apostrophes, hyphens and spaces do not make two people different (O'Brien-Whitfield,
OBrien Whitfield and o'brien whitfield are one key)."""

import unicodedata


def normalise_name(value: str) -> str:
    """Lower-case letters and digits only, accents removed: the key for comparing names."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and ch.isascii())
