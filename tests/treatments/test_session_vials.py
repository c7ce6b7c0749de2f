"""Any number of vials in a session (issue 13.1): vial choice, drawing, dropping a vial the
dose no longer needs, and the editor's vial panel."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import clock
from tests.factories import InjectionPointFactory, TreatmentSessionFactory, VialFactory
from tests.treatments.administration_flow import editor_data, post_form
from tests.treatments.session_helpers import product, save, start
from treatments import safety, selectors, services
from treatments.models import AnatomicalSite, Product, TreatmentSession, Vial
from treatments.services.draws import choose_vials, chosen_from_usable

pytestmark = pytest.mark.django_db


def vials_href(session) -> str:
    """The editor's link to its product's vials, carrying the way back to the draft
    (treatments.views.vials.draft_next), whichever page drew it (the editor, the live check)."""
    back = f"/sessions/{session.public_id}/edit/".replace("/", "%2F")
    return f'href="/vials/?product={session.product_id}&amp;next={back}"'


def vial(practitioner, units, *, slug="botox", hours_left=20, **kw):
    reconstituted = timezone.now() - timedelta(hours=24 - hours_left)
    return VialFactory(
        product=product(slug),
        presentation_units=units,
        received_by=practitioner,
        reconstituted_at=reconstituted,
        use_by=reconstituted + timedelta(hours=24),
        **kw,
    )


def test_preempt_155_units_come_from_one_200_unit_vial_not_100_plus_200(
    practitioner, ready_patient
):
    vial(practitioner, 100, hours_left=2)  # used first when it alone is enough
    large = vial(practitioner, 200, hours_left=20)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.all_vials() == [large]
    assert {d.vial_id: d.units for d in session.draws.all()} == {large.pk: Decimal(155)}


def test_vial_choice_takes_the_fewest_vials_soonest_use_by_first(practitioner, ready_patient):
    soon = vial(practitioner, 100, hours_left=2)
    later = vial(practitioner, 100, hours_left=10)
    vial(practitioner, 100, hours_left=20)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.all_vials() == [soon, later]
    assert {d.vial_id: d.units for d in session.draws.all()} == {
        soon.pk: Decimal(100),
        later.pk: Decimal(55),
    }


def test_a_dose_near_the_dysport_limit_draws_from_three_vials(practitioner, ready_patient):
    vials = [vial(practitioner, 300, slug="dysport", diluent_ml=Decimal("1.5")) for _ in range(2)]
    vials.append(vial(practitioner, 500, slug="dysport", diluent_ml=Decimal("2.5")))
    session = start(ready_patient, practitioner, "spasticity-ul-adult", "dysport", vial=False)
    biceps = AnatomicalSite.objects.filter(slug__contains="biceps").first()
    points = [
        {"site": biceps, "side": side, "units": Decimal(475), "volume_ml": None, "points": 5}
        for side in ("left", "right")
    ]
    session = save(session, practitioner, points=points, vial=vials[0], further_vials=vials[1:])
    assert session.all_vials() == vials
    assert sorted(d.units for d in session.draws.all()) == [300, 300, 350]
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    assert "vial.insufficient" not in {f.code for f in findings}


def test_choosing_a_vial_by_hand_drops_a_vial_no_longer_needed(practitioner, ready_patient):
    small = vial(practitioner, 100, hours_left=2)
    second = vial(practitioner, 100, hours_left=10)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.all_vials() == [small, second]
    large = vial(practitioner, 200, hours_left=20)
    # The practitioner picks the 200 U vial; the other ticked vials are not needed.
    session = save(session, practitioner, vial=large, further_vials=[small, second])
    session.refresh_from_db()
    assert session.all_vials() == [large]
    assert {d.vial_id: d.units for d in session.draws.all()} == {large.pk: Decimal(155)}


def test_the_first_vial_is_not_offered_again_and_refused_if_posted_as_a_further_vial(
    practitioner_client, practitioner, ready_patient
):
    """Review: with a second vial ready, "Further vials" also listed the vial already chosen
    as the first. The page leaves it out (disabled, hidden, moved by session_editor.js as the first
    vial changes); a post that ticks it anyway is refused with a message, nothing saved."""
    first = vial(practitioner, 100)
    second = vial(practitioner, 100)  # a second vial in stock: further vials are offered
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=first)
    InjectionPointFactory(session=session)
    response = practitioner_client.get(f"/sessions/{session.public_id}/edit/")
    form = response.context["form"]
    assert "further_vials" in form.fields and "second_vial" not in form.fields
    page = response.content.decode()
    boxes = {
        box.split('data-further-vial="', 1)[1].split('"', 1)[0]: box
        for box in page.split("<input")
        if 'name="further_vials"' in box
    }
    assert set(boxes) == {str(first.pk), str(second.pk)}
    assert "disabled" in boxes[str(first.pk)] and "data-first-vial" in boxes[str(first.pk)]
    assert "disabled" not in boxes[str(second.pk)]
    data = {**editor_data(practitioner_client, session), "further_vials": [first.pk]}
    data.update({"action": "save", "notes": "Kept while the vial is put right"})
    version = session.version
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    assert (
        f"Vial {first.stock_label} is already the first vial, so it cannot also be a "
        "further vial" in " ".join(response.context["form"].errors["further_vials"])
    )
    assert "Kept while the vial is put right" in response.content.decode()
    session.refresh_from_db()
    assert session.all_vials() == [first] and session.version == version


def test_the_short_vial_finding_says_what_to_do_where(
    practitioner_client, practitioner, ready_patient
):
    """Review: "add another vial or use a larger one" with one vial ready and nowhere on the
    form to add one. The finding now says where: Vials (reconstitute, then come back) while
    no other vial is ready, "Further vials" once one is."""
    first = vial(practitioner, 100)
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=first)
    InjectionPointFactory(session=session, units=Decimal(150), volume_ml=Decimal("1.5"))

    def help_text(page):
        help_div = page.split('data-testid="vial-insufficient-help">', 1)[1].split("</div>")[0]
        return " ".join(help_div.split())

    def shown():
        return practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()

    def live_check():
        """The panel as the live re-check redraws it while the form is filled (htmx)."""
        data = editor_data(practitioner_client, session)
        return practitioner_client.post(
            f"/sessions/{session.public_id}/check/", data, HTTP_HX_REQUEST="true"
        ).content.decode()

    for page in (shown(), live_check()):
        text = help_text(page)
        assert "No other BOTOX vial is ready to add" in text
        assert vials_href(session) in text
        assert "record its reconstitution" in text
        assert "offered here under “Further vials”" in text
    vial(practitioner, 100)
    for page in (shown(), live_check()):
        assert help_text(page).startswith("Tick another vial under “Further vials”")


def test_a_ticked_further_vial_that_went_out_of_use_is_refused_not_dropped(
    practitioner_client, practitioner, ready_patient
):
    """The page offered two vials; before Save the second passed its use-by. The one vial
    left would hide "Further vials", but the submission ticked one: the form keeps the
    field and refuses the choice with its message, and the draft keeps what it had."""
    first, second = vial(practitioner, 100), vial(practitioner, 100)
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=first)
    InjectionPointFactory(session=session)
    # The page as shown, with two vials to draw from; the practitioner ticks the second.
    data = editor_data(practitioner_client, session)
    assert "further_vials" in data
    data.update({"further_vials": [second.pk], "action": "save"})
    version = session.version
    second.use_by = timezone.now() - timedelta(minutes=1)
    second.save()
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    assert "That vial can no longer be used here" in " ".join(
        response.context["form"].errors["further_vials"]
    )
    session.refresh_from_db()
    assert session.all_vials() == [first] and session.version == version


def test_the_vial_panel_says_why_stock_cannot_be_used(
    practitioner_client, practitioner, ready_patient, patient
):
    expired = vial(practitioner, 100)
    expired.expiry = timezone.localdate() - timedelta(days=1)
    expired.received_on = expired.expiry - timedelta(days=30)
    expired.save()
    stale = vial(practitioner, 100)
    stale.reconstituted_at = timezone.now() - timedelta(hours=30)
    stale.use_by = timezone.now() - timedelta(hours=6)
    stale.save()
    other = vial(practitioner, 100)
    services_session = TreatmentSessionFactory(patient=patient, vial=other)
    InjectionPointFactory(session=services_session)
    services.session_save_draft(
        session=services_session,
        saved_by=services_session.practitioner,
        expected_version=services_session.version,
        fields={},
        points=[
            {
                "site": services_session.points.get().site,
                "side": "left",
                "units": Decimal(5),
                "volume_ml": None,
                "points": 1,
            }
        ],
    )
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=None)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    panel = page.split('data-testid="unusable-vials"', 1)[1].split("</details>", 1)[0]
    assert f"vial {expired.stock_label}" in panel and "expired on" in panel
    assert f"vial {stale.stock_label}" in panel and "past its use-by" in panel
    assert f"vial {other.stock_label}" in panel and "already used for another patient" in panel
    # Each links to its page, with the way back to this draft (browser check 07/12/2026: an
    # unopened vial listed here could only be found again through the vial list).
    back = f"/sessions/{session.public_id}/edit/".replace("/", "%2F")
    assert f'<a href="/vials/{stale.pk}/?next={back}">vial {stale.stock_label}</a>' in panel
    # No vial can be used: the page says so, and where to get one.
    notice = page.split('data-testid="no-usable-vial"', 1)[1].split("</div>", 1)[0]
    assert "No BOTOX vial in stock can be used for this session" in " ".join(notice.split())
    assert vials_href(session) in notice
    assert 'name="further_vials"' not in page and "Further vials" not in page  # none to tick


def test_the_no_usable_vial_notice_is_shown_only_when_none_can_be_used(
    practitioner_client, practitioner, ready_patient
):
    usable = vial(practitioner, 100)
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=None)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert 'data-testid="no-usable-vial"' not in page
    assert f">{usable.stock_label} · " in page  # offered in the Vial box instead
    # One vial to draw from: nothing to tick as a further vial, and the help says so.
    assert 'name="further_vials"' not in page and "tick further vials" not in page
    assert "The vial the dose is drawn from (the only one in stock that can be used)" in page
    # ... and it is chosen (browser review 07/12/2026: "Choose a reconstituted vial…" above
    # that help, and signing blocked for "No vial chosen").
    choices = page.split('name="vial"', 1)[1].split("</select>", 1)[0]
    assert "selected" in choices.split(f'<option value="{usable.pk}"', 1)[1].split(">", 1)[0]
    assert "data-chosen-by-page" in re.search(r'<select[^>]*name="vial"[^>]*>', page)[0]
    second = vial(practitioner, 100)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert 'name="further_vials"' in page and f"vial {second.stock_label}" in page
    choices = page.split('name="vial"', 1)[1].split("</select>", 1)[0]
    assert 'value="" selected>' in choices  # two to choose from: none chosen for them
    assert "data-chosen-by-page" not in page  # the mark was this form's, not the field's
    assert "tick further vials below when the dose needs more than one" in page


def test_the_session_read_carries_its_further_vials_without_another_query(
    practitioner, django_assert_num_queries
):
    """selectors.session_get_for_user reads the further vials in a compiled-once query and
    hands them over as prefetch_related would (clinic.prepared.as_prefetched): in
    position order, each link pointing back at this session, no query on reading them."""
    from treatments.models import SessionVial

    session = TreatmentSessionFactory(practitioner=practitioner, vial=VialFactory())
    second, third = VialFactory(), VialFactory()
    SessionVial.objects.create(session=session, vial=third, position=2)
    SessionVial.objects.create(session=session, vial=second, position=1)
    bare = TreatmentSessionFactory(practitioner=practitioner)
    with django_assert_num_queries(2):  # the session with its joins, its further vials
        read = selectors.session_get_for_user(user=practitioner, public_id=session.public_id)
    with django_assert_num_queries(0):
        links = list(read.vial_links.all())
        assert [link.vial for link in links] == [second, third]
        assert all(link.session is read for link in links)
        assert [v.product.slug for v in read.all_vials()] == ["botox"] * 3
    assert read.vial_links.count() == 2  # still a manager: other calls query as usual
    other = selectors.session_get_for_user(user=practitioner, public_id=bare.public_id)
    with django_assert_num_queries(0):
        assert list(other.vial_links.all()) == []


def test_the_editors_session_read_reads_further_vials_only_when_there_are_some(
    practitioner, django_assert_num_queries
):
    """selectors.session_get_for_editor: a session without further vials is one query
    (whether it has any is a column of its row), one with them two, read as
    session_get_for_user reads them; both carry the reference data's fingerprint, with
    which the request's reference copy costs no query."""
    from treatments.models import SessionVial

    session = TreatmentSessionFactory(practitioner=practitioner, vial=VialFactory())
    second, third = VialFactory(), VialFactory()
    SessionVial.objects.create(session=session, vial=third, position=2)
    SessionVial.objects.create(session=session, vial=second, position=1)
    bare = TreatmentSessionFactory(practitioner=practitioner)
    selectors.reference_snapshot()  # this process's copy is current
    with django_assert_num_queries(2):  # the session (with its joins), its further vials
        read = selectors.session_get_for_editor(user=practitioner, public_id=session.public_id)
    with django_assert_num_queries(0):
        assert [link.vial for link in read.vial_links.all()] == [second, third]
        assert selectors.reference_snapshot(stamp=read.reference_stamp) is (
            selectors.reference_snapshot(stamp=read.reference_stamp)
        )
    with django_assert_num_queries(1):
        other = selectors.session_get_for_editor(user=practitioner, public_id=bare.public_id)
    with django_assert_num_queries(0):
        assert list(other.vial_links.all()) == []
    assert other.reference_stamp == read.reference_stamp


@pytest.mark.django_db
def test_the_editors_session_read_gives_the_reference_rows_and_the_practitioner(
    practitioner, django_assert_num_queries
):
    """Three joins, not six: the indication and the product are the request's reference
    copy's (current by the fingerprint read with the row), the practitioner is the user
    editing; another user's read reads the practitioner when asked (the editor turns
    them away first)."""
    from tests.factories import UserFactory

    session = TreatmentSessionFactory(practitioner=practitioner, vial=VialFactory())
    snapshot = selectors.reference_snapshot()  # this process's copy is current
    with django_assert_num_queries(1):
        read = selectors.session_get_for_editor(user=practitioner, public_id=session.public_id)
    with django_assert_num_queries(0):
        assert read.indication is snapshot.indications[session.indication_id]
        assert read.product is snapshot.products[session.product_id]
        assert read.practitioner == practitioner and read.patient == session.patient
        assert read.indication.name == session.indication.name
    someone_else = UserFactory(username="locum", role="Practitioner")
    other = selectors.session_get_for_editor(user=someone_else, public_id=session.public_id)
    with django_assert_num_queries(1):
        assert other.practitioner == practitioner


@pytest.mark.django_db
def test_the_editors_session_read_leaves_the_top_ups_index_session_unread(
    practitioner, django_assert_num_queries
):
    """The editor needs a top-up's link, not the session it tops up (the form and the
    engine take its id): two joins, the patient and the first vial. Read when asked."""
    index = TreatmentSessionFactory(practitioner=practitioner, signed=True)
    top_up = TreatmentSessionFactory(
        practitioner=practitioner, patient=index.patient, vial=VialFactory(), top_up_of=index
    )
    selectors.reference_snapshot()  # this process's copy is current
    with CaptureQueriesContext(connection) as read_queries:
        read = selectors.session_get_for_editor(user=practitioner, public_id=top_up.public_id)
    (sql,) = [q["sql"] for q in read_queries.captured_queries]
    assert sql.count(" JOIN ") == 2  # patients_patient, treatments_vial
    assert read.top_up_of_id == index.pk
    with django_assert_num_queries(1):
        assert read.top_up_of == index


@pytest.mark.django_db
def test_the_editors_session_read_gives_the_vials_product_and_reads_another_one(
    practitioner, django_assert_num_queries
):
    """The editor's read joins neither the signer (a draft has none) nor the first vial's
    product: the session's own product is given to a vial of that product, and a vial of
    another product (the editor never offers one) reads its own when asked."""
    botox, dysport = Product.objects.get(slug="botox"), Product.objects.get(slug="dysport")
    session = TreatmentSessionFactory(
        practitioner=practitioner, product=botox, vial=VialFactory(product=botox)
    )
    selectors.reference_snapshot()  # this process's copy is current
    with django_assert_num_queries(1):
        read = selectors.session_get_for_editor(user=practitioner, public_id=session.public_id)
    with django_assert_num_queries(0):
        assert read.vial.product == botox and read.signed_by is None
    odd = TreatmentSessionFactory(
        practitioner=practitioner, product=botox, vial=VialFactory(product=dysport)
    )
    other = selectors.session_get_for_editor(user=practitioner, public_id=odd.public_id)
    with django_assert_num_queries(1):
        assert other.vial.product == dysport


def test_the_vials_other_patients_are_found_as_first_and_as_further_vials(practitioner):
    """Rule 5 (one vial, one patient) reads who else uses a vial from two halves, one per
    index: the sessions whose first vial it is, and the further-vial links (one condition
    across both made PostgreSQL read every session; issue 14 at clinic-group scale). Each
    vial names its own other patients; this patient's own sessions are not "others"."""
    from treatments.models import SessionVial
    from treatments.selectors.vial_usage import vial_other_patients, vial_usage

    shared_first, shared_further, unused = VialFactory(), VialFactory(), VialFactory()
    mine = TreatmentSessionFactory(practitioner=practitioner, vial=shared_first)
    ann = TreatmentSessionFactory(practitioner=practitioner, vial=shared_first)
    bob = TreatmentSessionFactory(practitioner=practitioner, vial=VialFactory())
    SessionVial.objects.create(session=bob, vial=shared_further, position=1)
    own_link = TreatmentSessionFactory(practitioner=practitioner, patient=mine.patient)
    SessionVial.objects.create(session=own_link, vial=shared_further, position=1)
    vials = [shared_first, shared_further, unused]
    expected = {
        shared_first.pk: frozenset({ann.patient_id}),
        shared_further.pk: frozenset({bob.patient_id}),
    }
    assert vial_other_patients(vials, patient=mine.patient) == expected
    usage = vial_usage(vials, session_id=mine.pk, patient=mine.patient)
    assert usage.other_patients == expected


def test_the_vial_panel_names_ten_unusable_vials_and_counts_the_rest(
    practitioner_client, practitioner, ready_patient
):
    """A clinic group's fridge can hold hundreds of vials a session cannot use (650 in
    make bench-scale's seed: 35 ms to read and 11 ms to write them on every editor page).
    The panel names the 10 soonest to expire, says how many there are, and sends the
    practitioner to the vial list for the rest; the uses are looked up for those 10 only."""
    today = timezone.localdate()
    expired = []
    for days in range(12, 0, -1):
        stale = vial(practitioner, 100)
        stale.expiry = today - timedelta(days=days)
        stale.received_on = stale.expiry - timedelta(days=30)
        stale.save()
        expired.append(stale)
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=None)
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    panel = page.split('data-testid="unusable-vials"', 1)[1].split("</details>", 1)[0]
    assert "12 BOTOX vials in stock cannot be used here" in panel
    assert panel.count("expired on") == 10
    assert f"vial {expired[0].stock_label}</a>:" in panel  # the soonest first
    assert f"vial {expired[9].stock_label}</a>:" in panel
    assert f"vial {expired[10].stock_label}</a>:" not in panel
    more = panel.split('data-testid="unusable-more"', 1)[1]
    assert "and 2 more expiring later" in more
    assert vials_href(session) in more  # that product's vials


def test_the_usable_vials_among_some_ids_are_those_of_the_whole_list(practitioner, ready_patient):
    """A submission is checked against the vials it names: the same vials, with the same
    units drawn, as the whole list holds of them, for one id, several, more ids than the
    compiled read has places, and ids of vials that cannot be used."""
    vials = [vial(practitioner, 100, hours_left=h) for h in (2, 4, 6, 8, 10, 12, 14, 16)]
    stale = vial(practitioner, 100)
    stale.use_by = timezone.now() - timedelta(minutes=1)
    stale.save()
    start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)  # draws 155 U
    assert len(vials) > selectors.vials.USABLE_AMONG_MAX
    botox = product("botox")
    whole = selectors.vial_list_usable(product=botox, patient=ready_patient)
    assert whole == vials and sum(v.drawn_units for v in whole) == Decimal(155)
    drawn = {v.pk: v.drawn_units for v in whole}
    for among in (
        [vials[1].pk],
        [vials[0].pk, vials[5].pk, stale.pk],
        [v.pk for v in vials],  # more than USABLE_AMONG_MAX: the whole list, kept to these
        [stale.pk, 10**8],
        [],
    ):
        found = selectors.vial_list_usable(product=botox, patient=ready_patient, among=among)
        assert found == [v for v in vials if v.pk in among]
        assert {v.pk: v.drawn_units for v in found} == {
            pk: units for pk, units in drawn.items() if pk in among
        }


def test_a_submission_reads_the_vials_it_names_and_a_page_shown_again_offers_them_all(
    practitioner_client, practitioner, ready_patient
):
    first, second, third = (vial(practitioner, 100, hours_left=h) for h in (4, 8, 12))
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=first)
    InjectionPointFactory(session=session)
    data = {**editor_data(practitioner_client, session), "action": "save"}
    url = f"/sessions/{session.public_id}/edit/"
    with CaptureQueriesContext(connection) as queries:
        assert post_form(practitioner_client, url, data).status_code == 302
    usable_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "treatments_vial"."id"')
    ]
    assert len(usable_reads) == 1 and '"treatments_vial"."id" IN (' in usable_reads[0]
    # Refused (a units value no form accepts): shown again, every usable vial offered, the
    # vial panel's notice absent as there are some.
    data = {**editor_data(practitioner_client, session), "action": "save", "points-0-units": "x"}
    response = post_form(practitioner_client, url, data)
    assert response.status_code == 200 and response.context["form"].is_bound
    assert set(response.context["form"].fields["vial"].known) == {
        v.pk for v in (first, second, third)
    }
    page = response.content.decode()
    for further in (second, third):
        assert f'data-further-vial="{further.pk}"' in page
    assert 'data-testid="no-usable-vial"' not in page
    assert response.context["formset"].forms[0]["units"].value() == "x"  # as it was sent


OTHER_SCRIPT_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "sent", ["99999999999999", "9" * 30, "-3", "0", "abc", " 1e3", "its pk in other digits"]
)
def test_a_vial_choice_that_names_no_vial_is_refused_with_the_choice_message(
    practitioner_client, practitioner, ready_patient, sent
):
    """What the submission's vials are read by (SessionForm.vials_named) takes the same
    ids as the choice's check: one that no vial can have is refused, never a query error.
    An id is ASCII digits, as everywhere a page sends one back (clinic.inputs): the vial's
    own pk written in Arabic-Indic digits, which int() reads, names no vial."""
    first = vial(practitioner, 100)
    if sent == "its pk in other digits":
        sent = str(first.pk).translate(OTHER_SCRIPT_DIGITS)
    session = TreatmentSessionFactory(patient=ready_patient, practitioner=practitioner, vial=first)
    InjectionPointFactory(session=session)
    data = {**editor_data(practitioner_client, session), "action": "save", "vial": sent}
    response = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert response.status_code == 200
    assert "That vial can no longer be used here" in " ".join(
        response.context["form"].errors["vial"]
    )


def test_a_start_with_a_fridge_of_vials_chooses_as_from_the_whole_stock(
    practitioner, ready_patient
):
    # More usable vials than choice combines (ten): it takes them in use-by order until they
    # hold the dose. A start reads the first eleven, and the whole stock only when those
    # fall short: the same choice either way.
    small = [vial(practitioner, 10, hours_left=1 + i) for i in range(12)]
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.all_vials() == small  # 120 U of the 155: every one, in use-by order
    assert sum(d.units for d in session.draws.all()) == Decimal(155)


def test_a_start_with_a_fridge_of_vials_reads_only_the_first_when_they_hold_the_dose(
    practitioner, ready_patient
):
    vials = [vial(practitioner, 100, hours_left=1 + i) for i in range(14)]
    botox = product("botox")
    usable = selectors.vial_list_usable(product=botox, patient=ready_patient)
    expected = choose_vials(usable, Decimal(155), {v.pk: Decimal(100) for v in usable})
    with CaptureQueriesContext(connection) as queries:
        chosen, left = chosen_from_usable(product=botox, patient=ready_patient, planned=155)
    assert chosen == expected == vials[:2]
    assert len(queries) == 1 and len(left) == 11


def test_a_vial_s_rest_discarded_before_signing_is_still_the_vial_the_record_keeps(
    practitioner, ready_patient
):
    """Inject, throw the rest of the single-use vial away, then sign ("one session, one
    patient; discard the rest": DOMAIN §1.3). Signing refused it ("has been discarded") and
    the editor no longer offered it: the record could be signed only with a vial never
    drawn from. Now signing asks the practitioner to check it is the vial used (a warning
    to acknowledge); a vial discarded before the session's time is still refused."""
    used = vial(practitioner, 200)
    session = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    assert session.vial == used
    services.vial_discard(
        vial=used, reason="Rest of the vial", wasted_units=Decimal(45), discarded_by=practitioner
    )
    session = TreatmentSession.objects.get(pk=session.pk)  # the vial as discarded
    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=False
        )
    assert refused.value.blocks == []
    (check,) = [f for f in refused.value.unacknowledged if f.code.startswith("vial.")]
    assert check.code == "vial.discarded_since" and "check it is the vial" in check.message
    services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    assert TreatmentSession.objects.get(pk=session.pk).vial == used

    # Another session, its time after the discard: refused.
    later = start(ready_patient, practitioner, "hyperhidrosis-axillary", "botox")
    later = save(save(later, practitioner), practitioner, vial=Vial.objects.get(pk=used.pk))
    findings = selectors.safety_inputs_for_session(session=later).evaluate()
    assert ("vial.discarded", safety.Level.BLOCK) in {(f.code, f.level) for f in findings}


def test_a_draft_keeping_its_discarded_vial_is_not_sent_for_another(
    practitioner_client, practitioner, ready_patient
):
    """The draft's vial, its rest discarded after the injections, is the only one of its
    product: the editor offers it (labelled discarded) and the live check asks to check it.
    The notice "No BOTOX vial in stock can be used: receive or reconstitute one" sent the
    practitioner for another vial, one the treatment never drew from (review 07/12/2026)."""
    used = vial(practitioner, 200)
    session = save(
        start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False), practitioner
    )
    assert session.vial == used
    services.vial_discard(
        vial=used, reason="End of session", wasted_units=Decimal(45), discarded_by=practitioner
    )
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert f">{used.stock_label} · discarded " in page
    assert 'data-testid="no-usable-vial"' not in page
    # Discarded before the session's time, it cannot be the vial used: the notice is shown.
    TreatmentSession.objects.filter(pk=session.pk).update(
        performed_at=Vial.objects.get(pk=used.pk).discarded_at + timedelta(minutes=1)
    )
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/").content.decode()
    assert 'data-testid="no-usable-vial"' in page


@pytest.mark.time_machine(clock.london(date(2026, 7, 8), 10, 0))
def test_the_vial_checks_say_the_clinic_s_times_in_summer(
    practitioner_client, practitioner, ready_patient
):
    """British Summer Time: the discarded vial's warning said "discarded at 09:30, after this
    session's time (09:00)" for a session at 10:00 and a discard at 10:30 (the saved row's
    UTC times), an hour before the vial's page, in the editor and in the signed record."""
    used = vial(practitioner, 200)
    session = save(
        start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False), practitioner
    )
    Vial.objects.filter(pk=used.pk).update(
        discarded_at=clock.london(date(2026, 7, 8), 10, 30), discard_reason="End of session"
    )
    expected = (
        "discarded on 08/07/2026 at 10:30 (End of session), after this session's time "
        "(08/07/2026 10:00)"
    )
    session = TreatmentSession.objects.get(pk=session.pk)
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    (found,) = [f for f in findings if f.code == "vial.discarded_since"]
    assert expected in found.message
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/")
    (shown,) = [f for f in page.context["findings"] if f.code == "vial.discarded_since"]
    assert expected in shown.message


def test_an_earlier_day_s_draft_is_not_offered_a_solution_vial_received_since(
    practitioner_client, practitioner, ready_patient
):
    """A ready-to-use solution is never made up, so the vial.reconstituted_later check
    cannot date it: a glabellar-lines draft of three days ago was offered, and signed with,
    an Alluzience vial delivered today, one the clinic did not have that day (review of
    the discarded-vial change). Now it is neither offered nor signed."""
    Product.objects.filter(slug="alluzience").update(on_formulary=True)
    alluzience = product("alluzience")
    session = start(ready_patient, practitioner, "glabellar-lines", "alluzience", vial=False)
    given = timezone.now() - timedelta(days=3)
    solution = {
        "product": alluzience,
        "presentation_units": 125,
        "received_by": practitioner,
        "reconstituted_at": None,
        "diluent_ml": None,
        "use_by": None,
    }
    that_day = VialFactory(**solution, received_on=timezone.localdate(given) - timedelta(days=9))
    delivered_today = VialFactory(**solution, received_on=timezone.localdate())
    TreatmentSession.objects.filter(pk=session.pk).update(performed_at=given)
    session = TreatmentSession.objects.get(pk=session.pk)

    offered = {v.pk for v in selectors.vial_list_usable_for_draft(session=session)}
    assert offered == {that_day.pk}
    named = {that_day.pk, delivered_today.pk}
    offered = selectors.vial_list_usable_for_draft(session=session, among=named)
    assert [v.pk for v in offered] == [that_day.pk]
    # The editor's list of those that cannot be used says why (it said "reconstituted on
    # an earlier day with no use-by recorded").
    page = practitioner_client.get(f"/sessions/{session.public_id}/edit/")
    (why,) = [why for v, why in page.context["unusable_vials"].rows if v == delivered_today]
    assert why == f"received on {timezone.localdate():%d/%m/%Y}, after this session's day"

    # The draft's own vial, chosen when it was today's and its date moved back since:
    # signing refuses it.
    TreatmentSession.objects.filter(pk=session.pk).update(vial=delivered_today)
    session = TreatmentSession.objects.get(pk=session.pk)
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    (found,) = [f for f in findings if f.code == "vial.received_later"]
    assert found.level == safety.Level.BLOCK
    assert f"Vial {delivered_today.stock_label} was received on " in found.message


def test_a_second_vial_discarded_after_the_tick_is_not_signed_unread(
    practitioner_client, practitioner, ready_patient
):
    """The box named the warnings it was ticked for by code only: with the first vial's
    rest already discarded (its warning read, the box ticked), the further vial discarded
    meanwhile raised a second warning of the same code, and signing took it as read
    (review of the acknowledgement change). Each warning counts: a second is refused."""
    from tests.treatments.administration_flow import editor_data, post_form

    first, second = vial(practitioner, 100), vial(practitioner, 100)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    session = save(session, practitioner, vial=first, further_vials=[second])
    assert session.all_vials() == [first, second]
    for used in (first, second):
        Vial.objects.filter(pk=used.pk).update(reconstituted_at=session.performed_at)
    Vial.objects.filter(pk=first.pk).update(
        discarded_at=timezone.now(), discard_reason="Rest of the vial"
    )
    edit = f"/sessions/{session.public_id}/edit/"
    data = editor_data(practitioner_client, session)
    ticked_for = practitioner_client.get(edit).context["warning_codes"]
    assert ticked_for.split(",").count("vial.discarded_since") == 1
    Vial.objects.filter(pk=second.pk).update(
        discarded_at=timezone.now(), discard_reason="Rest of the vial"
    )
    refused = post_form(
        practitioner_client, edit, {**data, "action": "sign", "acknowledge": ticked_for}
    )
    assert refused.status_code == 200
    assert TreatmentSession.objects.get(pk=session.pk).status == "draft"
    assert "A warning came up after the box was ticked" in refused.content.decode()
    assert refused.context["acknowledged"] is False
    ticked_again = refused.context["warning_codes"]
    assert ticked_again.split(",").count("vial.discarded_since") == 2
    data = editor_data(practitioner_client, session)
    signed = post_form(
        practitioner_client, edit, {**data, "action": "sign", "acknowledge": ticked_again}
    )
    assert signed.status_code == 302, [f.message for f in signed.context["findings"]]
