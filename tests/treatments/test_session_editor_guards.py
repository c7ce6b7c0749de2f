"""The session editor's guards: a Sign or Save racing a sign that committed first (a
double-click, a second tab)."""

import pytest

from tests.treatments.administration_flow import (
    administration_setup,
    post_form,
    save_data,
    sign_data,
    start_data,
)
from treatments import selectors, services
from treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db


def _draft(flow) -> TreatmentSession:
    url, data = start_data(flow)
    assert flow.client.post(url, data).status_code == 302
    return TreatmentSession.objects.get(patient=flow.patient)


def _signed_meanwhile(monkeypatch, practitioner, data):
    """The view reads the draft; before it writes, the first click's sign commits."""
    original = selectors.session_get_for_user

    def read_then_signed_elsewhere(**kwargs):
        session = original(**kwargs)
        other = original(**kwargs)  # the first request's own copy
        services.session_sign(
            session=other,
            signed_by=practitioner,
            override_reasons={
                key.removeprefix("override__"): value
                for key, value in data.items()
                if key.startswith("override__")
            },
            acknowledge_warnings=True,
        )
        return session

    monkeypatch.setattr(selectors, "session_get_for_user", read_then_signed_elsewhere)


@pytest.mark.parametrize("prepare", [sign_data, save_data], ids=["sign", "save"])
def test_a_sign_or_save_racing_a_committed_sign_goes_to_the_signed_session(
    practitioner, monkeypatch, prepare
):
    flow = administration_setup(practitioner)
    session = _draft(flow)
    # The confirmations ticked and saved, so the first click's sign (the service's,
    # without the form) goes through.
    saved = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", save_data(flow.client, session)
    )
    assert saved.status_code == 302
    data = prepare(flow.client, session)
    _signed_meanwhile(monkeypatch, practitioner, data)
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    monkeypatch.undo()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.public_id}/"
    session.refresh_from_db()
    assert session.status == "signed"
    page = flow.client.get(response["Location"])
    assert "This session was signed meanwhile" in page.content.decode()
