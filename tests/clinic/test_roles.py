"""The role groups hold exactly what clinic/roles.py says, and every named permission exists."""

import pytest
from django.contrib.auth.models import Group, Permission

from clinic.roles import MATRIX, REFERENCE_MODELS, Role, sync_roles

pytestmark = pytest.mark.django_db


def test_every_matrix_permission_exists():
    # strict=True raises LookupError for a permission that no model defines.
    sync_roles(group_model=Group, permission_model=Permission, strict=True)


@pytest.mark.parametrize("role", list(Role))
def test_groups_match_matrix(role):
    group = Group.objects.get(name=role.value)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == set(MATRIX[role])


def test_sync_removes_permissions_added_by_hand():
    group = Group.objects.get(name=Role.RECEPTION.value)
    group.permissions.add(Permission.objects.get(codename="view_intakequestionnaire"))
    sync_roles(group_model=Group, permission_model=Permission)
    assert not group.permissions.filter(codename="view_intakequestionnaire").exists()


def test_sync_reads_the_permissions_in_one_query_and_skips_a_missing_one_when_lenient(
    django_assert_num_queries,
):
    """It runs after every migrate and after every flush of the test database: the
    permissions are read once, not one query per permission (about 140)."""
    # Per role: the group (get_or_create: 1), its permissions (set: read 1; nothing to
    # add or remove). Plus the one read of every permission.
    with django_assert_num_queries(1 + 2 * len(Role)):
        sync_roles(group_model=Group, permission_model=Permission)
    Permission.objects.filter(codename="lookup_lot").delete()
    with pytest.raises(LookupError, match=r"treatments\.lookup_lot"):
        sync_roles(group_model=Group, permission_model=Permission, strict=True)
    sync_roles(group_model=Group, permission_model=Permission, strict=False)
    held = set(Group.objects.get(name=Role.MANAGER.value).permissions.values_list("codename"))
    assert ("lookup_lot",) not in held and ("view_vial",) in held


def test_reception_cannot_read_clinical_records_or_edit_reference_data():
    reception = MATRIX[Role.RECEPTION]
    assert "patients.view_intakequestionnaire" not in reception
    # Only stock receiving and logging a phoned-in side effect (DOMAIN §7.3): no
    # sessions, no follow-ups, no reading side effects back, no reference edits.
    assert {p for p in reception if p.startswith("treatments.")} == {
        "treatments.view_vial",
        "treatments.add_vial",  # receives deliveries: a receipt of several vials (13.13)
        "treatments.add_sideeffect",
    }
    # Receiving is not clinical: no reconstitution or discards (change_vial), no recall
    # list of the patients a lot reached (lookup_lot).
    assert not {"treatments.change_vial", "treatments.lookup_lot"} & reception


def test_only_managers_edit_reference_data_and_nobody_deletes_it():
    reference = {f"treatments.{a}_{m}" for m in REFERENCE_MODELS for a in ("add", "change")}
    for role, perms in MATRIX.items():
        edits = perms & reference
        assert bool(edits) == (role is Role.MANAGER)
        assert not any(".delete_" in p for p in perms)


def test_managers_do_not_see_nhs_numbers_or_review_clinically():
    assert "patients.view_nhs_number" not in MATRIX[Role.MANAGER]
    assert "patients.review_intakequestionnaire" not in MATRIX[Role.MANAGER]
