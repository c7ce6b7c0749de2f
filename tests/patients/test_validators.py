"""NHS number (DOMAIN §6.2 test vectors), postcode and phone validation."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from patients.validators import (
    format_nhs_number,
    is_valid_nhs_number,
    normalise_phone,
    normalise_postcode,
    validate_nhs_number,
    validate_phone,
    validate_uk_postcode,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("943 476 5919", True),
        ("9434765919", True),
        ("9434765918", False),  # wrong check digit
        ("1000000060", True),  # check digit 0 (remainder 0 -> 11 -> 0)
        ("1000000010", False),  # check would be 10: never valid
        ("1000000019", False),
        ("943476591", False),  # 9 digits
        ("94347659190", False),  # 11 digits
        ("94347659a9", False),
        ("", False),
    ],
)
def test_nhs_number_mod11(value, valid):
    assert is_valid_nhs_number(value) is valid


@given(st.text(max_size=30))
@example("943476591²")  # "²" is a digit to str.isdigit(), not to int() (was a 500)
@example("٩٤٣٤٧٦٥٩١٩")  # Arabic-Indic digits: int() reads them, an NHS number has none
def test_nhs_validation_never_crashes(value):
    with contextlib.suppress(ValidationError):
        validate_nhs_number(value)


def test_nhs_numbers_and_phones_are_in_the_digits_0_to_9():
    with pytest.raises(ValidationError, match="exactly 10 digits"):
        validate_nhs_number("943476591²")
    assert not is_valid_nhs_number("٩٤٣٤٧٦٥٩١٩")
    with pytest.raises(ValidationError, match="only digits"):
        validate_phone("٠٧٧٠٠٩٠٠١٢٣")


def test_nhs_messages_are_specific():
    with pytest.raises(ValidationError, match="exactly 10 digits"):
        validate_nhs_number("12345")
    with pytest.raises(ValidationError, match="check digit"):
        validate_nhs_number("9434765918")


def test_nhs_display_in_3_3_4_groups():
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize("value", ["W8 7QB", "w87qb", "SW7 2AZ", "EC1A 1BB", "GIR 0AA"])
def test_valid_postcodes(value):
    validate_uk_postcode(value)


@pytest.mark.parametrize("value", ["W8", "12345", "QQ1 1AA", "<script>"])
def test_invalid_postcodes(value):
    with pytest.raises(ValidationError):
        validate_uk_postcode(value)


def test_postcode_normalised():
    assert normalise_postcode(" sw7  2az ") == "SW7 2AZ"


def test_phone_normalised_to_national_form():
    assert normalise_phone("+44 7700 900123") == "07700900123"
    assert normalise_phone("07700 900-123") == "07700900123"


@pytest.mark.parametrize("value", ["123", "07700 900123 ext", "<b>07700900123</b>"])
def test_invalid_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)
