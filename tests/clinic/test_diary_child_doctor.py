"""DOMAIN §10 rule 29b at booking: a patient under 18 on the appointment date, booked with
a practitioner who is not recorded as a registered medical practitioner, is flagged (the
receptionist acknowledges it; the session can still record a directing doctor)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.diary import services
from clinic.diary.checks import booking_checks
from clinic.roles import Role
from clinic.staff.models import StaffProfile
from tests.clinic.diary_helpers import at, book, kind, working
from tests.factories import PatientFactory, UserFactory
from treatments.models import Indication

pytestmark = pytest.mark.django_db
CODE = "age.child_needs_doctor"


def child_on(on, years=16):
    return PatientFactory(date_of_birth=on.replace(year=on.year - years) + timedelta(days=1))


def checks_for(patient, on, practitioner):
    return booking_checks(
        patient=patient,
        appointment_type=kind("first-treatment"),
        indication=Indication.objects.get(slug="cervical-dystonia"),
        product=None,
        on=on,
        practitioner=practitioner,
    )


def test_a_child_booked_with_a_practitioner_recorded_as_neither_is_refused():
    on = timezone.localdate() + timedelta(days=3)
    nurse = UserFactory(
        username="priya", first_name="Priya", last_name="Shah", role=Role.PRACTITIONER
    )
    found = [c for c in checks_for(child_on(on), on, nurse) if c.code == CODE]
    # s2(1)(b): the booking itself would be the offence, so no flag to tick past.
    assert [c.level for c in found] == ["block"]
    message = found[0].message
    assert "Botulinum Toxin and Cosmetic Fillers (Children) Act 2021" in message
    # Not recorded as a doctor nor as a nurse, dentist or pharmacist: the booking itself
    # would be an offence (s2(1)(b)).
    assert "Priya Shah is recorded as neither" in message and "offence (s2)" in message
    assert "rule 29b" in found[0].source


def test_a_child_booked_with_a_registered_nurse_asks_for_a_doctors_directions():
    on = timezone.localdate() + timedelta(days=3)
    nurse = UserFactory(
        username="priya", first_name="Priya", last_name="Shah", role=Role.PRACTITIONER
    )
    StaffProfile.objects.create(user=nurse, regulated_profession="nurse")
    found = [c for c in checks_for(child_on(on), on, nurse) if c.code == CODE]
    assert [c.level for c in found] == ["flag"]
    message = found[0].message
    assert "Priya Shah is not recorded as a registered medical practitioner" in message
    assert "make sure a doctor will direct the treatment" in message
    assert "offence" not in message


def test_a_child_booked_with_a_doctor_or_an_adult_is_not_flagged():
    on = timezone.localdate() + timedelta(days=3)
    dr = UserFactory(username="dr.hart", role=Role.PRACTITIONER)
    StaffProfile.objects.create(user=dr, registered_medical_practitioner=True)
    assert CODE not in {c.code for c in checks_for(child_on(on), on, dr)}
    nurse = UserFactory(username="priya", role=Role.PRACTITIONER)
    # 18 on the appointment date: an adult.
    adult = PatientFactory(date_of_birth=on.replace(year=on.year - 18))
    assert CODE not in {c.code for c in checks_for(adult, on, nurse)}


def test_the_diary_asks_the_receptionist_to_acknowledge_a_registered_nurse(reception):
    nurse = working(UserFactory(username="priya", role=Role.PRACTITIONER))
    StaffProfile.objects.create(user=nurse, regulated_profession="nurse")
    starts = at(1, 9)
    child = child_on(timezone.localdate(starts))
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(child, nurse, reception, starts, "migraine-treatment")
    assert CODE in {c.code for c in flagged.value.checks}
    assert book(child, nurse, reception, starts, "migraine-treatment", acknowledge_flags=True).pk


def test_the_diary_refuses_a_practitioner_recorded_as_neither_even_acknowledged(reception):
    """Review 05/12: the message said the booking would be an offence, yet a tick let it
    through."""
    other = working(UserFactory(username="sam", role=Role.PRACTITIONER))
    starts = at(1, 9)
    child = child_on(timezone.localdate(starts))
    with pytest.raises(services.BookingRefused) as refused:
        book(child, other, reception, starts, "migraine-treatment", acknowledge_flags=True)
    assert CODE in {c.code for c in refused.value.checks}


def test_the_diary_does_not_flag_a_child_booked_with_a_doctor(reception):
    """The service passes the booked practitioner to the checks: a doctor's booking of a
    child carries no rule 29b flag; a nurse's does."""
    doctor = working(UserFactory(username="amelia.doc", role=Role.PRACTITIONER))
    StaffProfile.objects.create(user=doctor, registered_medical_practitioner=True)
    nurse = working(UserFactory(username="priya", role=Role.PRACTITIONER))
    StaffProfile.objects.create(user=nurse, regulated_profession="nurse")
    child = child_on(timezone.localdate(at(1, 9)))
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(child, nurse, reception, at(1, 9), "migraine-treatment")
    assert CODE in {c.code for c in flagged.value.checks}
    try:
        book(child, doctor, reception, at(1, 10), "migraine-treatment")
    except services.BookingNeedsAcknowledgement as exc:  # other flags may remain
        assert CODE not in {c.code for c in exc.checks}
