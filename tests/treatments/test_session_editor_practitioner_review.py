"""Practitioner review of the session editor, 07/12/2026 (an iPad, a clinic day): a dose
typed on a row that does not count yet is named beside the total, a draft left unsigned
from an earlier day says so on the editor itself, and is completed with the vials of its
day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import IntakeQuestionnaire
from tests.factories import VialFactory
from tests.treatments.administration_flow import (
    administration_setup,
    editor_data,
    post_form,
    sign_data,
    start_draft,
)
from treatments import services
from treatments.choices import SessionStatus
from treatments.models import AnatomicalSite, TreatmentSession, Vial

pytestmark = pytest.mark.django_db


def _with_rows(data: dict, rows: list[dict]) -> dict:
    data = {k: v for k, v in data.items() if not k.startswith("points-")}
    data["points-TOTAL_FORMS"] = len(rows)
    data["points-INITIAL_FORMS"] = 0
    data["points-MIN_NUM_FORMS"] = 0
    data["points-MAX_NUM_FORMS"] = 1000
    data.pop("points_signature", None)
    for index, row in enumerate(rows):
        for name in ("site", "side", "units", "volume_ml", "points"):
            data[f"points-{index}-{name}"] = row.get(name, "")
    return data


def test_a_dose_on_a_row_without_its_side_is_named_not_silently_left_out(practitioner):
    """500 U typed over two rows, the second without a side: the live total said 300 U
    and nothing else, so a dose over a limit could read as within it."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    biceps = AnatomicalSite.objects.get(slug="biceps-brachii")
    temporalis = AnatomicalSite.objects.get(slug="temporalis")
    data = _with_rows(
        editor_data(flow.client, session),
        [
            {"site": biceps.pk, "side": "left", "units": "300", "points": "1"},
            {"site": temporalis.pk, "side": "", "units": "200", "points": "1"},
            {"site": "", "side": "", "units": "", "points": "1"},  # an empty row: not a point
        ],
    )
    url = reverse("treatments:session_check", args=[session.public_id])
    response = post_form(flow.client, url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="total-units">300<' in page
    assert 'data-testid="uncounted-points"' in page
    assert "point 2 (Temporalis): choose the side" in page
    assert "point 3" not in page


def test_a_complete_set_of_rows_has_no_uncounted_note(practitioner):
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    biceps = AnatomicalSite.objects.get(slug="biceps-brachii")
    data = _with_rows(
        editor_data(flow.client, session),
        [{"site": biceps.pk, "side": "left", "units": "50", "points": "1"}],
    )
    url = reverse("treatments:session_check", args=[session.public_id])
    page = post_form(flow.client, url, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="total-units">50<' in page
    assert "uncounted-points" not in page


def test_a_draft_left_unsigned_from_an_earlier_day_says_so_on_the_editor(practitioner):
    """Margaret Pollard's draft of 25/11, opened on 07/12: the home page said "not signed
    since 25/11: sign it, or withdraw it if not given"; the editor it opens said nothing."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    edit = reverse("treatments:session_edit", args=[session.public_id])
    assert "draft-from-earlier-day" not in flow.client.get(edit).content.decode()
    earlier = timezone.now() - timedelta(days=12)
    # A record typed today of an earlier treatment is not a forgotten draft (review).
    TreatmentSession.objects.filter(pk=session.pk).update(performed_at=earlier)
    assert "draft-from-earlier-day" not in flow.client.get(edit).content.decode()
    # Started 12 days ago: said, whatever its performed-at says now.
    TreatmentSession.objects.filter(pk=session.pk).update(
        created_at=earlier, performed_at=timezone.now()
    )
    page = flow.client.get(edit).content.decode()
    assert 'data-testid="draft-from-earlier-day"' in page
    assert f"Started on {timezone.localdate(earlier):%d/%m/%Y} and not signed since." in page
    assert "withdraw this draft" in page


def test_saved_doses_come_back_as_written_not_as_the_columns_decimals(
    practitioner, practitioner_client
):
    """Practitioner review (07/12/2026): a saved point came back as "150.00" U and
    "3.000" mL."""
    from tests.factories import InjectionPointFactory, TreatmentSessionFactory

    session = TreatmentSessionFactory(practitioner=practitioner)
    InjectionPointFactory(session=session, order=0, units="150.00", volume_ml="3.000")
    InjectionPointFactory(session=session, order=1, units="12.50", volume_ml="0.062")
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    for shown in ('value="150"', 'value="3"', 'value="12.5"', 'value="0.062"'):
        assert shown in page, shown
    assert 'value="150.00"' not in page and 'value="3.000"' not in page


def test_an_earlier_day_s_treatment_is_signed_with_the_vials_of_its_day(practitioner):
    """A PREEMPT draft of two days ago, its vial's rest thrown away at the end of that
    session ("one session, one patient; discard the rest": DOMAIN §1.3), signed today. The
    editor offered only vials usable now (another of that day's, past its use-by since,
    was not listed) and signing refused the vial used ("has been discarded"), so the
    record could only be signed with a vial that was never drawn from."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    used = session.vial
    given = timezone.now() - timedelta(days=2)
    TreatmentSession.objects.filter(pk=session.pk).update(created_at=given, performed_at=given)
    IntakeQuestionnaire.objects.filter(patient=flow.patient).update(
        completed_on=timezone.localdate(given) - timedelta(days=1)
    )
    made = given - timedelta(hours=1)
    Vial.objects.filter(pk=used.pk).update(reconstituted_at=made, use_by=made + timedelta(hours=24))
    services.vial_discard(
        vial=Vial.objects.get(pk=used.pk),
        reason="Rest of the vial, end of session",
        wasted_units=Decimal(45),
        discarded_by=practitioner,
    )
    that_day = VialFactory(
        received_by=practitioner, presentation_units=200, diluent_ml=4, reconstituted_at=made
    )
    assert that_day.is_past_use_by  # not usable now
    # Another of that day's, its rest thrown away that evening: usable then.
    thrown_away = VialFactory(
        received_by=practitioner, presentation_units=200, diluent_ml=4, reconstituted_at=made
    )
    services.vial_discard(
        vial=thrown_away, reason="End of day", wasted_units=Decimal(200), discarded_by=practitioner
    )
    Vial.objects.filter(pk=thrown_away.pk).update(discarded_at=given + timedelta(hours=8))
    # One made up today: it cannot have been drawn from two days ago.
    VialFactory(received_by=practitioner, presentation_units=200, diluent_ml=4)
    edit = reverse("treatments:session_edit", args=[session.public_id])
    page = flow.client.get(edit)
    offered = {vial.pk for vial in page.context["form"].fields["vial"].queryset}
    assert offered == {used.pk, that_day.pk, thrown_away.pk}
    assert f"{used.stock_label} · discarded " in page.content.decode()

    done = post_form(flow.client, edit, sign_data(flow.client, session))
    assert done.status_code == 302, [f.message for f in done.context["findings"]]
    session.refresh_from_db()
    assert (session.status, session.vial_id) == (SessionStatus.SIGNED, used.pk)
    assert "vial.discarded_since" in {f.code for f in session.findings.all()}


def test_a_warning_come_up_after_the_box_was_ticked_is_not_signed_unread(practitioner):
    """ "I have read the warnings" was one tick for whatever the warnings were at signing:
    the live check keeps the box ticked while the panel changes, so a warning that came
    up after the tick (the draft's vial discarded meanwhile, say) was signed unread. The
    box now carries the warnings it was ticked for; signing refuses one come up since,
    says so, and leaves the box unticked until it is read."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    edit = reverse("treatments:session_edit", args=[session.public_id])
    data = editor_data(flow.client, session)
    page = flow.client.get(edit)
    ticked_for = page.context["warning_codes"]
    assert "vial.discarded_since" not in ticked_for
    # The rest of its vial thrown away while the page is open, after the session's time.
    services.vial_discard(
        vial=session.vial, reason="End of session", wasted_units=Decimal(45),
        discarded_by=practitioner,
    )  # fmt: skip
    refused = post_form(flow.client, edit, {**data, "action": "sign", "acknowledge": ticked_for})
    assert refused.status_code == 200
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    html = refused.content.decode()
    assert "A warning came up after the box was ticked" in html
    assert "vial.discarded_since" in refused.context["warning_codes"]
    assert refused.context["acknowledged"] is False  # unticked until read again
    ticked_again = refused.context["warning_codes"]
    data = editor_data(flow.client, session)  # the page as it is now
    signed = post_form(flow.client, edit, {**data, "action": "sign", "acknowledge": ticked_again})
    assert signed.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED


def test_an_earlier_day_s_draft_without_a_vial_of_its_day_is_not_sent_for_a_new_one(
    practitioner,
):
    """A forgotten draft of 12 days ago whose vial was never recorded: "receive or
    reconstitute one" sent the practitioner for a vial made up today, which cannot have
    been the one used (the engine refuses it); the notice says what can be done."""
    flow = administration_setup(practitioner)
    session = start_draft(flow)
    given = timezone.now() - timedelta(days=12)
    TreatmentSession.objects.filter(pk=session.pk).update(
        created_at=given, performed_at=given, vial=None
    )
    page = flow.client.get(reverse("treatments:session_edit", args=[session.public_id]))
    html = page.content.decode()
    assert 'data-testid="no-usable-vial"' in html
    assert f"could be used on {timezone.localdate(given):%d/%m/%Y}, this session's day" in html
    assert "withdraw this draft" in html and "receive or reconstitute one" not in html
    assert "with the time it was made up" in html

    # The vial it drew from, received then and never recorded as made up: recorded now
    # with the time it was (the vial page's "Made up at"), it is offered, and the record
    # is signed with it.
    vial = VialFactory(
        received_by=practitioner, presentation_units=200, reconstituted_at=None,
        diluent_ml=None, use_by=None,
        received_on=timezone.localdate(given) - timedelta(days=3),
    )  # fmt: skip
    made_up = timezone.localtime(given - timedelta(minutes=20))
    done = flow.client.post(
        reverse("treatments:vial_reconstitute", args=[vial.pk]),
        {"diluent_ml": "4", "reconstituted_at": f"{made_up:%d/%m/%Y %H:%M}"},
        follow=True,
    )
    assert f"Recorded as made up on {made_up:%d/%m/%Y at %H:%M}" in done.content.decode()
    vial.refresh_from_db()
    assert vial.reconstituted_at == made_up.replace(second=0, microsecond=0)
    assert vial.reconstituted_by == practitioner
    page = flow.client.get(reverse("treatments:session_edit", args=[session.public_id]))
    assert [v.pk for v in page.context["form"].fields["vial"].queryset] == [vial.pk]
