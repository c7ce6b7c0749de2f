"""Staff accounts beyond the staff page: Django's user and group admin for superusers only,
the services that never grant superuser or staff status, the pages' pinned query counts,
and each person's own account history."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clinic.roles import Role
from clinic.staff import services
from tests.clinic.test_staff import NEW_PASSWORD, _roles
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# Django's user and group admin: superusers only ---------------------------------------


def test_user_and_group_admin_refuse_managers(manager, manager_client, nurse):
    for url in (
        "/admin/auth/user/",
        f"/admin/auth/user/{manager.pk}/change/",
        f"/admin/auth/user/{nurse.pk}/change/",
        f"/admin/auth/user/{nurse.pk}/password/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/staff/staffchange/",
    ):
        assert manager_client.get(url).status_code == 403, url
    response = manager_client.post(
        f"/admin/auth/user/{manager.pk}/change/",
        {
            "username": manager.username,
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "01/01/2026",
            "date_joined_1": "09:00",
        },
    )
    assert response.status_code == 403
    response = manager_client.post(
        f"/admin/auth/user/{nurse.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    manager.refresh_from_db()
    nurse.refresh_from_db()
    assert not manager.is_superuser
    assert not nurse.check_password(NEW_PASSWORD)
    index = manager_client.get("/admin/").content.decode()
    assert "/admin/auth/" not in index  # the section is not offered


def test_user_and_group_admin_work_for_a_superuser(superuser, nurse):
    client = client_for(superuser)
    for url in (
        "/admin/auth/user/",
        f"/admin/auth/user/{nurse.pk}/change/",
        f"/admin/auth/user/{nurse.pk}/password/",
        "/admin/auth/group/",
        "/admin/staff/staffchange/",
    ):
        assert client.get(url).status_code == 200, url
    # The staff history stays read-only, even for a superuser.
    assert client.get("/admin/staff/staffchange/add/").status_code == 403


def test_a_superuser_cannot_delete_a_staff_account_in_the_admin(superuser, manager):
    """Security review 07/12/2026: the admin deleted an account whose only trace was in the
    change history, and `history_user` (SET_NULL) was blanked on its rows: who changed a
    product or a dose guideline was lost (on PostgreSQL the runtime role's UPDATE of a
    history table is refused: a 500). Accounts are deactivated on the staff page."""
    from treatments.models import Product

    product = Product.objects.first()  # reference data, seeded by the migrations
    product._history_user = manager
    product.save()
    client = client_for(superuser)
    assert client.get(f"/admin/auth/user/{manager.pk}/delete/").status_code == 403
    assert client.post(f"/admin/auth/user/{manager.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [manager.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert get_user_model().objects.filter(pk=manager.pk).exists()
    assert Product.history.filter(history_user=manager).exists()


# Services: the rules hold without the views -------------------------------------------


def test_services_never_set_superuser_staff_or_permissions(manager):
    link = services.staff_create(
        created_by=manager,
        username="lee",
        first_name="Lee",
        last_name="Chan",
        role=Role.MANAGER,
        base_url="https://clinic.example",
    )
    member = link.user
    services.staff_change_role(changed_by=manager, user=member, role=Role.RECEPTION)
    services.staff_deactivate(deactivated_by=manager, user=member)
    services.staff_reactivate(reactivated_by=manager, user=member)
    member.refresh_from_db()
    assert not (member.is_superuser or member.is_staff or member.user_permissions.exists())
    assert _roles(member) == {"Reception"}
    assert link.url.startswith("https://clinic.example/staff/password/")


# Query counts -------------------------------------------------------------------------


def _staff_page_queries(client, django_assert_num_queries):
    client.get("/staff/")  # warm: the session's first-request writes are not counted
    # 1 session with its user (roles and permissions from the session's access snapshot,
    # clinic.session_store), 2 the accounts with their two-factor flag (one subquery),
    # 3 the role groups of all of them (one prefetch).
    with django_assert_num_queries(3):
        assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize("extra", [0, 29])
def test_staff_list_query_count_is_pinned(extra, manager_client, django_assert_num_queries):
    for n in range(extra):
        UserFactory(username=f"staff{n}", role=list(Role)[n % 3])
    assert get_user_model().objects.count() == extra + 1
    _staff_page_queries(manager_client, django_assert_num_queries)


def test_staff_detail_query_count_does_not_grow_with_history(
    manager, manager_client, nurse, django_assert_num_queries
):
    url = reverse("staff:detail", args=[nurse.pk])
    manager_client.get(url)
    # 1 as on every page, 2 the account with its two-factor flag, 3 its role groups,
    # 4 its changes with who made them.
    with django_assert_num_queries(4):
        manager_client.get(url)
    for _ in range(30):
        services.staff_deactivate(deactivated_by=manager, user=nurse)
        services.staff_reactivate(reactivated_by=manager, user=nurse)
    # + 1 the grant waiting for a practitioner (a practitioner reactivated by a manager:
    # test_staff_approvals.py), however long the history
    with django_assert_num_queries(5):
        assert manager_client.get(url).status_code == 200


def test_each_person_sees_their_own_account_history_on_their_account_page(
    manager, manager_client, nurse
):
    services.staff_change_role(changed_by=manager, user=nurse, role=Role.RECEPTION)
    page = client_for(nurse).get(reverse("account")).content.decode()
    assert "Changes to your account" in page
    assert "Role changed from Practitioner to Reception" in page
    own = manager_client.get(reverse("account")).content.decode()
    assert "No changes recorded." in own and "Role changed" not in own
