"""The session editor's guards: a Sign or Save racing a sign that committed first (a
double-click, a second tab); a session date long past (a typing slip, year 0001); an
addendum sent twice; the live check only for the draft's own practitioner."""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.inputs import STALE_PAGE_MESSAGE, ClockTimeField
from clinic.roles import Role
from tests import clock
from tests.conftest import client_for
from tests.factories import QuestionnaireFactory, TreatmentSessionFactory, UserFactory
from tests.treatments.administration_flow import (
    administration_setup,
    post_form,
    save_data,
    sign_data,
    start_draft,
)
from treatments import services
from treatments.models import TreatmentSession
from treatments.views.session_record import SIGNED_MEANWHILE_MESSAGE

pytestmark = pytest.mark.django_db


def _signed_by_the_first_click(practitioner, session, data) -> None:
    """The first click's sign commits before the second click's request reads the draft
    (which waits on the first's row lock when they overlap: the editor's submission reads
    the draft locked, in the transaction its write joins)."""
    services.session_sign(
        session=TreatmentSession.objects.get(pk=session.pk),
        signed_by=practitioner,
        override_reasons={
            key.removeprefix("override__"): value
            for key, value in data.items()
            if key.startswith("override__")
        },
        acknowledge_warnings=True,
    )


@pytest.mark.parametrize("prepare", [sign_data, save_data], ids=["sign", "save"])
def test_a_sign_or_save_racing_a_committed_sign_goes_to_the_signed_session(practitioner, prepare):
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    # The confirmations ticked and saved, so the first click's sign (the service's,
    # without the form) goes through.
    saved = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", save_data(flow.client, session)
    )
    assert saved.status_code == 302
    data = prepare(flow.client, session)
    _signed_by_the_first_click(practitioner, session, data)
    signed = TreatmentSession.objects.get(pk=session.pk)
    history = signed.history.count()
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.public_id}/"
    session.refresh_from_db()
    assert session.status == "signed"
    # Nothing more was written: the signed row as the first click left it.
    assert (session.version, session.updated_at) == (signed.version, signed.updated_at)
    assert session.history.count() == history
    page = flow.client.get(response["Location"])
    assert SIGNED_MEANWHILE_MESSAGE in page.content.decode()


@pytest.mark.parametrize("prepare", [sign_data, save_data], ids=["sign", "save"])
def test_notes_typed_in_a_tab_that_lost_the_race_are_kept_for_an_addendum(practitioner, prepare):
    """Practitioner review (07/12/2026): a note typed in a second tab was thrown away once
    the first tab had signed. The signed session's page comes at once, the note in its
    addendum box (stored nowhere on the way); added, it is an addendum, the signed record
    as it was."""
    from treatments.views.session_record import NOTES_KEPT_MESSAGE, NOTES_KEPT_REASON

    flow = administration_setup(practitioner)
    session = start_draft(flow)
    assert (
        post_form(
            flow.client, f"/sessions/{session.public_id}/edit/", save_data(flow.client, session)
        ).status_code
        == 302
    )
    data = prepare(flow.client, session)
    _signed_by_the_first_click(practitioner, session, data)
    typed = "Mentioned starting apixaban last week: bruising advice given."
    response = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", {**data, "notes": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert SIGNED_MEANWHILE_MESSAGE in page and NOTES_KEPT_MESSAGE in page
    box = page.split('id="id_text"', 1)[1].split("</textarea>", 1)[0]
    assert box.endswith(typed)
    assert "data-focus-on-load" in box  # brought into view: below the points it was not
    assert f'value="{NOTES_KEPT_REASON}"' in page
    session.refresh_from_db()
    assert session.is_signed and typed not in (session.notes or "")

    token = re.search(r'name="submission_token" value="([^"]+)"', page)
    added = flow.client.post(
        f"/sessions/{session.public_id}/addendum/",
        {"reason": NOTES_KEPT_REASON, "text": typed, "submission_token": token[1] if token else ""},
    )
    assert added.status_code == 302
    assert list(session.addenda.values_list("text", flat=True)) == [typed]


@pytest.mark.parametrize("action", ["save", "sign"])
def test_a_save_or_sign_without_the_version_is_refused_with_the_entries_kept(practitioner, action):
    """The page said only 'Please correct the highlighted entries' with nothing highlighted
    (the hidden version's error showed nowhere)."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    data = save_data(flow.client, session) | {"action": action, "notes": "Typed just now"}
    del data["version"]
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "Typed just now" in page
    after = TreatmentSession.objects.get(pk=session.pk)
    assert (after.status, after.version, after.notes) == ("draft", session.version, session.notes)


@pytest.mark.parametrize(
    ("born", "typed", "says"),
    [
        (date(1950, 5, 1), "01/01/0001 00:00", "before the patient was born (01/05/1950)"),
        (date(1950, 5, 1), "02/01/1900 09:00", "before the patient was born (01/05/1950)"),
        (date(1930, 5, 1), "31/12/1988 09:00", "cannot be dated before 01/01/1989"),
    ],
)
def test_a_session_dated_long_ago_is_refused_with_the_input_kept(practitioner, born, typed, says):
    flow = administration_setup(practitioner)
    flow.patient.date_of_birth = born
    flow.patient.save()
    session = start_draft(flow)
    before = session.performed_at
    data = save_data(flow.client, session)
    data["performed_at"] = typed
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert says in page
    assert typed in page  # what was typed is shown again
    session.refresh_from_db()
    assert session.performed_at == before  # nothing saved


@pytest.mark.time_machine(clock.london(date(2026, 10, 25), 1, 30))  # the clocks go back at 2
def test_a_draft_saved_in_the_hour_that_comes_twice_keeps_the_time_shown(practitioner):
    """The night the clocks go back, 01:00 to 01:59 comes twice, and the editor refused the
    time it had filled in itself ("couldn't be interpreted in time zone Europe/London"):
    every save and sign that hour failed (found by running the tests at 01:30 on
    25/10/2026). It is read as the first time round, summer time."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    data = save_data(flow.client, session)
    assert data["performed_at"] == "25/10/2026 01:30"
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.performed_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    # The same moment as the database gives it back: not read as a change at the next save.
    assert ClockTimeField().clean("25/10/2026 01:30") == session.performed_at


@pytest.mark.time_machine(clock.london(date(2027, 3, 28)))
def test_a_time_the_clocks_skipped_is_refused_in_plain_words(practitioner):
    """The night the clocks go forward there is no 01:00 to 01:59."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    before = session.performed_at
    data = save_data(flow.client, session) | {"performed_at": "28/03/2027 01:30"}
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There was no 01:30 on 28/03/2027: the clocks went forward an hour" in page
    assert "couldn" not in page and "28/03/2027 01:30" in page  # what was typed, kept
    session.refresh_from_db()
    assert session.performed_at == before


def test_the_editor_opens_for_a_draft_saved_with_year_one(practitioner):
    """A row saved before the form refused such dates: the editor opens (no overflow), a
    save asks for the date to be corrected, and goes through once it is."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    TreatmentSession.objects.filter(pk=session.pk).update(
        performed_at=datetime(1, 1, 2, 12, tzinfo=UTC)
    )
    page = flow.client.get(f"/sessions/{session.public_id}/edit/")
    assert page.status_code == 200
    data = save_data(flow.client, session)
    response = post_form(flow.client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    assert "performed_at" in response.context["form"].errors  # the date to correct
    data["performed_at"] = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    assert post_form(flow.client, f"/sessions/{session.public_id}/edit/", data).status_code == 302


def _signed(practitioner) -> tuple:
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    response = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", sign_data(flow.client, session)
    )
    assert response.status_code == 302
    return flow, session


def test_the_same_addendum_sent_twice_is_added_once(practitioner):
    flow, session = _signed(practitioner)
    detail = f"/sessions/{session.public_id}/"
    page = flow.client.get(detail)
    token = page.context["addendum_form"]["submission_token"].value()
    assert f'value="{token}"' in page.content.decode()  # the page carries the token
    data = {
        "reason": "Wrong side for point 3",
        "text": "Point 3 was left",
        "submission_token": token,
    }
    url = f"/sessions/{session.public_id}/addendum/"
    first = post_form(flow.client, url, data)
    again = post_form(flow.client, url, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == detail
    assert session.addenda.count() == 1


def test_a_refused_addendum_keeps_what_was_typed(practitioner):
    flow, session = _signed(practitioner)
    url = f"/sessions/{session.public_id}/addendum/"
    response = post_form(flow.client, url, {"reason": "", "text": "Point 3 was left, not right"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Point 3 was left, not right" in page
    assert "An addendum needs a reason and the correction." in page
    assert session.addenda.count() == 0


def test_only_the_treating_practitioner_gets_a_drafts_live_findings(practitioner, patient):
    """The live check answers as the editor does: the draft's practitioner gets the
    findings, another practitioner a 403 (they were built from the patient's history)."""
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    url = reverse("treatments:session_check", args=[session.public_id])
    other = client_for(UserFactory(username="drb", role=Role.PRACTITIONER))
    assert other.post(url, {}, HTTP_HX_REQUEST="true").status_code == 403
    owner = client_for(practitioner).post(url, {}, HTTP_HX_REQUEST="true")
    assert owner.status_code == 200
    assert 'id="safety"' in owner.content.decode()


def test_the_live_check_of_a_session_signed_meanwhile_goes_to_it(practitioner):
    flow, session = _signed(practitioner)
    url = reverse("treatments:session_check", args=[session.public_id])
    response = flow.client.post(url, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/sessions/{session.public_id}/?signed-meanwhile"
    # Nothing stored for the next page: a check the browser dropped (Sign on its way)
    # must not put "signed meanwhile" beside "Session signed.".
    plain = flow.client.get(f"/sessions/{session.public_id}/").content.decode()
    assert SIGNED_MEANWHILE_MESSAGE not in plain
    page = flow.client.get(response["HX-Redirect"]).content.decode()
    assert SIGNED_MEANWHILE_MESSAGE in page


def test_a_vial_forced_into_the_editor_is_refused_with_its_own_reason(
    practitioner_client, practitioner, ready_patient
):
    """Browser review, 07/12/2026: a vial of another product, forced into the form, was
    refused as "expired, past its use-by, discarded, or used for another session". The
    vial a refused choice names is read (on a refusal only) to say which: another
    product's, as the first vial or a further one; or, of this product, what the editor's
    list of vials that cannot be used says."""
    from datetime import timedelta

    from tests.factories import InjectionPointFactory, VialFactory
    from tests.treatments.administration_flow import editor_data
    from tests.treatments.session_helpers import product

    botox = VialFactory(product=product("botox"), received_by=practitioner)
    dysport = VialFactory(
        product=product("dysport"), presentation_units=300, received_by=practitioner
    )
    expired = VialFactory(product=product("botox"), received_by=practitioner)
    expired.expiry = timezone.localdate() - timedelta(days=1)
    expired.received_on = expired.expiry - timedelta(days=30)
    expired.save()
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=botox)
    InjectionPointFactory(session=session)
    url = f"/sessions/{session.public_id}/edit/"
    data = {**editor_data(practitioner_client, session), "action": "save"}
    version = session.version

    def refused(field, **sent) -> str:
        response = post_form(practitioner_client, url, {**data, **sent})
        assert response.status_code == 200
        return " ".join(response.context["form"].errors[field])

    wrong = f"Vial {dysport.stock_label} is Dysport 300 U, not BOTOX: choose a BOTOX vial."
    assert refused("vial", vial=dysport.pk) == wrong
    assert refused("further_vials", further_vials=[dysport.pk]) == wrong
    assert refused("vial", vial=expired.pk) == (
        f"That vial can no longer be used here. Vial {expired.stock_label}: expired on "
        f"{expired.expiry:%d/%m/%Y}. Choose another."
    )
    # An id no vial has: the choice's own message, as before.
    assert refused("vial", vial="99999999").startswith(
        "That vial can no longer be used here (expired, past its use-by, discarded"
    )
    session.refresh_from_db()
    assert session.vial == botox and session.version == version


def test_a_save_from_a_page_older_than_the_draft_says_how_to_keep_what_was_typed(
    practitioner,
):
    """Browser review, 07/12/2026: a Save from a page opened before the draft was saved in
    another tab said "reload to compare", and a reload showed the draft as saved there
    without what this tab had typed. Nothing is saved; the page says so, shows what was
    sent, marks its form for the tab to keep the entries (data-keep-draft-now: idle_sign_out.js),
    and links to the draft as saved, whose "Restore what I typed" puts them back
    (tests/e2e/test_session_conflict.py)."""
    from treatments.views.sessions import CONFLICT_MESSAGE

    flow = administration_setup(practitioner)
    session = start_draft(flow)
    edit = f"/sessions/{session.public_id}/edit/"
    stale = save_data(flow.client, session) | {"notes": "Typed in this tab"}
    other = save_data(flow.client, session) | {"notes": "Saved in another tab"}
    assert post_form(flow.client, edit, other).status_code == 302
    response = post_form(flow.client, edit, stale)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]  # after the other's "Draft saved."
    assert said[-1] == CONFLICT_MESSAGE and "reload" not in CONFLICT_MESSAGE
    html = response.content.decode()
    assert "Typed in this tab" in html  # what was sent, on the page
    assert (
        'data-keep-draft-now="the draft had been saved elsewhere (another tab?) meanwhile"' in html
    )
    assert f'<a href="{edit}" class="alert-link">open the draft as saved</a>' in html
    session.refresh_from_db()
    assert session.notes == "Saved in another tab"
    # The draft's own page keeps nothing on its own: only the page refused does.
    assert "data-keep-draft-now" not in flow.client.get(edit).content.decode()
