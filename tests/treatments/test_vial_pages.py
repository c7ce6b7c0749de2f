"""The vial page's reconstitute and discard forms: a refused form is shown again with what
was typed and why (status 200, not a redirect that loses it); the same form sent twice
is answered as done, not as an error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessEvent
from tests.factories import UserFactory, VialFactory
from treatments import services
from treatments.models import Vial

pytestmark = pytest.mark.django_db

REASON = "Cold-chain excursion: fridge at 11 °C overnight"


def fresh_vial(practitioner):
    """A BOTOX 100 U vial not yet reconstituted."""
    return VialFactory(
        received_by=practitioner, reconstituted_at=None, diluent_ml=None, use_by=None
    )


def discard(client, vial, **overrides):
    data = {"reason": REASON, "wasted_units": "100"} | overrides
    return client.post(reverse("treatments:vial_discard", args=[vial.pk]), data, follow=True)


def reconstitute(client, vial, diluent_ml="2"):
    return client.post(
        reverse("treatments:vial_reconstitute", args=[vial.pk]),
        {"diluent_ml": diluent_ml},
        follow=True,
    )


# A refused form is shown again, with what was typed --------------------------------------


@pytest.mark.parametrize(
    ("wasted_units", "error"),
    [
        ("1.234", "Ensure that there are no more than 2 decimal places."),
        ("500", "Wasted units must be between 0 and the 100 U left"),
    ],
)
def test_a_refused_discard_keeps_the_reason_typed(
    practitioner_client, practitioner, wasted_units, error
):
    vial = VialFactory(received_by=practitioner)
    response = discard(practitioner_client, vial, wasted_units=wasted_units)
    assert response.status_code == 200 and not response.redirect_chain
    html = response.content.decode()
    assert REASON in html  # the reason as typed, in the form
    assert f'value="{wasted_units}"' in html
    assert error in html
    assert "<details open>" in html  # the discard panel is not folded away over its error
    assert Vial.objects.get(pk=vial.pk).discarded_at is None
    # The page shown again names the patients its sessions drew for: logged as a view.
    assert AccessEvent.objects.filter(action="vial.view", object_ref=f"pk={vial.pk}").exists()


def test_a_refused_reconstitution_keeps_the_volume_typed(practitioner_client, practitioner):
    vial = fresh_vial(practitioner)
    response = reconstitute(practitioner_client, vial, diluent_ml="2.555")
    assert response.status_code == 200 and not response.redirect_chain
    html = response.content.decode()
    assert 'value="2.555"' in html
    assert "Ensure that there are no more than 2 decimal places." in html
    assert Vial.objects.get(pk=vial.pk).reconstituted_at is None


def test_a_reconstitution_the_service_refuses_is_shown_with_the_volume(
    practitioner_client, practitioner
):
    vial = fresh_vial(practitioner)
    vial.expiry = timezone.localdate() - timedelta(days=1)
    vial.received_on = vial.expiry - timedelta(days=300)
    vial.save()
    response = reconstitute(practitioner_client, vial, diluent_ml="2.5")
    assert response.status_code == 200 and not response.redirect_chain
    html = response.content.decode()
    assert "past its expiry date" in html and 'value="2.5"' in html


def test_a_tenfold_volume_slip_is_refused_until_confirmed_as_intended(
    practitioner_client, practitioner
):
    """Browser review (07/12/2026): 25 mL typed for 2.5 mL into a 100 U BOTOX vial was
    recorded at once as 0.4 U per 0.1 mL, a strength every draw from it would trust. A
    strength outside the label's dilution table (reference data, with its source) is
    recorded only once confirmed; the box is offered only then."""
    vial = fresh_vial(practitioner)
    page = practitioner_client.get(reverse("treatments:vial_detail", args=[vial.pk]))
    assert 'type="checkbox" name="unusual_confirmed"' not in page.content.decode()
    response = reconstitute(practitioner_client, vial, diluent_ml="25")
    html = response.content.decode()
    assert response.status_code == 200 and not response.redirect_chain
    assert "100 U in 25 mL makes 0.4 U per 0.1 mL" in html
    assert "labelled dilutions make 1 to 20 U per 0.1 mL" in html and "[S11]" in html
    assert 'value="25"' in html and 'type="checkbox" name="unusual_confirmed"' in html
    assert Vial.objects.get(pk=vial.pk).reconstituted_at is None
    confirmed = practitioner_client.post(
        reverse("treatments:vial_reconstitute", args=[vial.pk]),
        {"diluent_ml": "25", "unusual_confirmed": "on"},
        follow=True,
    )
    assert "Reconstituted: 0.40 U per 0.1 mL" in confirmed.content.decode()
    assert Vial.objects.get(pk=vial.pk).diluent_ml == Decimal(25)


@pytest.mark.parametrize(
    ("slug", "units", "diluent", "unusual"),
    [
        ("botox", 100, "2.5", False),  # 4 U per 0.1 mL, the cosmetic dilution
        ("botox", 100, "10", False),  # OAB: 100 U in 10 mL [S19b]
        ("botox", 100, "0.25", True),  # 40 U per 0.1 mL: twice the table's strongest
        ("dysport", 500, "2.5", False),  # 200 U per mL
        ("dysport", 500, "25", True),
        ("azzalure", 125, "0.63", False),
        ("azzalure", 125, "1.25", True),
        ("xeomin", 100, "25", False),  # no table on file: no check
    ],
)
def test_the_dilution_check_follows_each_products_label(slug, units, diluent, unusual):
    from treatments.models import Product

    product = Product.objects.get(slug=slug)
    assert bool(services.dilution_problem(product, units, Decimal(diluent))) is unusual


def test_a_valid_discard_still_redirects(practitioner_client, practitioner):
    vial = VialFactory(received_by=practitioner)
    response = discard(practitioner_client, vial, wasted_units="100")
    assert response.redirect_chain == [(reverse("treatments:vial_detail", args=[vial.pk]), 302)]
    assert "Vial discarded and waste recorded." in response.content.decode()


# The same form sent twice ------------------------------------------------------------------


def test_a_discard_sent_twice_is_answered_as_done(practitioner_client, practitioner):
    vial = VialFactory(received_by=practitioner)
    discard(practitioner_client, vial)
    discarded = Vial.objects.get(pk=vial.pk)
    again = discard(practitioner_client, vial)
    html = again.content.decode()
    assert "already discarded, as you asked" in html
    assert "alert-danger" not in html
    assert Vial.objects.get(pk=vial.pk).discarded_at == discarded.discarded_at
    assert Vial.objects.get(pk=vial.pk).version == discarded.version


@pytest.mark.parametrize(
    "overrides", [{"reason": "Dropped"}, {"wasted_units": "50"}], ids=["reason", "units"]
)
def test_a_different_discard_of_a_discarded_vial_is_still_refused(
    practitioner_client, practitioner, overrides
):
    vial = VialFactory(received_by=practitioner)
    discard(practitioner_client, vial)
    html = discard(practitioner_client, vial, **overrides).content.decode()
    assert "This vial was already discarded." in html
    assert Vial.objects.get(pk=vial.pk).discard_reason == REASON


def test_another_user_s_discard_of_a_discarded_vial_is_still_refused(practitioner):
    vial = VialFactory(received_by=practitioner)
    fields = {"reason": REASON, "wasted_units": Decimal(100)}
    services.vial_discard(vial=vial, discarded_by=practitioner, **fields)
    other = UserFactory()
    with pytest.raises(Exception, match="already discarded"):
        services.vial_discard(vial=vial, discarded_by=other, **fields)


def test_a_reconstitution_sent_twice_is_answered_as_done(practitioner_client, practitioner):
    vial = fresh_vial(practitioner)
    reconstitute(practitioner_client, vial, "2")
    done = Vial.objects.get(pk=vial.pk)
    html = reconstitute(practitioner_client, vial, "2.00").content.decode()
    assert "Already recorded" in html and "5.00 U per 0.1 mL" in html
    assert "alert-danger" not in html
    after = Vial.objects.get(pk=vial.pk)
    assert (after.reconstituted_at, after.version) == (done.reconstituted_at, done.version)


def test_a_vial_of_a_product_without_an_in_use_time_says_it_has_no_use_by(
    practitioner_client, practitioner
):
    """Nurse review, 07/12/2026: a Bocouture vial reconstituted said "4.00 U per 0.1 mL." and
    nothing more; no in-use time is on record for it (to verify against the SmPC), so no
    use-by was worked out and the vial list could never say it was past one. Said after
    reconstituting and on the vial's page; a product with one shows its use-by as before."""
    from treatments.models import Product

    vial = VialFactory(
        product=Product.objects.get(slug="bocouture"), received_by=practitioner,
        reconstituted_at=None, diluent_ml=None, use_by=None,
    )  # fmt: skip
    assert vial.product.in_use_hours is None
    html = reconstitute(practitioner_client, vial, "2.5").content.decode()
    assert (
        "No use-by worked out: no in-use time is on record for Bocouture, so it is offered " in html
    )
    assert "for today&#x27;s sessions only." in html
    assert 'data-testid="no-use-by"' in html and "write the use-by on the vial" in html

    botox = fresh_vial(practitioner)
    html = reconstitute(practitioner_client, botox, "2").content.decode()
    assert ", use by " in html and "No use-by" not in html


def test_a_different_reconstitution_is_still_refused(practitioner_client, practitioner):
    vial = fresh_vial(practitioner)
    reconstitute(practitioner_client, vial, "2")
    html = reconstitute(practitioner_client, vial, "4").content.decode()
    assert "This vial was already reconstituted." in html
    assert Vial.objects.get(pk=vial.pk).diluent_ml == Decimal("2.00")


def test_another_user_s_reconstitution_is_still_refused(practitioner):
    vial = fresh_vial(practitioner)
    services.vial_reconstitute(vial=vial, diluent_ml=Decimal(2), reconstituted_by=practitioner)
    with pytest.raises(Exception, match="already reconstituted"):
        services.vial_reconstitute(vial=vial, diluent_ml=Decimal(2), reconstituted_by=UserFactory())


def test_reception_may_still_not_discard_or_reconstitute(reception_client, practitioner):
    vial = fresh_vial(practitioner)
    for name in ("treatments:vial_discard", "treatments:vial_reconstitute"):
        response = reception_client.post(
            reverse(name, args=[vial.pk]), {"reason": REASON, "wasted_units": "500"}
        )
        assert response.status_code == 403


def test_a_recall_finds_a_lot_typed_as_a_vials_label_and_lists_its_stock(
    practitioner_client, practitioner
):
    """Browser review (07/12/2026): the receive page has staff write "lot / number" on each
    carton; typed as it stands, the lookup said no session used it, in a recall."""
    from tests.factories import TreatmentSessionFactory
    from treatments.models import VialDraw

    used = VialFactory(received_by=practitioner, lot="C6056C3", lot_sequence=3)
    spare = VialFactory(received_by=practitioner, lot="C6056C3", lot_sequence=4)
    VialFactory(
        received_by=practitioner, lot="C6056C3", lot_sequence=5, discarded_at=timezone.now()
    )
    session = TreatmentSessionFactory(practitioner=practitioner, vial=used, signed=True)
    draw = VialDraw.objects.create(session=session, vial=used, units=Decimal(20))
    page = practitioner_client.get("/lots/", {"lot": " C6056C3/03 "}).content.decode()
    assert "Looked up lot <strong>C6056C3</strong>" in page
    assert draw.session.patient.record_number in page
    stock = page.split('data-testid="lot-stock"')[1].split("</ul>")[0]
    assert used.stock_label in stock and spare.stock_label in stock
    assert "C6056C3/05" not in stock  # discarded: not to set aside
    # The lot itself, or a lot with a slash that is not a vial's number, as typed.
    assert (
        "Looked up lot"
        not in practitioner_client.get("/lots/", {"lot": "C6056C3"}).content.decode()
    )
    from treatments.selectors import lot_of_label

    assert lot_of_label("AB/12X") == "AB/12X" and lot_of_label("/03") == "/03"
    # A real lot with a slash and digits (the receive form allows it) is that lot, not
    # a label of lot "AB" (the review, 07/12/2026).
    VialFactory(received_by=practitioner, lot="AB/12")
    assert lot_of_label("ab/12") == "ab/12" and lot_of_label("C6056C3/03") == "C6056C3"


def correct(client, vial, **overrides):
    vial.refresh_from_db()
    data = {"diluent_ml": "2.5", "reason": "2.5 mL was added, not 2 mL", "version": vial.version}
    return client.post(
        reverse("treatments:vial_correct_reconstitution", args=[vial.pk]),
        data | overrides,
        follow=True,
    )


def test_a_reconstitution_recorded_wrongly_is_corrected_until_a_signed_session_draws(
    practitioner_client, practitioner
):
    """Browser review (07/12/2026): the vial page offered no way to correct a volume
    recorded wrongly (2 mL for 2.5 mL is 5 for 4 U per 0.1 mL, both within the label).
    Corrected with what was wrong, kept in the vial's history; once a signed session drew
    from it the record stands (discard it if its strength is in doubt)."""
    from tests.factories import TreatmentSessionFactory
    from treatments.models import VialDraw

    vial = fresh_vial(practitioner)
    reconstitute(practitioner_client, vial, diluent_ml="2")
    page = practitioner_client.get(reverse("treatments:vial_detail", args=[vial.pk]))
    assert 'data-testid="correct-reconstitution"' in page.content.decode()
    refused = correct(practitioner_client, vial, reason="")
    assert (
        "What was wrong" in refused.content.decode() and "<details open" in refused.content.decode()
    )
    done = correct(practitioner_client, vial)
    assert "Reconstitution corrected: 2.5 mL, 4.00 U per 0.1 mL." in done.content.decode()
    vial.refresh_from_db()
    assert vial.diluent_ml == Decimal("2.5")
    last = vial.history.latest("history_date")
    assert (
        last.history_change_reason
        == "Reconstitution corrected from 2.00 mL: 2.5 mL was added, not 2 mL"
    )
    assert last.history_user == practitioner
    # A stale page (sent again after it was corrected): answered as done, nothing twice.
    again = practitioner_client.post(
        reverse("treatments:vial_correct_reconstitution", args=[vial.pk]),
        {"diluent_ml": "2.5", "reason": "again", "version": vial.version - 1},
        follow=True,
    )
    assert "Already corrected" in again.content.decode()
    assert vial.history.count() == Vial.objects.get(pk=vial.pk).history.count()
    # The volume already on record, or none at all, is no correction (the review: a zero
    # volume reached the strength's division; the same one was saved as a "correction").
    same = correct(practitioner_client, vial, diluent_ml="2.5")
    assert "2.5 mL is the volume on record: nothing to correct." in same.content.decode()
    vial.refresh_from_db()
    with pytest.raises(ValidationError, match="Enter the volume added"):
        services.vial_correct_reconstitution(
            vial=vial, diluent_ml=Decimal(0), reason="typo", corrected_by=practitioner,
            expected_version=vial.version,
        )  # fmt: skip
    # A tenfold slip is refused here too until confirmed.
    slip = correct(practitioner_client, vial, diluent_ml="25")
    assert "makes 0.4 U per 0.1 mL" in slip.content.decode()
    # A signed session drew from it: the record stands, and the page offers no correction.
    session = TreatmentSessionFactory(practitioner=practitioner, vial=vial, signed=True)
    VialDraw.objects.create(session=session, vial=vial, units=Decimal(20))
    stands = correct(practitioner_client, vial, diluent_ml="2")
    assert "that record stands" in stands.content.decode()
    assert Vial.objects.get(pk=vial.pk).diluent_ml == Decimal("2.5")
    page = practitioner_client.get(reverse("treatments:vial_detail", args=[vial.pk]))
    assert 'data-testid="correct-reconstitution"' not in page.content.decode()


# Opened from a draft session: the way back to it ------------------------------------------


def editor_path(session) -> str:
    return reverse("treatments:session_edit", args=[session.public_id])


def test_a_vial_reconstituted_from_a_draft_returns_to_it(practitioner_client, practitioner):
    """Browser review (07/12/2026): a practitioner sent from the session editor to the vial
    list to reconstitute a vial found no way back to the draft. The editor's link carries
    the draft (`next`); the list and the vial's page offer "Back to the session", and the
    reconstitution, once recorded, returns to the draft, where the vial is offered."""
    from tests.factories import TreatmentSessionFactory

    session = TreatmentSessionFactory(practitioner=practitioner, vial=None)
    fresh = fresh_vial(practitioner)
    back = editor_path(session)
    editor = practitioner_client.get(back).content.decode()
    vials_url = (
        f"{reverse('treatments:vials')}?product={session.product_id}&amp;next="
        + back.replace("/", "%2F")
    )
    assert vials_url in editor
    listed = practitioner_client.get(
        reverse("treatments:vials"), {"product": session.product_id, "next": back}
    ).content.decode()
    assert f'href="{back}">Back to the session</a>' in listed
    detail_url = (
        f"{reverse('treatments:vial_detail', args=[fresh.pk])}?next={back.replace('/', '%2F')}"
    )
    assert detail_url in listed  # the vial's row keeps the way back
    # ... and so do the list's tabs and its product filter (the review, 07/12/2026).
    assert (
        f"?show=all&amp;product={session.product_id}&amp;next={back.replace('/', '%2F')}" in listed
    )
    assert f'<input type="hidden" name="next" value="{back}">' in listed
    page = practitioner_client.get(
        reverse("treatments:vial_detail", args=[fresh.pk]), {"next": back}
    )
    html = page.content.decode()
    assert "once its reconstitution is recorded, you return to it" in html
    assert f'<input type="hidden" name="next" value="{back}">' in html
    response = practitioner_client.post(
        reverse("treatments:vial_reconstitute", args=[fresh.pk]), {"diluent_ml": "2", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    assert Vial.objects.get(pk=fresh.pk).reconstituted_at is not None
    draft = practitioner_client.get(back).content.decode()
    assert "Reconstituted: 5.00 U per 0.1 mL" in draft  # said on the draft, the vial offered
    assert f'value="{fresh.pk}"' in draft


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/sessions/x/edit/", "//evil.example/", "/patients/", "/no/such/page/"],
)
def test_a_next_that_is_not_a_draft_editor_is_ignored(practitioner_client, practitioner, elsewhere):
    fresh = fresh_vial(practitioner)
    listed = practitioner_client.get(reverse("treatments:vials"), {"next": elsewhere})
    assert 'data-testid="draft-back"' not in listed.content.decode()
    response = practitioner_client.post(
        reverse("treatments:vial_reconstitute", args=[fresh.pk]),
        {"diluent_ml": "2", "next": elsewhere},
    )
    assert response["Location"] == reverse("treatments:vial_detail", args=[fresh.pk])


def test_a_vial_received_from_a_draft_leads_back_to_it(practitioner_client, practitioner):
    """A powder goes to its vial's page first (to be reconstituted), keeping the way back;
    a ready-to-use solution returns to the draft at once."""
    from tests.factories import TreatmentSessionFactory
    from tests.treatments.test_stock_receipts import form_data, token_from
    from treatments.models import Product

    session = TreatmentSessionFactory(practitioner=practitioner, vial=None)
    back = editor_path(session)
    url = f"{reverse('treatments:vial_receive')}?next={back}"
    page = practitioner_client.get(url)
    assert f'<input type="hidden" name="next" value="{back}">' in page.content.decode()
    response = practitioner_client.post(
        url, form_data(quantity="1", submission_token=token_from(page), next=back)
    )
    vial = Vial.objects.get()
    assert response["Location"] == (
        f"{reverse('treatments:vial_detail', args=[vial.pk])}?next={back.replace('/', '%2F')}"
    )
    solution = Product.objects.get(slug="alluzience")
    Product.objects.filter(pk=solution.pk).update(on_formulary=True, presentations=[200])
    page = practitioner_client.get(url)
    response = practitioner_client.post(
        url,
        form_data(
            product=solution.pk,
            presentation_units="200",
            lot="AL2291",
            quantity="1",
            submission_token=token_from(page),
            next=back,
        ),
    )
    assert response.status_code == 302 and response["Location"] == back


def test_a_part_used_vial_is_discarded_with_the_waste_its_page_offers(
    practitioner_client, practitioner
):
    """Browser review, 07/12/2026: a vial two sessions drew 25.95 U each from offered
    "73.1000000000000" as its waste, the discard form refused that as more than 8 digits,
    and the summary read "51.90 U drawn + 0 U wasted = 51 U". SQLite sums decimals as
    floats: every total of units is read back to its 2 places (selectors.units_total), the
    waste offered is in the field's own places, and the sum is made in Python, not by the
    template's add filter (which reads decimals as whole numbers)."""
    from tests.factories import TreatmentSessionFactory
    from treatments import selectors
    from treatments.models import VialDraw

    # 2.7 mL in 100 U: 3.7 U per 0.1 mL, so 0.7 mL is 25.93 U; each drew 25.95 U.
    vial = VialFactory(received_by=practitioner, diluent_ml=Decimal("2.70"))
    for _ in range(2):
        session = TreatmentSessionFactory(practitioner=practitioner, vial=vial, signed=True)
        VialDraw.objects.create(session=session, vial=vial, units=Decimal("25.95"))
    drawn = selectors.vial_units_drawn(vial)
    assert drawn == Decimal("51.90") and drawn.as_tuple().exponent == -2
    assert selectors.vial_get(pk=vial.pk).drawn_units.as_tuple().exponent == -2

    url = reverse("treatments:vial_detail", args=[vial.pk])
    page = practitioner_client.get(url).content.decode()
    assert 'name="wasted_units" value="48.10"' in page
    assert "51.9 U drawn + 0 U wasted = 51.9 U of 100 U" in page
    assert "48.1 U left in the vial" in page

    response = discard(practitioner_client, vial, wasted_units="48.10")
    html = response.content.decode()
    assert response.redirect_chain and "Vial discarded and waste recorded." in html
    vial.refresh_from_db()
    assert (vial.wasted_units, vial.drawn_at_discard) == (Decimal("48.10"), Decimal("51.90"))
    assert "51.9 U drawn + 48.1 U wasted = 100 U of 100 U" in html
    assert "balanced" in html and "does not balance" not in html
    # The vial list says the same (its reconciliation badge summed with the add filter:
    # 51 + 48 is not 100).
    listed = practitioner_client.get(reverse("treatments:vials"), {"show": "all"})
    row = listed.content.decode().split(vial.stock_label, 1)[1].split("</tr>", 1)[0]
    assert ">51.9</td>" in row and ">48.1</td>" in row and "balanced" in row
    assert "does not balance" not in row


def test_a_vial_without_a_use_by_is_past_it_the_day_after_its_reconstitution(
    practitioner_client, practitioner
):
    """Nurse review, 07/12/2026: with no in-use time on record (Bocouture), a vial is offered
    on the day it was reconstituted only (DOMAIN §1.3), but the vial list never said
    "Past its use-by" the next day, as it does for a vial with a use-by."""
    from datetime import timedelta

    from django.utils import timezone

    from treatments.models import Product

    bocouture = Product.objects.get(slug="bocouture")
    today = VialFactory(
        product=bocouture, received_by=practitioner, use_by=None,
        reconstituted_at=timezone.now(),
    )  # fmt: skip
    yesterday = VialFactory(
        product=bocouture, received_by=practitioner, use_by=None,
        reconstituted_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    unopened = VialFactory(
        product=bocouture, received_by=practitioner, reconstituted_at=None, use_by=None
    )
    assert (today.is_past_use_by, yesterday.is_past_use_by) == (False, True)
    assert unopened.is_past_use_by is False
    listed = practitioner_client.get(reverse("treatments:vials")).content.decode()
    row = listed.split(yesterday.stock_label, 1)[1].split("</tr>", 1)[0]
    assert "Past its use-by: discard" in row
    row = listed.split(today.stock_label, 1)[1].split("</tr>", 1)[0]
    assert "Past its use-by" not in row


def test_a_vial_a_draft_draws_from_says_so_where_it_is_discarded(practitioner_client, practitioner):
    """The rest of a vial is discarded at the end of the injections, often before the draft
    is signed: its page marks the draft's units as planned and says the draft keeps the
    vial (signing asks to check it), where nothing told the practitioner or nurse that a
    discard would leave the draft's vial refused."""
    from tests.factories import TreatmentSessionFactory
    from treatments.models import VialDraw

    vial = VialFactory(received_by=practitioner)
    signed = TreatmentSessionFactory(practitioner=practitioner, vial=vial, signed=True)
    VialDraw.objects.create(session=signed, vial=vial, units=Decimal(20))
    url = reverse("treatments:vial_detail", args=[vial.pk])
    page = practitioner_client.get(url).content.decode()
    assert "discard-draft-note" not in page and "draft-draw" not in page

    draft = TreatmentSessionFactory(practitioner=practitioner, vial=vial)
    VialDraw.objects.create(session=draft, vial=vial, units=Decimal(30))
    page = practitioner_client.get(url).content.decode()
    assert page.count('data-testid="draft-draw"') == 1
    assert "the draft keeps this vial, and signing asks to check it" in page


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (lambda now: now + timedelta(hours=2), "That time is still to come"),
        (lambda now: now - timedelta(days=15), "Up to 14 days back can be recorded here."),
        (lambda now: now - timedelta(days=40), "it cannot have been made up before"),
        (lambda now: "31/02/2026 10:00", "Enter a real date and time as dd/mm/yyyy hh:mm"),
    ],
    ids=["future", "too-far-back", "before-received", "not-a-date"],
)
def test_a_made_up_time_typed_by_hand_is_checked(practitioner_client, practitioner, typed, said):
    """ "Made up at" (a vial made up and not recorded then): refused with a message, the
    volume typed kept, nothing recorded; empty, it is now."""
    vial = fresh_vial(practitioner)  # received 30 days ago
    value = typed(timezone.localtime())
    value = value if isinstance(value, str) else f"{value:%d/%m/%Y %H:%M}"
    url = reverse("treatments:vial_reconstitute", args=[vial.pk])
    response = practitioner_client.post(url, {"diluent_ml": "2.5", "reconstituted_at": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert said in html and 'value="2.5"' in html
    vial.refresh_from_db()
    assert vial.reconstituted_at is None
    practitioner_client.post(url, {"diluent_ml": "2.5", "reconstituted_at": ""})
    vial.refresh_from_db()
    assert abs(vial.reconstituted_at - timezone.now()) < timedelta(minutes=1)
