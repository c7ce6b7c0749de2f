"""Reference data in the admin: two managers never silently overwrite each other's
change (a stale form would put back every value it shows, a safety threshold among them)."""

import pytest

from tests.conftest import client_for
from tests.factories import UserFactory
from treatments.models import Product

pytestmark = pytest.mark.django_db


def _as_submitted(page) -> dict:
    """The admin change form as the browser submits it unchanged."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def test_a_save_from_a_form_opened_before_anothers_change_is_refused(manager_client):
    product = Product.objects.get(slug="botox")
    url = f"/admin/treatments/product/{product.pk}/change/"
    other = client_for(UserFactory(username="m2", role="Manager", is_staff=True))
    mine, theirs = _as_submitted(manager_client.get(url)), _as_submitted(other.get(url))
    original_hours = product.in_use_hours
    first = manager_client.post(url, mine | {"in_use_hours": "12"})
    assert first.status_code == 302
    stale = other.post(url, theirs | {"generic_name": "onabotulinumtoxinA (B)"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "Someone else changed this record" in page
    assert "onabotulinumtoxinA (B)" in page  # what they typed is still there
    product.refresh_from_db()
    assert product.in_use_hours == 12 != original_hours
    assert product.generic_name == "onabotulinumtoxinA"
    # Reloaded, their change goes through on top of the first.
    fresh = _as_submitted(other.get(url))
    assert other.post(url, fresh | {"generic_name": "onabotulinumtoxinA (B)"}).status_code == 302
    product.refresh_from_db()
    assert (product.in_use_hours, product.generic_name) == (12, "onabotulinumtoxinA (B)")


def test_an_older_version_can_still_be_reverted_to(manager_client):
    """The history's revert page shows an older copy: its form carries when the row was
    last changed as stored now, so reverting is not taken for a stale save."""
    product = Product.objects.get(slug="botox")
    url = f"/admin/treatments/product/{product.pk}/change/"
    for hours in ("12", "18"):
        data = _as_submitted(manager_client.get(url)) | {"in_use_hours": hours}
        assert manager_client.post(url, data).status_code == 302
    older = product.history.get(in_use_hours=12)
    revert = f"/admin/treatments/product/{product.pk}/history/{older.history_id}/"
    response = manager_client.post(revert, _as_submitted(manager_client.get(revert)))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.in_use_hours == 12
