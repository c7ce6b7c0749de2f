"""Receiving several vials of one lot at once (issue 13.13): one receipt (supplier,
delivery note, who, when), each vial numbered within its lot so that identical vials can be
told apart, all or nothing, once per form."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.clinic.test_query_counts import BASE
from tests.factories import VialFactory
from treatments import services
from treatments.models import Product, StockReceipt, Vial

pytestmark = pytest.mark.django_db

# stock_receive's queries whatever the quantity (listed in the test below).
SERVICE_QUERIES = 6 + (connection.vendor == "postgresql")


def botox():
    return Product.objects.get(slug="botox")


def receive(user, *, quantity=3, lot="c3709c3", **overrides):
    fields = {
        "presentation_units": 100,
        "lot": lot,
        "expiry": timezone.localdate() + timedelta(days=300),
        "quantity": quantity,
        "supplier": "Alliance Healthcare",
        "delivery_note": "DN482913",
        "received_by": user,
    }
    fields |= overrides
    if "product" not in fields:
        fields["product"] = botox()
    return services.stock_receive(**fields)


# The service ------------------------------------------------------------------------------


def test_quantity_makes_that_many_vials_with_distinct_labels_and_one_receipt(reception):
    receipt = receive(reception, quantity=3)
    vials = list(Vial.objects.filter(receipt=receipt).order_by("lot_sequence"))
    assert [v.stock_label for v in vials] == ["C3709C3/01", "C3709C3/02", "C3709C3/03"]
    assert [v.pk for v in receipt.vials_received] == [v.pk for v in vials]
    assert StockReceipt.objects.count() == 1
    assert (receipt.supplier, receipt.delivery_note, receipt.received_by) == (
        "Alliance Healthcare",
        "DN482913",
        reception,
    )
    assert receipt.received_on == timezone.localdate()
    assert {(v.received_by_id, v.received_on, v.lot, v.presentation_units) for v in vials} == {
        (reception.pk, timezone.localdate(), "C3709C3", 100)
    }
    # Each vial has its history row, written by who received it.
    assert all(v.history.get().history_user == reception for v in vials)


def test_a_second_delivery_of_the_same_lot_numbers_on(reception):
    receive(reception, quantity=2)
    second = receive(reception, quantity=2, delivery_note="DN500001")
    assert [v.stock_label for v in second.vials_received] == ["C3709C3/03", "C3709C3/04"]
    other_lot = receive(reception, quantity=1, lot="C1111C1")
    assert other_lot.vials_received[0].stock_label == "C1111C1/01"


@pytest.mark.parametrize("quantity", [0, -1, 51, 500])
def test_a_quantity_out_of_range_is_refused_with_a_message(reception, quantity):
    with pytest.raises(ValidationError) as refused:
        receive(reception, quantity=quantity)
    assert refused.value.message_dict == {"quantity": ["Receive between 1 and 50 vials at a time."]}
    assert not Vial.objects.exists() and not StockReceipt.objects.exists()


def test_a_receipt_needs_its_supplier_and_delivery_note(reception):
    with pytest.raises(ValidationError) as refused:
        receive(reception, supplier="  ", delivery_note="")
    assert set(refused.value.message_dict) == {"supplier", "delivery_note"}
    assert not StockReceipt.objects.exists()


def test_expired_stock_is_refused_before_anything_is_written(reception):
    with pytest.raises(ValidationError, match="expiry date must be after"):
        receive(reception, expiry=timezone.localdate() - timedelta(days=1))
    assert not Vial.objects.exists() and not StockReceipt.objects.exists()


def test_all_or_nothing(reception):
    """A failure while inserting the vials leaves no receipt and no vial behind."""
    with (
        mock.patch(
            "treatments.services.vials.bulk_create_with_history",
            side_effect=IntegrityError("boom"),
        ),
        pytest.raises(IntegrityError),
    ):
        receive(reception, quantity=5)
    assert not Vial.objects.exists() and not StockReceipt.objects.exists()


def test_receiving_fifty_vials_costs_the_same_queries_as_one(reception, django_assert_num_queries):
    product = botox()  # read outside the count
    # SAVEPOINT (the service's transaction), INSERT the receipt, MAX(lot_sequence) of the
    # lot, INSERT the vials (one statement, ids returned), INSERT their history rows (one
    # statement), RELEASE; +1 on PostgreSQL: the advisory lock serialising one lot's receipts.
    with django_assert_num_queries(SERVICE_QUERIES):
        receive(reception, quantity=1, product=product, lot="A1")
    with django_assert_num_queries(SERVICE_QUERIES):
        receive(reception, quantity=50, product=product, lot="A2")
    assert Vial.objects.filter(lot="A2").count() == 50


def test_existing_vials_keep_distinct_labels_in_a_lot(practitioner):
    """Vials made before receipts (factories stand in for them) still have labels."""
    first, second = VialFactory(lot="OLD1"), VialFactory(lot="OLD1")
    assert first.stock_label != second.stock_label
    assert first.receipt is None


# The page ---------------------------------------------------------------------------------


def form_data(**overrides):
    return {
        "product": botox().pk,
        "presentation_units": "100",
        "lot": "C3709C3",
        "expiry": (timezone.localdate() + timedelta(days=300)).strftime("%d/%m/%Y"),
        "quantity": "3",
        "supplier": "Alliance Healthcare",
        "delivery_note": "DN482913",
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
    } | overrides


def token_from(response) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', response.content.decode())[1]


def test_the_form_asks_for_quantity_supplier_and_delivery_note(reception_client):
    page = reception_client.get(reverse("treatments:vial_receive")).content.decode()
    for name in ("quantity", "supplier", "delivery_note", "lot", "expiry", "received_on"):
        assert f'name="{name}"' in page
    assert 'max="50"' in page


def test_reception_receives_three_vials_and_the_list_tells_them_apart(reception_client):
    url = reverse("treatments:vial_receive")
    response = reception_client.post(
        url, form_data(submission_token=token_from(reception_client.get(url)))
    )
    assert response.status_code == 302
    receipt = StockReceipt.objects.get()
    assert response["Location"] == f"{reverse('treatments:vials')}?receipt={receipt.pk}"
    page = reception_client.get(response["Location"]).content.decode()
    assert "Received 3 vials of" in page and "C3709C3/01 to C3709C3/03" in page
    for label in ("C3709C3/01", "C3709C3/02", "C3709C3/03"):
        assert page.count(label) >= 1
    assert page.count('class="table-success"') == 3  # the vials just received stand out
    assert "Alliance Healthcare · note DN482913" in page


def test_a_single_vial_goes_on_to_its_own_page(reception_client):
    url = reverse("treatments:vial_receive")
    response = reception_client.post(url, form_data(quantity="1"))
    vial = Vial.objects.get()
    assert response["Location"] == reverse("treatments:vial_detail", args=[vial.pk])
    page = reception_client.get(response["Location"]).content.decode()
    assert "Received 1 vial of BOTOX 100 U (C3709C3/01), delivery note DN482913." in page


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("expiry", "31/12/9999", "an expiry date cannot be after 31/12/2199"),
        ("received_on", "01/01/0001", "Please check the year: enter a date between"),
    ],
)
def test_an_implausible_receipt_date_is_refused(reception_client, field, typed, error):
    response = reception_client.post(
        reverse("treatments:vial_receive"), form_data(**{field: typed})
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Vial.objects.exists()


def test_a_double_click_receives_the_vials_once(reception_client):
    url = reverse("treatments:vial_receive")
    data = form_data(submission_token=token_from(reception_client.get(url)))
    first = reception_client.post(url, data)
    second = reception_client.post(url, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Vial.objects.count() == 3 and StockReceipt.objects.count() == 1
    page = reception_client.get(second["Location"]).content.decode()
    assert "already been sent" in page
    # The page the second answer leads to says what the first one received (from the rows).
    assert "Received 3 vials of BOTOX 100 U (C3709C3/01 to C3709C3/03)" in page


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "greater than or equal to 1"), ("51", "less than or equal to 50"), ("x", "whole")],
)
def test_a_bad_quantity_is_a_form_error_with_everything_kept(reception_client, quantity, message):
    url = reverse("treatments:vial_receive")
    response = reception_client.post(url, form_data(quantity=quantity, lot="KEEPME1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'value="KEEPME1"' in page
    assert not Vial.objects.exists()


def test_the_vial_page_shows_its_label_and_delivery(practitioner_client, practitioner):
    vial = receive(practitioner, quantity=2).vials_received[1]
    page = practitioner_client.get(reverse("treatments:vial_detail", args=[vial.pk]))
    text = page.content.decode()
    assert "Vial C3709C3/02" in text
    assert "Alliance Healthcare, delivery note DN482913" in text


def test_the_session_vial_picker_names_each_vial_by_its_label(practitioner):
    from treatments.forms import vial_label

    vial = VialFactory(lot="C3709C3", lot_sequence=7)
    assert "vial C3709C3/07" in vial_label(vial)


# Pinned query counts ----------------------------------------------------------------------


def count_queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("quantity", ["1", "20"])
def test_receive_post_query_count(reception_client, quantity):
    url = reverse("treatments:vial_receive")
    data = form_data(submission_token=token_from(reception_client.get(url)), quantity=quantity)
    response, queries = count_queries(reception_client, "post", url, data)
    assert response.status_code == 302
    assert Vial.objects.count() == int(quantity)
    # BASE, the product choice (1), then one transaction (SAVEPOINT ... RELEASE, 2): the
    # submission token claimed in one INSERT ... ON CONFLICT DO NOTHING (1), the service's
    # (6, +1 lock on PostgreSQL: see above), the token's result URL (1); for one vial, the
    # success message saved in the session (1): several vials go to the list, which says
    # what was received from the rows (?receipt=). The same for 2 vials or 20.
    message = 1 if quantity == "1" else 0
    assert len(queries) == BASE + 1 + 2 + 1 + SERVICE_QUERIES + 1 + message, queries


@pytest.mark.parametrize("vials", [1, 55])
def test_stock_list_query_count_does_not_grow_with_vials(reception_client, reception, vials):
    receive(reception, quantity=min(vials, 50))
    if vials > 50:
        receive(reception, quantity=vials - 50, delivery_note="DN2")
    # BASE + the vials with their product and receipt joined and their draws summed, and the
    # products for the filter.
    response, queries = count_queries(reception_client, "get", reverse("treatments:vials"))
    assert response.status_code == 200
    assert response.content.decode().count('class="font-monospace text-nowrap"') == vials
    assert len(queries) == BASE + 2, queries


# Two receptionists booking in the same lot at once (PostgreSQL: real transactions) ---------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the products are kept
@pytest.mark.parametrize("round_", range(3))
def test_concurrent_receipts_of_one_lot_number_their_vials_apart(round_):
    """The advisory lock serialises receipts of one lot: the second numbers after the
    first, never the same labels (which the unique constraint would refuse with a 500)."""
    from tests.factories import UserFactory
    from tests.patients.test_idempotency import _in_threads

    desks = [UserFactory(username=f"desk{n}", role="Reception") for n in (1, 2)]
    lot = f"RACE{round_}"
    results = _in_threads(*(lambda user=user: receive(user, quantity=5, lot=lot) for user in desks))
    assert all(isinstance(r, StockReceipt) for r in results), results
    numbers = sorted(Vial.objects.filter(lot=lot).values_list("lot_sequence", flat=True))
    assert numbers == list(range(1, 11))


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999999", "-1", "abc"])
def test_a_receipt_number_that_is_not_one_just_lists_the_vials(manager_client, value):
    """`?receipt=` from a hand-edited address: "²" passes str.isdigit() but not int(), and
    a number past the id column's range fails in the database; the list shows, no 500."""
    response = manager_client.get("/vials/", {"receipt": value})
    assert response.status_code == 200
    assert response.context["received"] is None


def test_the_vial_list_leaves_out_the_received_column_on_an_ipad(manager_client):
    # At 820 px the supplier and delivery note under each date made the table 44 px wider
    # than the screen, "Reconciliation" cut to "Reconcilia..."; the vial's page has them.
    page = manager_client.get("/vials/").content.decode()
    assert '<th class="d-none d-lg-table-cell">Received</th>' in page


def test_the_vial_list_shows_a_hundred_vials_a_page_soonest_expiry_first(manager_client, manager):
    """A clinic group's fridges can hold over a thousand open vials (the list drew 300 of
    1,611 in 80 ms): 100 a page, soonest expiry first, page links that keep the filter."""
    today = timezone.localdate()
    VialFactory.create_batch(99, received_by=manager, expiry=today + timedelta(days=300))
    soonest = VialFactory(received_by=manager, expiry=today + timedelta(days=30), lot="SOON1")
    latest = VialFactory(received_by=manager, expiry=today + timedelta(days=600), lot="LATE1")
    first = manager_client.get("/vials/")
    labels = [v.stock_label for v in first.context["vials"].rows]
    assert len(labels) == 100 and labels[0] == soonest.stock_label
    assert latest.stock_label not in labels
    assert 'href="?page=2"' in first.content.decode()
    second = manager_client.get("/vials/", {"show": "all", "page": 2})
    assert [v.stock_label for v in second.context["vials"].rows] == [latest.stock_label]
    assert 'href="?show=all&amp;page=1"' in second.content.decode()


def test_vials_just_received_show_above_the_pages_whatever_their_expiry(
    reception_client, reception
):
    """A receipt's vials may expire later than a page's worth of open vials (the list is
    soonest expiry first, 100 a page): the list shows them above its pages."""
    from treatments.views.vials import VIALS_PER_PAGE

    soon = timezone.localdate() + timedelta(days=60)
    receive(reception, quantity=50, lot="SOON1", expiry=soon)
    receive(reception, quantity=VIALS_PER_PAGE - 50, lot="SOON2", expiry=soon, delivery_note="DN2")
    late = receive(reception, quantity=2, lot="LATE1", delivery_note="DN3")
    page = reception_client.get(f"{reverse('treatments:vials')}?receipt={late.pk}")
    text = page.content.decode()
    assert "Received 2 vials of BOTOX 100 U (LATE1/01 to LATE1/02)" in text
    just = text[text.index('data-testid="receipt-vials"') : text.index('data-testid="vial-list"')]
    assert "LATE1/01" in just and "LATE1/02" in just and "SOON1" not in just
    listed = text[text.index('data-testid="vial-list"') :]
    assert "LATE1/01" not in listed  # page 1 is the soonest expiring: the table above has them
    # Without ?receipt= (or with a receipt that does not exist) there is no such table.
    for url in (reverse("treatments:vials"), f"{reverse('treatments:vials')}?receipt=999999"):
        assert 'data-testid="receipt-vials"' not in reception_client.get(url).content.decode()


# One product's vials (?product=): where the session editor's links send a practitioner --


def test_the_vial_list_shows_one_products_vials_and_keeps_the_choice(manager_client, manager):
    azzalure = Product.objects.get(slug="azzalure")
    VialFactory.create_batch(2, received_by=manager, lot="BTX1")
    VialFactory(received_by=manager, product=azzalure, presentation_units=125, lot="AZZ1")
    VialFactory(
        received_by=manager,
        product=azzalure,
        presentation_units=125,
        lot="AZZ2",
        discarded_at=timezone.now(),
        discard_reason="Dropped",
    )
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get("/vials/", {"product": azzalure.pk})
    assert len(queries) == BASE + 2  # the vials, the products for the filter
    page = response.content.decode()
    assert [v.lot for v in response.context["vials"].rows] == ["AZZ1"]
    assert f'<option value="{azzalure.pk}" selected>Azzalure</option>' in page
    # The open / all pills keep the product, and the product form keeps open / all.
    assert f'href="?show=all&amp;product={azzalure.pk}"' in page
    assert '<input type="hidden" name="show" value="open">' in page
    every = manager_client.get("/vials/", {"product": azzalure.pk, "show": "all"})
    assert sorted(v.lot for v in every.context["vials"].rows) == ["AZZ1", "AZZ2"]
    # "All products" is every product's open vials, as the list always showed.
    listed = manager_client.get("/vials/", {"product": ""}).context["vials"].rows
    assert sorted(v.lot for v in listed) == ["AZZ1", "BTX1", "BTX1"]


@pytest.mark.parametrize("value", ["999999", "abc", "²", "-1", "99999999999999999999999"])
def test_a_product_that_is_not_one_says_so_and_lists_every_vial(manager_client, manager, value):
    VialFactory(received_by=manager, lot="BTX1")
    response = manager_client.get("/vials/", {"product": value})
    assert response.status_code == 200
    page = response.content.decode()
    # The message is the select's description (Django's <auto_id>_error), the select invalid.
    assert 'id="id_product_error"' in page and 'aria-describedby="id_product_error"' in page
    assert 'aria-invalid="true"' in page
    assert [v.lot for v in response.context["vials"].rows] == ["BTX1"]


def test_the_filter_offers_the_formulary_and_any_product_with_vials(manager_client, manager):
    """Not the reference list's US-only products the clinic never stocked; a product taken
    off the formulary while vials of it are in the fridge stays (by brand, any case), and
    so does one whose vials were all discarded (the "All" list has them). The stocked
    products are found by stepping through the vials' product index, product by product:
    three off the formulary, apart in id, each is found."""
    VialFactory(received_by=manager, product=Product.objects.get(slug="alluzience"))
    VialFactory(received_by=manager, product=Product.objects.get(slug="letybo"))
    VialFactory(
        received_by=manager,
        product=Product.objects.get(slug="jeuveau"),
        discarded_at=timezone.now(),
        discard_reason="Out of date",
    )
    choices = manager_client.get("/vials/").context["filters"].form.fields["product"].choices
    brands = [label for value, label in choices if value]
    assert brands == [
        "Alluzience",
        "Azzalure",
        "Bocouture",
        "BOTOX",
        "Dysport",
        "Jeuveau",
        "Letybo",
        "Vistabel",
        "Xeomin",
    ]


def test_all_vials_lists_those_in_stock_before_the_discarded(manager_client, manager):
    """On PostgreSQL a NULL sorts last: ordered by discarded_at, "All" began with the
    discarded vials."""
    today = timezone.localdate()
    VialFactory(
        received_by=manager,
        lot="GONE1",
        expiry=today + timedelta(days=10),
        discarded_at=timezone.now(),
        discard_reason="Dropped",
    )
    VialFactory(received_by=manager, lot="KEPT1", expiry=today + timedelta(days=300))
    rows = manager_client.get("/vials/", {"show": "all"}).context["vials"].rows
    assert [v.lot for v in rows] == ["KEPT1", "GONE1"]
