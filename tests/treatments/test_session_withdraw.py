"""Withdraw a draft whose treatment was not given (found 07/12/2026: a draft started in
error stayed a draft forever, asked about by every new session's warning, its vial held
for its patient; signing a session that never happened was the only way out). The
service (services.session_withdraw), the pages (a POST from the editor or the draft's
page; reception and managers refused), and everything that read drafts no longer counting
it. The database's refusal on PostgreSQL: test_session_withdraw_db.py; the diary:
tests/clinic/test_diary_withdrawn_session.py."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PatientFactory, VialFactory
from tests.treatments.session_helpers import CONFIRMED, product, save, start
from treatments import selectors, services
from treatments.choices import SessionStatus, WithdrawReason
from treatments.models import SessionVial, SessionWithdrawal, TreatmentSession, VialDraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_vial_draft(ready_patient, practitioner):
    """PREEMPT's 155 U drawn from two 100 U vials: a first vial, a further one, two draws."""
    for _ in range(2):
        VialFactory(product=product("botox"), presentation_units=100, received_by=practitioner)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.vial is not None
    assert SessionVial.objects.filter(session=session).count() == 1
    assert VialDraw.objects.filter(session=session).count() == 2
    return session


def withdraw(session, by, reason=WithdrawReason.DECLINED, note="Wants to think it over"):
    return services.session_withdraw(session=session, by=by, reason=reason, note=note)


def usable_for(patient) -> set[int]:
    return {v.pk for v in selectors.vial_list_usable(product=product("botox"), patient=patient)}


# The service ------------------------------------------------------------------------------


def test_withdrawing_frees_the_vials_and_keeps_the_record(two_vial_draft, practitioner):
    session = two_vial_draft
    vials = {session.vial_id, *session.vial_links.values_list("vial_id", flat=True)}
    points = list(session.points.values_list("site_id", "side", "units"))
    other = PatientFactory()
    assert not usable_for(other) & vials  # rule 5: held for this patient's draft

    withdrawn = withdraw(session, practitioner)

    session.refresh_from_db()
    assert session.status == SessionStatus.WITHDRAWN == withdrawn.status
    record = SessionWithdrawal.objects.get(session=session)
    assert record.withdrawn_by == practitioner and record.withdrawn_at is not None
    assert record.reason == WithdrawReason.DECLINED and record == withdrawn.withdrawal
    assert record.why == "Patient declined on the day: Wants to think it over"
    assert session.vial_id is None and session.version == 2
    assert not VialDraw.objects.filter(session=session).exists()
    assert not SessionVial.objects.filter(session=session).exists()
    # The points stay, unchanged: the record of what was planned.
    assert list(session.points.values_list("site_id", "side", "units")) == points
    assert vials <= usable_for(other)  # free for another patient
    # History: who, why, and what it was (its vial).
    latest, before = TreatmentSession.history.filter(id=session.pk).order_by("-history_id")[:2]
    assert latest.status == "withdrawn" and latest.history_user == practitioner
    assert latest.vial_id is None and latest.history_date == record.withdrawn_at
    assert latest.history_change_reason == (
        "Withdrawn (not given): Patient declined on the day: Wants to think it over"
    )
    assert before.status == "draft" and before.vial_id in vials


def test_a_colleague_withdraws_a_forgotten_draft_and_is_named(
    two_vial_draft, practitioner, colleague
):
    withdraw(two_vial_draft, colleague, WithdrawReason.STARTED_IN_ERROR, "")
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.withdrawal.withdrawn_by == colleague
    assert two_vial_draft.practitioner == practitioner
    assert two_vial_draft.withdrawal.why == "Started in error"


def test_a_second_withdrawal_says_so_and_changes_nothing(two_vial_draft, practitioner):
    withdraw(two_vial_draft, practitioner)
    rows = TreatmentSession.history.filter(id=two_vial_draft.pk).count()
    with pytest.raises(services.SessionWithdrawn, match="withdrawn"):
        withdraw(two_vial_draft, practitioner, WithdrawReason.WRONG_PATIENT)
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.withdrawal.reason == WithdrawReason.DECLINED
    assert SessionWithdrawal.objects.filter(session=two_vial_draft).count() == 1
    assert two_vial_draft.version == 2
    assert TreatmentSession.history.filter(id=two_vial_draft.pk).count() == rows


def test_a_signed_session_cannot_be_withdrawn(ready_patient, practitioner):
    session = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    session = services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    with pytest.raises(services.SessionLocked) as refused:
        withdraw(session, practitioner)
    assert not isinstance(refused.value, services.SessionWithdrawn)
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED and session.draws.exists()


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [("", "", "reason"), ("forgot", "", "reason"), ("other", "  ", "note")],
)
def test_a_reason_is_needed(two_vial_draft, practitioner, reason, note, field):
    with pytest.raises(ValidationError) as refused:
        withdraw(two_vial_draft, practitioner, reason, note)
    assert field in refused.value.message_dict
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.DRAFT and two_vial_draft.draws.exists()


def test_other_with_details_is_recorded(two_vial_draft, practitioner):
    withdraw(two_vial_draft, practitioner, WithdrawReason.OTHER, "Fainted before injection")
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.withdrawal.why == "Other: Fainted before injection"


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_reception_and_managers_cannot_withdraw(two_vial_draft, role, request):
    with pytest.raises(PermissionDenied):
        withdraw(two_vial_draft, request.getfixturevalue(role))
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.DRAFT


def test_a_withdrawn_session_cannot_be_saved_or_signed(two_vial_draft, practitioner):
    withdraw(two_vial_draft, practitioner)
    with pytest.raises(services.SessionWithdrawn):
        services.session_save_draft(
            session=two_vial_draft,
            saved_by=practitioner,
            expected_version=2,
            fields=CONFIRMED,
            points=[],
        )
    with pytest.raises(services.SessionWithdrawn):
        services.session_sign(
            session=two_vial_draft,
            signed_by=practitioner,
            override_reasons={},
            acknowledge_warnings=True,
        )
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.WITHDRAWN and two_vial_draft.version == 2


# What reads drafts ------------------------------------------------------------------------


def test_drafts_lists_and_the_new_session_warning_leave_it_out(
    two_vial_draft, ready_patient, practitioner
):
    client = client_for(practitioner)
    new_url = reverse("treatments:session_new", args=[ready_patient.public_id])
    assert client.get(new_url).context["form"].drafts  # asked about while a draft
    withdraw(two_vial_draft, practitioner)
    assert selectors.open_drafts(patient_id=ready_patient.pk) == []
    assert selectors.session_list_drafts(practitioner=practitioner) == []
    assert not selectors.patient_for_session_start(
        user=practitioner, public_id=ready_patient.public_id
    ).has_open_draft
    page = client.get(new_url)
    assert page.context["form"].drafts == ()
    assert 'data-testid="open-drafts"' not in page.content.decode()
    # A new session starts without being asked about it.
    services.session_start(
        patient=ready_patient,
        practitioner=practitioner,
        indication=two_vial_draft.indication,
        product=two_vial_draft.product,
        other_drafts=selectors.open_drafts(patient_id=ready_patient.pk),
    )
    home = client.get(reverse("home")).content.decode()
    assert reverse("treatments:session_edit", args=[two_vial_draft.public_id]) not in home


def test_the_patient_timeline_marks_it_and_skips_it_in_intervals(
    two_vial_draft, ready_patient, practitioner
):
    withdraw(two_vial_draft, practitioner)
    again = start(ready_patient, practitioner, "chronic-migraine", "botox")
    timeline = selectors.patient_timeline(patient=ready_patient)
    assert [e.session for e in timeline.entries] == [again, two_vial_draft]
    # Not given: the new session is not "0 days" after it.
    assert [e.days_since_previous for e in timeline.entries] == [None, None]
    assert not timeline.eligibility
    page = client_for(practitioner).get(ready_patient.get_absolute_url()).content.decode()
    assert "withdrawn (not given)" in page


# The pages --------------------------------------------------------------------------------


def withdraw_url(session) -> str:
    return reverse("treatments:session_withdraw", args=[session.public_id])


def detail_url(session) -> str:
    return reverse("treatments:session_detail", args=[session.public_id])


def edit_url(session) -> str:
    return reverse("treatments:session_edit", args=[session.public_id])


FORM = {"reason": "wrong-patient", "note": ""}


def test_the_editor_offers_it_apart_from_sign(two_vial_draft, practitioner):
    page = client_for(practitioner).get(edit_url(two_vial_draft)).content.decode()
    form_end = page.index("</form>", page.index('id="session-form"'))
    offer = page.index('data-testid="withdraw-draft"')
    assert offer > form_end  # its own form, below the editor's (Save and Sign)
    assert f'action="{withdraw_url(two_vial_draft)}"' in page
    assert "Withdraw this draft (treatment not given)" in page


def test_the_practitioner_withdraws_from_the_editor(two_vial_draft, practitioner):
    client = client_for(practitioner)
    response = client.post(withdraw_url(two_vial_draft), FORM)
    assert response.status_code == 302 and response.url == detail_url(two_vial_draft)
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.WITHDRAWN
    page = client.get(response.url).content.decode()
    assert "Draft withdrawn (treatment not given)." in page
    assert 'data-testid="withdrawn"' in page
    name = practitioner.get_full_name()
    assert f"<strong>Withdrawn (not given)</strong> by {name} on " in page
    assert ": Wrong patient." in page
    assert "Continue editing" not in page and 'data-testid="withdraw-draft"' not in page


def test_a_double_click_withdraws_once(two_vial_draft, practitioner):
    client = client_for(practitioner)
    client.post(withdraw_url(two_vial_draft), FORM)
    response = client.post(withdraw_url(two_vial_draft), FORM | {"reason": "declined"})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "This draft was already withdrawn: nothing more was changed." in said
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.withdrawal.reason == "wrong-patient"
    assert TreatmentSession.history.filter(id=two_vial_draft.pk, status="withdrawn").count() == 1


def test_no_reason_shows_the_page_again_with_why(two_vial_draft, practitioner):
    response = client_for(practitioner).post(
        withdraw_url(two_vial_draft), {"reason": "other", "note": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why the treatment was not given." in page
    assert 'id="withdraw" open' in page  # the form unfolded, where the error is
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.DRAFT


def test_a_colleague_withdraws_from_the_drafts_page(two_vial_draft, colleague):
    client = client_for(colleague)
    page = client.get(detail_url(two_vial_draft)).content.decode()
    assert 'data-testid="withdraw-draft"' in page and "the record names you" in page
    assert client.post(withdraw_url(two_vial_draft), FORM).status_code == 302
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.withdrawal.withdrawn_by == colleague


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_reception_and_managers_are_refused(two_vial_draft, role, request):
    client = client_for(request.getfixturevalue(role))
    assert client.post(withdraw_url(two_vial_draft), FORM).status_code == 403
    if role == "manager":  # may view the session's page: no withdraw form on it
        page = client.get(detail_url(two_vial_draft))
        if page.status_code == 200:
            assert 'data-testid="withdraw-draft"' not in page.content.decode()
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.DRAFT


def test_a_get_is_not_allowed(two_vial_draft, practitioner):
    assert client_for(practitioner).get(withdraw_url(two_vial_draft)).status_code == 405


def test_the_editor_refuses_a_withdrawn_session(two_vial_draft, practitioner):
    withdraw(two_vial_draft, practitioner)
    client = client_for(practitioner)
    page = client.get(edit_url(two_vial_draft))
    assert page.status_code == 302 and page.url == detail_url(two_vial_draft)
    said = [str(m) for m in get_messages(page.wsgi_request)]
    assert any("withdrawn (treatment not given)" in m for m in said)
    # A Save or Sign from a tab opened before: nothing saved.
    for action in ("save", "sign"):
        response = client.post(
            edit_url(two_vial_draft), {"action": action, "version": 1, "notes": "typed"}
        )
        assert response.status_code == 302 and response.url == detail_url(two_vial_draft)
    two_vial_draft.refresh_from_db()
    assert two_vial_draft.status == SessionStatus.WITHDRAWN and two_vial_draft.notes == ""
    assert two_vial_draft.version == 2
    # The live check of an open editor goes to its page.
    check = client.post(
        reverse("treatments:session_check", args=[two_vial_draft.public_id]),
        {},
        HTTP_HX_REQUEST="true",
    )
    assert check.status_code == 204 and check["HX-Redirect"] == detail_url(two_vial_draft)
