"""What staff type or a page sends back, read safely: numbers in ASCII digits only.

`str.isdigit()` is true for "²", "①" and other scripts' digits, some of which `int()`
refuses (a 500) and none of which belong in an id, an NHS number or a one-time code
(found by review, 04/12/2026). One rule for every such field.
"""

MAX_ID_DIGITS = 18  # fits any database's 64-bit integer column


def ascii_digits(value: str) -> bool:
    """True when `value` is one or more of the digits 0-9 and nothing else."""
    return value.isascii() and value.isdigit()


def record_id(value) -> int | None:
    """A record's id from a query string or a hidden field, or None when it is not one
    (not ASCII digits, or too long for an id column)."""
    value = value or ""
    if ascii_digits(value) and len(value) <= MAX_ID_DIGITS:
        return int(value)
    return None
