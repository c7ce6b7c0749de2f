"""Validation and normalisation of UK patient identifiers and contact details."""

import re

from django.core.exceptions import ValidationError

from clinic.inputs import ascii_digits

NHS_WEIGHTS = range(10, 1, -1)  # digits 1-9 weighted 10..2 (DOMAIN §6.2)


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def is_valid_nhs_number(value: str) -> bool:
    """Mod-11 check (DOMAIN §6.2, rule 41): check = 11 - (sum mod 11); 11 -> 0; 10 invalid."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not ascii_digits(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], NHS_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not digits:
        return
    if len(digits) != 10 or not ascii_digits(digits):
        raise ValidationError(
            "An NHS number has exactly 10 digits (e.g. 943 476 5919).", code="nhs_length"
        )
    if not is_valid_nhs_number(digits):
        raise ValidationError(
            "This is not a valid NHS number: its check digit does not match. "
            "Please check it against the patient's letter or NHS app.",
            code="nhs_checksum",
        )


def format_nhs_number(value: str) -> str:
    """Display in 3-3-4 groups."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10:
        return value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# UK postcode, including GIR 0AA; outward code + inward code (case-insensitive).
POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]"
    r"([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_uk_postcode(value: str) -> None:
    if value and not POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError(
            "Enter a full UK postcode, e.g. SW7 2AZ or W8 4PT.", code="postcode_invalid"
        )


def normalise_phone(value: str) -> str:
    """Keep digits and a leading +; +44 numbers become national 0-prefixed numbers."""
    raw = (value or "").strip()
    digits = re.sub(r"[^0-9+]", "", raw)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].lstrip("0")
    return digits


def format_phone(value: str) -> str:
    """UK numbers in the usual groups: 07700 900123, 020 7946 0000; others as stored."""
    digits = value or ""
    if len(digits) == 11 and digits.startswith("07"):
        return f"{digits[:5]} {digits[5:]}"
    if len(digits) == 11 and digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 11 and digits.startswith("01"):
        return f"{digits[:5]} {digits[5:]}"
    return digits


def validate_phone(value: str) -> None:
    if not value:
        return
    if re.search(r"[^0-9\s()+-]", value):
        raise ValidationError(
            "A phone number may contain only digits, spaces, brackets, + and -.",
            code="phone_chars",
        )
    digits = normalise_phone(value)
    bare = digits.lstrip("+")
    if not 10 <= len(bare) <= 15:
        raise ValidationError(
            "Enter a full phone number, e.g. 07700 900123 or +44 20 7946 0000.",
            code="phone_length",
        )
