"""What staff type or a page sends back, read safely: numbers in ASCII digits only,
dates within the range every page can compute with, and what a page showed of a record
(its version) so that a save over a change made meanwhile is refused, and a time typed as
the clinic's clock showed it on the nights the clocks change.

`str.isdigit()` is true for "²", "①" and other scripts' digits, some of which `int()`
refuses (a 500) and none of which belong in an id, an NHS number or a one-time code
(found by review, 04/12/2026). One rule for every such field.
"""

from datetime import UTC, date
from datetime import timezone as utc_offset

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

MAX_ID_DIGITS = 18  # fits any database's 64-bit integer column

# The dates a page accepts or shows (a filter, the diary's day): wide enough for any record
# a clinic keeps, narrow enough that the day before or after, a week, a period before a
# period or a recall's look-back are still dates (year 1 or 9999 would overflow: a 500).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
DATE_OUT_OF_RANGE = (
    f"Please check the year: enter a date between {EARLIEST_DATE:%d/%m/%Y} and "
    f"{LATEST_DATE:%d/%m/%Y}."
)


def check_date_in_range(value: date) -> date:
    """A date a form stores, within EARLIEST_DATE..LATEST_DATE: year 1 or 9999 is a
    mistyped year, stored and then shown (or computed with) by every page after."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")
    return value


def check_clinical_date(value: date, *, what: str, born: date) -> date:
    """The day something happened to a patient (`what`: "The date assessed"): within the
    range above, not before they were born, and not in the future."""
    check_date_in_range(value)
    if value < born:
        raise ValidationError(
            f"{what} cannot be before the patient was born ({born:%d/%m/%Y}). "
            "Please check the year.",
            code="before_birth",
        )
    if value > timezone.localdate():
        raise ValidationError(f"{what} cannot be in the future.", code="future")
    return value


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


# A form that does not carry what its page showed of the record (its version, the role a
# manager saw, when a setting was last changed) cannot be checked against a change made
# meanwhile: refused, never saved blind. Every page sends the field.
STALE_PAGE_MESSAGE = (
    "This page is out of date, so nothing was saved. Please reload it and make your change again."
)


class ClockTimeField(forms.DateTimeField):
    """A date and time as the clinic's clock (Europe/London) showed it. The night the clocks
    go back, 01:00 to 01:59 comes twice: read as the first time round (summer time), as
    timezone.make_aware reads it, where Django's field refused it with "couldn't be
    interpreted in time zone Europe/London" (the session editor refused the time it had
    filled in itself, that hour: found by running the tests at 01:30 on 25/10/2026). The
    night they go forward there is no 01:00 to 01:59: refused in plain words."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            typed = error.params["datetime"]  # naive, as typed
        zone = timezone.get_current_timezone()
        first = typed.replace(tzinfo=zone, fold=0)
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == typed:
            # It came twice: the first, at its offset from UTC (+01:00). In the zone it
            # would compare unequal to the same moment read from the database (PEP 495: a
            # time in the repeated hour equals no other zone's), so a draft saved as the
            # page showed it read as changed.
            return first.replace(tzinfo=utc_offset(first.utcoffset()))
        raise ValidationError(
            f"There was no {typed:%H:%M} on {typed:%d/%m/%Y}: the clocks went forward an "
            "hour that night. Enter the time as the clock showed it.",
            code="no_such_time",
        )


MAX_VERSION = 2**31 - 1  # fits every version column


class VersionField(forms.IntegerField):
    """A record's version as the page showed it (hidden). Missing or unreadable: the
    page is out of date."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": STALE_PAGE_MESSAGE,
        "invalid": STALE_PAGE_MESSAGE,
        "min_value": STALE_PAGE_MESSAGE,
        "max_value": STALE_PAGE_MESSAGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_VERSION)
        super().__init__(**kwargs)


class AsShownField(forms.CharField):
    """A value as the page showed it (hidden), where an empty one is a value (no role):
    only a missing field means the page is out of date."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)
        self.error_messages["max_length"] = STALE_PAGE_MESSAGE

    def clean(self, value):
        if value is None:  # the page did not send it at all
            raise ValidationError(STALE_PAGE_MESSAGE, code="required")
        return super().clean(value)


class RefusesStalePage:
    """For a form with a VersionField or AsShownField: their refusal becomes the form's own
    error, shown above the form with everything typed kept (a hidden field's error is
    shown nowhere), and `refusal()` is what a view that redirects says."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, (VersionField, AsShownField)) and self.has_error(name):
                del self._errors[name]
                if not self.is_out_of_date():
                    self.add_error(None, STALE_PAGE_MESSAGE)
        return cleaned

    def is_out_of_date(self) -> bool:
        return STALE_PAGE_MESSAGE in self.errors.get(NON_FIELD_ERRORS, ())

    def refusal(self, otherwise: str) -> str:
        """What a view that redirects says of an invalid form: out of date, or `otherwise`."""
        return STALE_PAGE_MESSAGE if self.is_out_of_date() else otherwise


def local_next(request, default: str) -> str:
    """Where a form sent back to ("next", in the POST or the query string): a path on this
    site only. Anything else goes to `default`: a URL elsewhere, "//evil" or "/\\evil"
    (Django's own check), or text `redirect()` would read as a view name."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
