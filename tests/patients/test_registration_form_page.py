"""The registration page as a receptionist and a screen reader meet it (issue 14.3: the
form is written by clinic/form_rendering.py, no longer by crispy's templates): one
statement to show it; every control has its label, its help and errors tied to it by
aria-describedby, required fields marked, the keyboard hints (inputmode, autocomplete);
a POST with errors shows everything typed again."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.patients.test_idempotency import _token_from
from tests.patients.test_views import form_data

pytestmark = pytest.mark.django_db
URL = reverse("patients:register")


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: dict[str, dict] = {}  # by id: visible inputs and selects
        self.labels: dict[str, str] = {}  # for -> label text
        self.ids: set[str] = set()
        self.values: dict[str, str] = {}  # name -> value / selected option
        self._label_for = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("input", "select") and attrs.get("type") != "hidden" and "name" in attrs:
            self.controls[attrs["id"]] = attrs
            if tag == "input" and attrs.get("type") != "checkbox":
                self.values[attrs["name"]] = attrs.get("value") or ""
        if tag == "select":
            self._select = attrs.get("name")
        if tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        if tag == "label":
            self._label_for = attrs.get("for")
            self.labels[self._label_for] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data


def _parse(response) -> _Form:
    form = _Form()
    form.feed(re.search(r"<form [^>]*patient-form.*?</form>", response.content.decode(), re.S)[0])
    return form


def test_showing_the_form_is_one_statement(reception_client, django_assert_num_queries):
    reception_client.get(URL)
    with django_assert_num_queries(1):  # the session with its user; the form reads nothing
        response = reception_client.get(URL)
    assert response.status_code == 200


def test_every_control_is_labelled_and_described(reception_client):
    typed = form_data(postcode="nonsense", family_name="", nhs_number="123")
    for response in (reception_client.get(URL), reception_client.post(URL, typed)):
        page = _parse(response)
        assert len(page.controls) == 24
        for control_id, attrs in page.controls.items():
            label = " ".join(page.labels[control_id].split())
            assert label, control_id
            required = "required" in attrs
            assert label.endswith("*") == required, (control_id, label)
            for described_by in attrs.get("aria-describedby", "").split():
                assert described_by in page.ids, (control_id, described_by)
        assert page.controls["id_given_names"]["autofocus"]
        assert page.controls["id_date_of_birth"]["inputmode"] == "numeric"
        assert page.controls["id_nhs_number"]["inputmode"] == "numeric"
        assert page.controls["id_phone"]["inputmode"] == "tel"
        assert page.controls["id_emergency_contact_phone"]["inputmode"] == "tel"
        for name in ("nhs_number", "phone", "postcode", "date_of_birth"):
            assert page.controls[f"id_{name}"]["autocomplete"] == "off"
        assert "id_nhs_number_helptext" in page.controls["id_nhs_number"]["aria-describedby"]
    errors = page.controls["id_postcode"]
    assert errors["aria-invalid"] == "true"
    assert errors["aria-describedby"] == "id_postcode_error"
    assert "is-invalid" in errors["class"]
    assert "is-invalid" not in page.controls["id_town"]["class"]


def test_a_post_with_errors_shows_everything_typed(reception_client):
    typed = form_data(
        postcode="nonsense", title="Dr", sex="male", address_line_2='Flat 2 "B" & <C>',
        referral_source="website", referral_detail="Searched online",
    )  # fmt: skip
    response = reception_client.post(
        URL, {**typed, "submission_token": _token_from(reception_client.get(URL))}
    )
    assert response.status_code == 200
    values = _parse(response).values
    for name, value in typed.items():
        assert values[name] == value, name
    assert _token_from(response)  # the same one-time token goes round again
