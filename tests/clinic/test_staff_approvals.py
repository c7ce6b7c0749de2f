"""Clinical authority takes two people (security review 07/12/2026: a manager created a
practitioner account without an email, took its set-password link, signed in as it and
opened sessions; and recorded it as a registered doctor, which lets it direct the treatment
of under-18s, rule 29b). A manager's grant of the Practitioner role or of a professional
registration waits for another practitioner to confirm it; a superuser's takes effect at
once; a refusal, a second press and a change made since are each said."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.roles import Role
from clinic.staff import selectors, services
from clinic.staff.choices import ApprovalOutcome, StaffChangeKind
from clinic.staff.models import StaffApproval, StaffChange, StaffProfile
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


def made_by(manager, username="fakedoc", role=Role.PRACTITIONER):
    return services.staff_create(
        created_by=manager,
        username=username,
        first_name="Fake",
        last_name="Doc",
        role=role,
        base_url=BASE,
    ).user


def waiting(user):
    return StaffApproval.objects.get(subject=user, outcome=ApprovalOutcome.WAITING)


def test_a_practitioner_made_by_a_manager_has_no_role_until_confirmed(manager, practitioner):
    account = made_by(manager)
    assert selectors.current_role_of(account) == ""
    assert not account.has_perm("treatments.add_treatmentsession")
    # Signed in with the link's password, the account opens nothing clinical.
    account.set_password("a long enough password 1")
    account.save()
    client = client_for(account)
    assert client.get(reverse("treatments:side_effect_queue")).status_code == 403
    home = client.get("/").content.decode()
    assert 'data-testid="waiting-mine"' in home

    services.staff_approval_decide(
        decided_by=practitioner, approval_pk=waiting(account).pk, confirm=True
    )
    account = type(account).objects.get(pk=account.pk)
    assert selectors.current_role_of(account) == "Practitioner"
    assert account.has_perm("treatments.add_treatmentsession")
    confirmed = StaffChange.objects.filter(subject=account).order_by("-id").first()
    assert (confirmed.kind, confirmed.actor, confirmed.to_role) == (
        StaffChangeKind.ROLE_CHANGED,
        practitioner,
        "Practitioner",
    )


def test_other_roles_a_manager_gives_take_effect_at_once(manager):
    account = made_by(manager, "desk2", role=Role.RECEPTION)
    assert selectors.current_role_of(account) == "Reception"
    assert not StaffApproval.objects.exists()


def test_a_superusers_grant_takes_effect_at_once(superuser):
    account = made_by(superuser)
    assert selectors.current_role_of(account) == "Practitioner"
    assert not StaffApproval.objects.exists()


def test_a_role_change_to_practitioner_waits_and_keeps_the_old_role(manager, practitioner):
    desk = UserFactory(username="desk3", role=Role.RECEPTION)
    change = services.staff_change_role(changed_by=manager, user=desk, role=Role.PRACTITIONER)
    assert change.kind == StaffChangeKind.CLINICAL_ASKED
    assert change.description == (
        "The Practitioner role asked for: a practitioner is to confirm it"
    )
    assert selectors.current_role_of(desk) == "Reception"
    services.staff_approval_decide(
        decided_by=practitioner, approval_pk=waiting(desk).pk, confirm=True
    )
    assert selectors.current_role_of(desk) == "Practitioner"


def test_a_registration_a_manager_records_waits_and_one_taken_away_does_not(manager, practitioner):
    nurse = UserFactory(username="nurse9", role=Role.PRACTITIONER)
    services.staff_set_registration(
        changed_by=manager, user=nurse, registered_medical_practitioner=True, gmc_number="1234567"
    )
    assert not StaffProfile.objects.filter(
        user=nurse, registered_medical_practitioner=True
    ).exists()
    assert not selectors.registrations_of([nurse.pk]).doctors
    services.staff_approval_decide(
        decided_by=practitioner, approval_pk=waiting(nurse).pk, confirm=True
    )
    assert selectors.registrations_of([nurse.pk]).doctors == {nurse.pk}

    services.staff_set_registration(
        changed_by=manager, user=nurse, registered_medical_practitioner=False
    )
    assert not selectors.registrations_of([nurse.pk]).doctors  # at once
    assert not StaffApproval.objects.filter(outcome=ApprovalOutcome.WAITING).exists()


def test_neither_the_asker_nor_the_person_nor_reception_confirms(manager, practitioner):
    account = made_by(manager)
    approval = waiting(account)
    account.groups.set([])  # as made: no role
    desk = UserFactory(username="desk4", role=Role.RECEPTION)
    for who in (manager, desk):
        with pytest.raises(ValidationError):
            services.staff_approval_decide(decided_by=who, approval_pk=approval.pk, confirm=True)
    assert waiting(account) == approval
    # Nor a practitioner confirming their own grant (an existing practitioner given a
    # registration by a manager).
    services.staff_set_registration(
        changed_by=manager, user=practitioner, registered_medical_practitioner=True
    )
    with pytest.raises(ValidationError):
        services.staff_approval_decide(
            decided_by=practitioner, approval_pk=waiting(practitioner).pk, confirm=True
        )
    assert list(selectors.approvals_waiting(for_user=practitioner)) == [approval]


def test_a_refusal_changes_nothing_and_is_recorded(manager, practitioner):
    account = made_by(manager)
    change = services.staff_approval_decide(
        decided_by=practitioner, approval_pk=waiting(account).pk, confirm=False
    )
    assert change.kind == StaffChangeKind.CLINICAL_REFUSED
    assert change.description == "The Practitioner role refused by a practitioner"
    assert selectors.current_role_of(account) == ""
    again = services.staff_approval_decide(
        decided_by=practitioner,
        approval_pk=StaffApproval.objects.get(subject=account).pk,
        confirm=True,
    )
    assert again is None and selectors.current_role_of(account) == ""


def test_a_grant_changed_since_is_not_confirmed(manager, practitioner):
    desk = UserFactory(username="desk5", role=Role.RECEPTION)
    services.staff_change_role(changed_by=manager, user=desk, role=Role.PRACTITIONER)
    approval = waiting(desk)
    desk.groups.set([])  # changed behind the request's back
    with pytest.raises(ValidationError, match="changed since"):
        services.staff_approval_decide(
            decided_by=practitioner, approval_pk=approval.pk, confirm=True
        )
    # A new role change withdraws the one waiting.
    services.staff_change_role(changed_by=manager, user=desk, role=Role.MANAGER)
    approval.refresh_from_db()
    assert approval.outcome == ApprovalOutcome.WITHDRAWN


def test_the_home_page_offers_it_and_the_staff_pages_say_it_waits(manager, practitioner):
    account = made_by(manager)
    page = client_for(manager).get(reverse("staff:detail", args=[account.pk])).content.decode()
    assert 'data-testid="member-waiting"' in page
    assert "takes effect when a practitioner confirms it" in page
    listing = client_for(manager).get(reverse("staff:list")).content.decode()
    assert 'data-testid="awaits-confirmation"' in listing

    client = client_for(practitioner)
    home = client.get("/").content.decode()
    assert 'data-testid="staff-to-confirm"' in home
    assert "Fake Doc</strong> (fakedoc): the Practitioner role" in home
    url = reverse("staff:approval_decide", args=[waiting(account).pk])

    assert client_for(manager).post(url, {"decision": "confirm"}).status_code == 403
    response = client.post(url, {"decision": "confirm"}, follow=True)
    assert "Confirmed: Fake Doc" in response.content.decode()
    assert selectors.current_role_of(account) == "Practitioner"
    replay = client.post(url, {"decision": "confirm"}, follow=True).content.decode()
    assert "That was decided already for Fake Doc" in replay
    assert client.get(url).status_code == 405


def test_the_manager_is_told_the_new_practitioner_waits(manager_client):
    response = manager_client.post(
        "/staff/add/",
        {
            "first_name": "Fake",
            "last_name": "Doc",
            "username": "fakedoc",
            "email": "",
            "role": "Practitioner",
        },
    )
    page = response.content.decode()
    assert 'data-testid="created-waiting"' in page
    assert "until then the account opens nothing" in page
