"""Fixtures shared by the clinic app's tests."""

import pytest

from tests.clinic.diary_helpers import working


@pytest.fixture
def doctor(practitioner):
    """The practitioner, working 09:00-17:00 every day (the diary's tests book them)."""
    return working(practitioner)


@pytest.fixture
def fresh_cache():
    """An empty cache (local memory in tests): the busy count the resilience tests read
    lives there."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def clean_fake_sms():
    """The recording SMS provider's outbox emptied before and after (the messaging tests)."""
    from clinic.diary.messaging.channels import RecordingSmsProvider

    RecordingSmsProvider.clear()
    yield
    RecordingSmsProvider.clear()
