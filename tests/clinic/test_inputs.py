"""What every date field says about a date it cannot read (clinic.apps)."""

import django_filters
import pytest
from django import forms

from clinic.apps import DATE_INVALID, DATETIME_INVALID, TIME_INVALID


def test_every_date_field_names_the_format_it_takes():
    """Browser review 05/12: a bad date said only "Enter a valid date."."""
    for field in (forms.DateField(), django_filters.DateFilter().field):
        with pytest.raises(forms.ValidationError) as bad:
            field.clean("31/02/2026")
        assert bad.value.messages == [DATE_INVALID]
    with pytest.raises(forms.ValidationError) as bad:
        forms.DateTimeField().clean("31/02/2026 09:30")
    assert bad.value.messages == [DATETIME_INVALID]
    with pytest.raises(forms.ValidationError) as bad:
        forms.TimeField().clean("25:61")
    assert bad.value.messages == [TIME_INVALID]
