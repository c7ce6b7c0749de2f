"""DOMAIN §10 rule 29b: a manager records on the staff page a practitioner's professional
registration (registered medical practitioner, GMC; or registered nurse, dentist or
pharmacist, who may treat a child on a doctor's directions), which takes effect when another
practitioner confirms it (test_staff_approvals.py); each change is in the account's
history."""

import pytest
from django.urls import reverse

from clinic.roles import Role
from clinic.staff.choices import StaffChangeKind
from clinic.staff.models import StaffApproval, StaffChange, StaffProfile
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What the staff page shows, and sends back, for an account with no registration.
SHOWN_NONE = {"shown_registration": "none recorded"}


def confirmed_by_a_colleague(member):
    """Another practitioner presses Confirm on their home page."""
    colleague = UserFactory(username="colleague", role=Role.PRACTITIONER)
    approval = StaffApproval.objects.get(subject=member, outcome="")
    client_for(colleague).post(
        reverse("staff:approval_decide", args=[approval.pk]), {"decision": "confirm"}
    )
    return colleague


@pytest.fixture
def amelia(db):
    return UserFactory(
        username="amelia.hart", first_name="Amelia", last_name="Hart", role=Role.PRACTITIONER
    )


def test_a_manager_records_a_practitioner_as_a_doctor_and_it_is_in_the_history(
    manager, manager_client, amelia
):
    url = reverse("staff:detail", args=[amelia.pk])
    page = manager_client.get(url).content.decode()
    assert "Registered medical practitioner (on the GMC register)" in page
    response = manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {"registered_medical_practitioner": "on", "gmc_number": "1234567", **SHOWN_NONE},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "professional registration as registered medical practitioner (GMC 1234567) asked "
        "for: a practitioner is to confirm it." in page
    )
    assert not StaffProfile.objects.filter(user=amelia).exists()
    colleague = confirmed_by_a_colleague(amelia)
    profile = StaffProfile.objects.get(user=amelia)
    assert profile.registered_medical_practitioner and profile.gmc_number == "1234567"
    change = StaffChange.objects.filter(subject=amelia).order_by("id").last()
    assert (change.kind, change.actor, change.from_role, change.to_role) == (
        StaffChangeKind.DOCTOR_STATUS_CHANGED,
        colleague,
        "none recorded",
        "registered medical practitioner (GMC 1234567)",
    )
    page = manager_client.get(url).content.decode()
    assert "Yes (GMC 1234567)" in page  # the account card
    # And back: recorded too.
    manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {"gmc_number": "", "shown_registration": "registered medical practitioner (GMC 1234567)"},
    )
    profile.refresh_from_db()
    assert not profile.registered_medical_practitioner and profile.gmc_number == ""
    # Asked for, confirmed by the colleague, and taken away (at once: it grants nothing).
    assert StaffChange.objects.filter(subject=amelia).count() == 3


def test_a_bad_gmc_number_is_refused_and_nothing_changes(manager_client, amelia):
    response = manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {"registered_medical_practitioner": "on", "gmc_number": "12AB", **SHOWN_NONE},
        follow=True,
    )
    assert "A GMC number is 7 digits" in response.content.decode()
    assert not StaffProfile.objects.exists() and not StaffChange.objects.exists()


def test_only_a_practitioner_is_recorded_as_a_doctor(manager_client, reception):
    page = manager_client.get(reverse("staff:detail", args=[reception.pk])).content.decode()
    assert "GMC register" not in page  # no form for a receptionist
    response = manager_client.post(
        reverse("staff:registration", args=[reception.pk]),
        {"registered_medical_practitioner": "on", **SHOWN_NONE},
        follow=True,
    )
    assert "is not a practitioner" in response.content.decode()
    assert not StaffProfile.objects.exists() and not StaffChange.objects.exists()


def test_practitioners_and_reception_cannot_set_it(practitioner_client, reception_client, amelia):
    url = reverse("staff:registration", args=[amelia.pk])
    for client in (practitioner_client, reception_client):
        assert client.post(url, {"registered_medical_practitioner": "on"}).status_code == 403
    assert not StaffProfile.objects.exists()


def test_a_manager_records_a_registered_nurse_and_it_is_in_the_history(
    manager, manager_client, amelia
):
    response = manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {"regulated_profession": "nurse", "registration_number": "12a3456e", **SHOWN_NONE},
        follow=True,
    )
    assert "asked for: a practitioner is to confirm it." in response.content.decode()
    confirmed_by_a_colleague(amelia)
    page = manager_client.get(reverse("staff:detail", args=[amelia.pk])).content.decode()
    profile = StaffProfile.objects.get(user=amelia)
    assert (profile.regulated_profession, profile.registration_number) == ("nurse", "12A3456E")
    assert not profile.registered_medical_practitioner and profile.is_regulated
    change = StaffChange.objects.filter(subject=amelia).order_by("id").last()
    assert change.to_role == "registered nurse (NMC 12A3456E)"
    assert 'data-testid="member-profession">Registered nurse (NMC), 12A3456E' in page


def test_a_bad_registration_number_or_profession_is_refused(manager_client, amelia):
    for data, message in (
        ({"regulated_profession": "nurse", "registration_number": "12-34"}, "letters and digits"),
        ({"regulated_profession": "beautician"}, "Select a valid choice"),
    ):
        response = manager_client.post(
            reverse("staff:registration", args=[amelia.pk]), {**data, **SHOWN_NONE}, follow=True
        )
        assert message in response.content.decode()
    assert not StaffProfile.objects.exists() and not StaffChange.objects.exists()


def test_history_rows_from_before_the_professions_still_read(amelia, manager):
    old = StaffChange.objects.create(
        actor=manager,
        subject=amelia,
        kind=StaffChangeKind.DOCTOR_STATUS_CHANGED,
        from_role="no",
        to_role="yes (GMC 1234567)",
    )
    assert old.description == (
        "Professional registration changed from none recorded to registered medical "
        "practitioner (GMC 1234567)"
    )


def test_an_older_page_does_not_undo_a_registration_changed_meanwhile(
    manager, manager_client, amelia
):
    """Review 05/12: manager A's page still shows Priya as a registered nurse; manager B
    records that the registration lapsed; A's save must not bring it back silently (rule
    29b reads it)."""
    StaffProfile.objects.create(user=amelia, regulated_profession="nurse")
    shown = "registered nurse (NMC)"
    page = manager_client.get(reverse("staff:detail", args=[amelia.pk])).content.decode()
    assert f'name="shown_registration" value="{shown}"' in page
    other = UserFactory(username="second.manager", role=Role.MANAGER)
    client_for(other).post(
        reverse("staff:registration", args=[amelia.pk]), {"shown_registration": shown}
    )
    assert StaffProfile.objects.get(user=amelia).regulated_profession == ""
    response = manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {
            "regulated_profession": "nurse",
            "registration_number": "12A3456E",
            "shown_registration": shown,
        },
        follow=True,
    )
    assert "changed to none recorded by someone else since you opened this page" in (
        response.content.decode()
    )
    assert StaffProfile.objects.get(user=amelia).regulated_profession == ""


def test_a_registration_without_what_the_page_showed_is_refused(manager_client, amelia):
    response = manager_client.post(
        reverse("staff:registration", args=[amelia.pk]),
        {"regulated_profession": "nurse"},
        follow=True,
    )
    assert "This page is out of date" in response.content.decode()
    assert not StaffProfile.objects.exists()
