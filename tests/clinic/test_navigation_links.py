"""The main menu's links are rendered once per permission set, flags and page, and reused
(clinic.templatetags.navigation, issue 14.3): the page shows exactly what rendering them
afresh shows, for every role and page, and a role change shows on the next request."""

import re

import pytest
from django.template.loader import get_template

from clinic.roles import Role
from clinic.staff import services as staff
from clinic.templatetags import navigation
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<ul class="navbar-nav me-auto text-nowrap">.*?\n      </ul>', re.S)
PAGES = ["/", "/patients/", "/patients/new/", "/diary/", "/vials/", "/reports/dashboard/"]


def _menu(response) -> str:
    return MENU.search(response.content.decode())[0]


def _fresh_menu(response) -> str:
    """The links template rendered now for the page's request, bypassing the keep."""
    return get_template(navigation.NAV_LINKS).render({}, response.wsgi_request)


@pytest.mark.parametrize(
    "role", [Role.RECEPTION, Role.PRACTITIONER, Role.MANAGER, "superuser"], ids=str
)
def test_the_kept_menu_is_the_freshly_rendered_one(role):
    if role == "superuser":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        user = UserFactory(username=f"u-{role}", role=role)
    client = client_for(user)
    navigation._kept.clear()
    for _ in range(2):  # rendered, then kept
        for page in PAGES:
            response = client.get(page)
            if response.status_code != 200:
                continue
            assert _menu(response) == _fresh_menu(response).strip(), page
    active = _menu(client.get("/patients/"))
    assert 'class="nav-link active" href="/patients/"' in active


def test_a_role_change_changes_the_menu_on_the_next_request(superuser):
    reception = UserFactory(username="r1", role=Role.RECEPTION)
    client = client_for(reception)
    assert "Register patient" in _menu(client.get("/patients/"))
    # The system administrator's grant takes effect at once (a manager's waits for a
    # practitioner: test_staff_approvals.py).
    staff.staff_change_role(changed_by=superuser, user=reception, role=Role.PRACTITIONER)
    menu = _menu(client.get("/patients/"))
    assert "Register patient" not in menu and "Tasks" in menu
