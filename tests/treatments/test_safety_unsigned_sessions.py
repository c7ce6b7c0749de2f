"""The patient's other unsigned sessions (07/12/2026): the intervals and the dose windows
count signed sessions only, so a treatment given and left unsigned, or a second draft
started at another desk at the same moment (no lock stops that: each start saw no other
draft), was in no check of the next session's. The engine now says so, with what to do."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.treatments.session_helpers import save, site, start
from treatments import safety, selectors, services
from treatments.choices import WithdrawReason

pytestmark = pytest.mark.django_db


def codes(session):
    return {f.code: f for f in selectors.safety_inputs_for_session(session=session).evaluate()}


def test_a_colleagues_forgotten_draft_is_a_warning_until_signed_or_withdrawn(
    practitioner, colleague, ready_patient
):
    three_weeks = timezone.now() - timedelta(days=21)
    forgotten = start(ready_patient, colleague, "cervical-dystonia", "botox")
    forgotten = save(
        forgotten,
        colleague,
        points=[
            {"site": site("sternocleidomastoid"), "side": "left", "units": Decimal("50")},
            {"site": site("splenius-capitis"), "side": "right", "units": Decimal("25.5")},
        ],
        performed_at=three_weeks,
    )
    today = save(start(ready_patient, practitioner, "glabellar-lines", "botox"), practitioner)

    inputs = selectors.safety_inputs_for_session(session=today)
    assert inputs.history.unsigned == (
        safety.UnsignedSession(
            on=timezone.localtime(three_weeks).date(),
            brand="BOTOX",
            indication_name="Cervical dystonia",
            practitioner="Samir Patel",
            units=Decimal("75.50"),
        ),
    )
    warning = codes(today)["history.unsigned_session"]
    assert warning.level == safety.Level.WARN
    assert warning.message.startswith(
        f"Another session for this patient not signed: BOTOX for Cervical dystonia on "
        f"{timezone.localtime(three_weeks):%d/%m/%Y} by Samir Patel (75.5 U entered). "
    )
    # The forgotten draft's own check names today's session, not itself.
    assert "Glabellar lines" in codes(forgotten)["history.unsigned_session"].message

    services.session_withdraw(session=forgotten, by=practitioner, reason=WithdrawReason.DEFERRED)
    assert "history.unsigned_session" not in codes(today)


def test_signed_sessions_are_not_listed(practitioner, ready_patient):
    earlier = save(start(ready_patient, practitioner, "glabellar-lines", "botox"), practitioner)
    services.session_sign(
        session=earlier, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    draft = save(start(ready_patient, practitioner, "lateral-canthal-lines", "botox"), practitioner)
    assert selectors.safety_inputs_for_session(session=draft).history.unsigned == ()
    assert "history.unsigned_session" not in codes(draft)
