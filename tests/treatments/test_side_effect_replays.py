"""A side-effect form sent twice (a double-click, or the browser sending it again): the
Yellow Card decision and the review say it is already done, not that someone else changed
the report; a real conflict (another user, or other values) is still refused."""

import pytest

from tests.conftest import client_for
from tests.factories import SideEffectFactory
from tests.treatments.side_effect_helpers import review_data, review_fields
from treatments import services

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else changed this report while you were reading it."
NOT_REPORTED = {"regulator_decision": "not-reported", "not_reported_reason": "Known, mild"}


def said(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- The Yellow Card decision -------------------------------------------------------------


def test_the_same_decision_sent_twice_is_already_recorded(practitioner_client, practitioner):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/decision/"
    first = practitioner_client.post(url, NOT_REPORTED | {"version": 1})
    assert first.status_code == 302
    again = practitioner_client.post(url, NOT_REPORTED | {"version": 1})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    # The browser shows the second answer (the first one's message with it): no conflict.
    assert said(again) == [
        "Yellow Card decision recorded.",
        "Already recorded: the Yellow Card decision.",
    ]
    se.refresh_from_db()
    assert (se.regulator_decision, se.not_reported_reason, se.version) == (
        "not-reported",
        "Known, mild",
        2,
    )
    assert (se.decided_by, se.history.count()) == (practitioner, 2)  # created, decided


def test_a_different_decision_from_the_same_user_is_still_refused(practitioner_client):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/decision/"
    practitioner_client.post(url, NOT_REPORTED | {"version": 1})
    other = {"regulator_decision": "reported", "yellow_card_reference": "YC-1", "version": 1}
    practitioner_client.get(se.get_absolute_url())  # the first answer's message shown
    response = practitioner_client.post(url, other)
    assert response.status_code == 302
    assert len(said(response)) == 1 and said(response)[0].startswith(CONFLICT)
    se.refresh_from_db()
    assert (se.regulator_decision, se.version) == ("not-reported", 2)


def test_the_same_decision_from_another_user_is_a_conflict(practitioner_client, nurse):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/decision/"
    practitioner_client.post(url, NOT_REPORTED | {"version": 1})
    response = client_for(nurse).post(url, NOT_REPORTED | {"version": 1})
    assert said(response)[0].startswith(CONFLICT)
    se.refresh_from_db()
    assert se.decided_by != nurse and se.version == 2


def test_a_decision_replayed_after_a_later_change_is_a_conflict(practitioner):
    """Exactly one version on: the replay's own save. Two on, something else happened since."""
    se = SideEffectFactory()
    decide = {"decision": "not-reported", "reason": "Known, mild"}
    services.side_effect_decide(
        side_effect=se, decided_by=practitioner, expected_version=1, **decide
    )
    services.side_effect_review(
        side_effect=se,
        reviewed_by=practitioner,
        expected_version=2,
        **review_fields(se.session, treatment_given="Reassured"),
    )
    with pytest.raises(services.SideEffectConflict):
        services.side_effect_decide(
            side_effect=se, decided_by=practitioner, expected_version=1, **decide
        )


# --- The review ---------------------------------------------------------------------------


def test_the_same_review_sent_twice_is_already_saved(practitioner_client):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/review/"
    data = review_data(practitioner_client, url, treatment_given="Cold compress")
    first = practitioner_client.post(url, data)
    assert first.status_code == 302
    again = practitioner_client.post(url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    page = practitioner_client.get(again["Location"]).content.decode()
    assert "Saved the review of" in page and "Already saved: the review of" in page
    assert "Not saved" not in page
    se.refresh_from_db()
    assert (se.treatment_given, se.version) == ("Cold compress", 2)


def test_a_different_review_from_the_same_user_is_still_refused(practitioner_client):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/review/"
    data = review_data(practitioner_client, url, treatment_given="Cold compress")
    practitioner_client.post(url, data)
    response = practitioner_client.post(url, data | {"treatment_given": "Ice pack"})
    assert response.status_code == 200
    assert "Not saved:" in response.content.decode()
    se.refresh_from_db()
    assert (se.treatment_given, se.version) == ("Cold compress", 2)


def test_the_same_review_from_another_user_is_a_conflict(practitioner_client, nurse):
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/review/"
    data = review_data(practitioner_client, url, treatment_given="Cold compress")
    practitioner_client.post(url, data)
    response = client_for(nurse).post(url, data)
    assert response.status_code == 200
    assert "Not saved:" in response.content.decode()
    assert response.context["conflict"].version == 2
    se.refresh_from_db()
    assert se.version == 2


def test_a_review_replay_is_only_what_is_saved(practitioner):
    """A replay is recognised only when it asks for what is saved; other values at the
    old version are a conflict."""
    se = SideEffectFactory()
    fields = review_fields(se.session)
    services.side_effect_review(
        side_effect=se, reviewed_by=practitioner, expected_version=1, **fields
    )
    replay = services.side_effect_review(
        side_effect=se, reviewed_by=practitioner, expected_version=1, **fields
    )
    assert replay.replayed and replay.version == 2
    with pytest.raises(services.SideEffectConflict):
        services.side_effect_review(
            side_effect=se,
            reviewed_by=practitioner,
            expected_version=1,
            **fields | {"severity": 3},
        )


def test_reception_still_cannot_decide_or_review(reception_client):
    se = SideEffectFactory()
    decision = reception_client.post(
        f"/side-effects/{se.public_id}/decision/", NOT_REPORTED | {"version": 1}
    )
    review = reception_client.post(f"/side-effects/{se.public_id}/review/", {"version": 1})
    assert (decision.status_code, review.status_code) == (403, 403)
    se.refresh_from_db()
    assert (se.regulator_decision, se.version) == ("", 1)
