"""What staff type or a page sends back, read safely: numbers in ASCII digits only, and
dates within the range every page can compute with.

`str.isdigit()` is true for "²", "①" and other scripts' digits, some of which `int()`
refuses (a 500) and none of which belong in an id, an NHS number or a one-time code
(found by review, 04/12/2026). One rule for every such field.
"""

from datetime import date

MAX_ID_DIGITS = 18  # fits any database's 64-bit integer column

# The dates a page accepts or shows (a filter, the diary's day): wide enough for any record
# a clinic keeps, narrow enough that the day before or after, a week, a period before a
# period or a recall's look-back are still dates (year 1 or 9999 would overflow: a 500).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


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
