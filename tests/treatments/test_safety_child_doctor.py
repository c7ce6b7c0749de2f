"""DOMAIN §10 rule 29b: toxin for a patient under 18 (any indication) is given by a
registered medical practitioner, or by a regulated health professional (registered nurse,
dentist or pharmacist) on one's directions: the Botulinum Toxin and Cosmetic Fillers
(Children) Act 2021 s1(1), s1(4)(a)-(b), s1(7), checked against the Act's text on 05/12.
Review 04/12: a practitioner who is not a doctor could treat a 16-year-old for cervical
dystonia with no finding. 05/12: a doctor's directions were taken to cover anyone, though
the Act's defence covers only a regulated health professional."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.roles import Role
from clinic.staff.models import StaffProfile
from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from tests.treatments.administration_flow import post_form, sign_data
from tests.treatments.safety_builders import (
    born,
    child_session,
    only,
    run,
    session,
)
from treatments import selectors, services
from treatments.models import AnatomicalSite, Indication, Product
from treatments.safety import Level

CODE = "age.child_needs_doctor"


# The engine --------------------------------------------------------------------------


def test_a_child_treated_by_a_practitioner_who_is_not_a_doctor_is_blocked():
    findings = only(run(child_session(30, 60, practitioner_is_doctor=False)), CODE)
    assert [f.level for f in findings] == [Level.BLOCK]
    message = findings[0].message
    assert "Botulinum Toxin and Cosmetic Fillers (Children) Act 2021" in message
    assert "Patient is 8" in message
    assert message.endswith(
        "toxin for a person under 18 must be given by a registered medical practitioner, or "
        "by a registered nurse, dentist or pharmacist on a doctor's directions. Have a doctor "
        "treat, or record the directing doctor"
    )
    assert "rule 29b" in findings[0].source


def test_a_child_treated_by_a_doctor_passes():
    assert not only(run(child_session(30, 60, practitioner_is_doctor=True)), CODE)


def test_a_child_treated_by_a_regulated_professional_on_a_doctors_directions_passes():
    s = child_session(
        30,
        60,
        practitioner_is_doctor=False,
        practitioner_is_regulated=True,
        directing_doctor_is_doctor=True,
    )
    assert not only(run(s), CODE)


def test_a_doctors_directions_do_not_cover_a_practitioner_who_is_not_regulated():
    """s1(4)(b): the directions defence is a regulated health professional's only."""
    s = child_session(
        30,
        60,
        practitioner_is_doctor=False,
        practitioner_is_regulated=False,
        directing_doctor_is_doctor=True,
    )
    findings = only(run(s), CODE)
    assert [f.level for f in findings] == [Level.BLOCK]
    message = findings[0].message
    assert "toxin for a person under 18 must be given by a registered medical" in message
    assert "A doctor's directions do not cover the treating practitioner, who is not " in message
    assert message.endswith(
        "have a doctor treat, or ask a manager to record the practitioner's registration on "
        "the staff page"
    )
    assert "s1(7)" in findings[0].source


def test_a_regulated_professional_without_a_directing_doctor_is_blocked():
    s = child_session(30, 60, practitioner_is_doctor=False, practitioner_is_regulated=True)
    findings = only(run(s), CODE)
    assert [f.level for f in findings] == [Level.BLOCK]
    assert "record the directing doctor" in findings[0].message


def test_an_adult_is_unaffected_and_18_on_the_session_date_is_an_adult():
    assert not only(run(session(practitioner_is_doctor=False)), CODE)
    eighteen = child_session(30, 60, practitioner_is_doctor=False, date_of_birth=born(18))
    assert not only(run(eighteen), CODE)
    day_before = replace(eighteen, date_of_birth=born(18, 1))
    assert only(run(day_before), CODE)


# The facts, the editor and signing ------------------------------------------------------


def doctor(**kwargs):
    """A practitioner of the clinic on the GMC register (a registration counts for
    practitioners only: test_staff_approvals.py)."""
    user = UserFactory(**{"role": Role.PRACTITIONER, **kwargs})
    StaffProfile.objects.create(user=user, registered_medical_practitioner=True)
    return user


def registered_nurse(user):
    StaffProfile.objects.create(user=user, regulated_profession="nurse")
    return user


def child_draft(practitioner):
    patient = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=16 * 366))
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    botox = Product.objects.get(slug="botox")
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=Indication.objects.get(slug="cervical-dystonia"),
        product=botox,
        vial=VialFactory(product=botox, received_by=practitioner),
        weight_kg=Decimal(55),
        weight_measured_on=timezone.localdate(),
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=True,
    )
    InjectionPointFactory(
        session=session,
        site=AnatomicalSite.objects.get(slug="splenius-capitis"),
        side="left",
        units=Decimal(40),
        volume_ml=None,
    )
    return session


def codes(session) -> set[str]:
    return {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}


@pytest.mark.django_db
def test_the_facts_read_the_staff_profiles(practitioner):
    session = child_draft(practitioner)
    assert CODE in codes(session)
    session.directing_doctor = doctor(username="dr.lee")
    assert CODE in codes(session)  # the practitioner is not recorded as a nurse, yet
    profile = StaffProfile.objects.create(user=practitioner, regulated_profession="dentist")
    assert CODE not in codes(session)
    session.directing_doctor = UserFactory(username="not.a.doctor")
    assert CODE in codes(session)
    profile.regulated_profession = ""
    profile.registered_medical_practitioner = True
    profile.save()
    assert CODE not in codes(session)


@pytest.mark.django_db
def test_signing_is_refused_then_allowed_with_a_directing_doctor(practitioner_client, practitioner):
    session = child_draft(registered_nurse(practitioner))
    directing = doctor(username="dr.lee", first_name="Sam", last_name="Lee")
    data = sign_data(practitioner_client, session)
    assert "directing_doctor" in data  # shown for a patient under 18
    url = f"/sessions/{session.public_id}/edit/"
    page = post_form(practitioner_client, url, data)
    assert page.status_code == 200 and page.context["refused"]
    assert CODE in {f.code for f in page.context["refused"].blocks}
    assert "Botulinum Toxin and Cosmetic Fillers (Children) Act 2021" in page.content.decode()
    assert "Sam Lee" in page.content.decode()  # offered as the directing doctor
    session.refresh_from_db()
    assert not session.is_signed
    data = sign_data(practitioner_client, session)
    data["directing_doctor"] = directing.pk
    response = post_form(practitioner_client, url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed and session.directing_doctor == directing
    # The signed session says on whose directions a child was treated.
    detail = practitioner_client.get(response["Location"]).content.decode()
    assert 'data-testid="directing-doctor">Sam Lee (rule 29b)' in detail


@pytest.mark.django_db
def test_only_a_registered_doctor_can_be_chosen_to_direct(practitioner_client, practitioner):
    session = child_draft(practitioner)
    data = sign_data(practitioner_client, session)
    data["directing_doctor"] = UserFactory(username="not.a.doctor").pk
    page = post_form(practitioner_client, f"/sessions/{session.public_id}/edit/", data)
    assert page.status_code == 200
    assert "only staff recorded as registered medical practitioners" in page.content.decode()
    session.refresh_from_db()
    assert not session.is_signed and session.directing_doctor is None


@pytest.mark.django_db
def test_a_doctor_signs_a_childs_session_without_a_directing_doctor(practitioner):
    StaffProfile.objects.create(user=practitioner, registered_medical_practitioner=True)
    session = child_draft(practitioner)
    signed = services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    assert signed.is_signed


@pytest.mark.django_db
def test_an_adults_editor_has_no_directing_doctor(practitioner_client, practitioner):
    session = child_draft(practitioner)
    session.patient.date_of_birth = timezone.localdate() - timedelta(days=40 * 366)
    session.patient.save()
    assert "directing_doctor" not in sign_data(practitioner_client, session)
    assert CODE not in codes(session)


@pytest.mark.django_db
def test_a_deactivated_doctor_no_longer_directs_a_saved_draft(practitioner_client, practitioner):
    """A draft recorded Dr Lee's directions; Dr Lee has since left (account deactivated).
    Signing is refused, through the service as through the editor, until a doctor on the
    staff directs."""
    session = child_draft(registered_nurse(practitioner))
    directing = doctor(username="dr.lee", first_name="Sam", last_name="Lee")
    session.directing_doctor = directing
    session.save()
    assert CODE not in codes(session)
    directing.is_active = False
    directing.save()
    assert CODE in codes(session)
    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    assert CODE in {f.code for f in refused.value.blocks}
    # The editor no longer offers Dr Lee, and says why the saved choice is refused.
    data = sign_data(practitioner_client, session)
    data["directing_doctor"] = directing.pk
    url = f"/sessions/{session.public_id}/edit/"
    page = post_form(practitioner_client, url, data)
    assert page.status_code == 200
    assert "only staff recorded as registered medical practitioners" in page.content.decode()
    session.refresh_from_db()
    assert not session.is_signed
    # Another doctor on the staff directs: signed.
    data = sign_data(practitioner_client, session)
    data["directing_doctor"] = doctor(username="dr.khan").pk
    assert post_form(practitioner_client, url, data).status_code == 302
    session.refresh_from_db()
    assert session.is_signed
