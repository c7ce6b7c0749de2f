"""The diary (issue 15): booking without double booking, the booking checks of rules 19,
26, 29 and 34, the front desk's steps, starting and completing the session. The pages
(with the day view's pinned query count) are in test_diary_pages.py."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from clinic.diary import availability, services, steps
from clinic.diary.models import Appointment, Room, WorkingException
from clinic.roles import Role
from clinic.staff.models import StaffProfile
from tests.clinic.diary_helpers import at, book, kind, two_at_once, working
from tests.factories import PatientFactory, TreatmentSessionFactory, UserFactory
from treatments.models import Indication, Product

pytestmark = pytest.mark.django_db


# Double booking -----------------------------------------------------------------------


def treated_30_days_ago(patient, doctor, indication_slug) -> tuple[Indication, Product]:
    """A BOTOX session for the indication signed 30 days ago: a treatment booked now is
    too soon (every interval is longer)."""
    indication = Indication.objects.get(slug=indication_slug)
    botox = Product.objects.get(slug="botox")
    TreatmentSessionFactory(
        patient=patient, practitioner=doctor, indication=indication, product=botox,
        signed=True, performed_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    return indication, botox


def treated_for_migraine_30_days_ago(patient, doctor) -> tuple[Indication, Product]:
    return treated_30_days_ago(patient, doctor, "chronic-migraine")


def test_a_taken_time_is_refused_with_the_next_free_slots(patient, doctor, reception):
    first = book(patient, doctor, reception, at(1, 10), "migraine-treatment")  # 10:00-10:30
    other = PatientFactory()

    with pytest.raises(services.DoubleBooking) as refused:
        book(other, doctor, reception, at(1, 10, 15))

    assert refused.value.clash == first
    offered = [timezone.localtime(s.starts_at) for s in refused.value.free]
    assert offered[0] == timezone.localtime(at(1, 10, 30))  # right after the clash
    assert Appointment.objects.count() == 1


def test_a_room_cannot_hold_two_appointments(patient, doctor, reception):
    room = Room.objects.get(name="Treatment room 1")
    colleague = working(UserFactory(username="nurse2", role=Role.PRACTITIONER))
    book(patient, doctor, reception, at(1, 11), room=room)
    with pytest.raises(services.DoubleBooking):
        book(PatientFactory(), colleague, reception, at(1, 11), room=room)
    book(PatientFactory(), colleague, reception, at(1, 11))  # another room: fine


def test_a_cancelled_appointment_frees_its_slot(patient, doctor, reception):
    first = book(patient, doctor, reception, at(1, 12))
    services.appointment_cancel(
        appointment=first, cancelled_by="patient", reason="Away", user=reception
    )
    assert book(PatientFactory(), doctor, reception, at(1, 12)).pk != first.pk


def test_free_slots_keep_to_working_hours_and_leave(doctor):
    WorkingException.objects.create(
        practitioner=doctor,
        on=timezone.localdate() + timedelta(days=1),
        kind="leave",
        starts=time(9),
        ends=time(13),
    )
    slots = availability.free_slots(minutes=30, after=at(1, 0), practitioner_id=doctor.pk, limit=3)
    assert [timezone.localtime(s.starts_at).time() for s in slots] == [
        time(13),
        time(13, 15),
        time(13, 30),
    ]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_twenty_rounds_of_two_receptionists_booking_the_same_slot():
    doctor = working(UserFactory(username="dr-race", role=Role.PRACTITIONER))
    desks = [UserFactory(username=f"desk{n}", role=Role.RECEPTION) for n in (1, 2)]
    patients = [PatientFactory(), PatientFactory()]
    # Seeded here, before any thread runs: seeding inside the threads let one of them read
    # the table while the other was half-way through re-seeding it after an earlier
    # transactional test's flush ("AppointmentType matching query does not exist").
    kind("review")
    for round_ in range(20):
        starts_at = at(2 + round_ // 8, 9 + round_ % 8)
        results = two_at_once(
            lambda index, starts_at=starts_at: book(
                patients[index], doctor, desks[index], starts_at
            )
        )
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["Appointment", "DoubleBooking"], (round_, results)
    assert Appointment.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL constraint")
def test_the_database_refuses_an_overlap_whoever_writes_it(patient, doctor, reception):
    from django.db import IntegrityError, transaction

    first = book(patient, doctor, reception, at(1, 14))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=PatientFactory(),
            practitioner=doctor,
            appointment_type=first.appointment_type,
            starts_at=at(1, 14, 5),
            ends_at=at(1, 14, 20),
            booked_by=reception,
        )


# Booking checks -----------------------------------------------------------------------


def test_a_cosmetic_treatment_under_18_is_refused(doctor, reception):
    teen = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=17 * 365))
    with pytest.raises(services.BookingRefused) as refused:
        book(teen, doctor, reception, at(1, 9), "glabellar-treatment")
    assert [c.code for c in refused.value.checks] == ["age.minimum"]
    assert "18" in refused.value.checks[0].message


def test_the_age_check_ends_on_an_indication_named_with_a_comma(doctor, reception):
    # "...: Upper limb spasticity, adult is for patients of 18 or over" read as a list.
    teen = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=16 * 365 + 30))
    spasticity = Indication.objects.get(slug="spasticity-ul-adult")
    StaffProfile.objects.create(user=doctor, registered_medical_practitioner=True)
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(teen, doctor, reception, at(1, 9), "first-treatment", indication=spasticity)
    check = next(c for c in flagged.value.checks if c.code == "age.minimum")
    on = timezone.localdate(at(1, 9))
    assert check.message == (
        f"{teen.full_name} will be 16 on {on:%d/%m/%Y}, under the minimum age of 18 for "
        "Upper limb spasticity, adult."
    )


def test_masseter_contouring_under_18_is_refused_like_any_cosmetic_work(doctor, reception):
    """Review 04/12: masseter contouring (cosmetic purpose) was seeded as "off-label", so a
    16-year-old's booking was only flagged; rule 29 refuses it. TMD/bruxism, off-label for
    a therapeutic purpose, stays a flag to acknowledge (rule 31 is an override at the chair)."""
    teen = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=16 * 365))
    masseter = Indication.objects.get(slug="masseter-contouring")
    with pytest.raises(services.BookingRefused) as refused:
        book(teen, doctor, reception, at(1, 9), "first-treatment", indication=masseter)
    assert [c.code for c in refused.value.checks] == ["age.minimum"]
    assert "unlawful" in refused.value.checks[0].message
    bruxism = Indication.objects.get(slug="tmd-bruxism")
    # A registered nurse (recorded as neither, the booking would be refused: rule 29b).
    StaffProfile.objects.create(user=doctor, regulated_profession="nurse")
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(teen, doctor, reception, at(1, 11), "first-treatment", indication=bruxism)
    # Rule 29b flags every under-18 treatment booking whose practitioner is not known to be
    # a registered medical practitioner (see test_diary_child_doctor.py).
    assert [c.code for c in flagged.value.checks] == ["age.minimum", "age.child_needs_doctor"]
    assert flagged.value.checks[0].source == "DOMAIN §10 rule 31"


def test_a_first_cosmetic_treatment_needs_a_consultation_first(patient, doctor, reception):
    with pytest.raises(services.BookingRefused) as refused:
        book(patient, doctor, reception, at(2, 9), "glabellar-treatment")
    assert [c.code for c in refused.value.checks] == ["cosmetic.no_consultation"]
    book(patient, doctor, reception, at(1, 9), "consultation")
    assert book(patient, doctor, reception, at(2, 9), "glabellar-treatment").pk


def test_a_refusal_is_said_before_a_taken_time(patient, doctor, reception):
    """Browser review (07/12/2026): Glabellar lines at a taken time said "That time is
    already booked" first, and only the free time picked then said the booking could not
    be made at all (rule 34). A refusal no time fixes comes first; a flag still comes after
    the clash (test_diary_patient_overlap.py)."""
    book(PatientFactory(), doctor, reception, at(2, 9), "consultation")  # 09:00 is taken
    with pytest.raises(services.BookingRefused) as refused:
        book(patient, doctor, reception, at(2, 9), "glabellar-treatment")
    assert [c.code for c in refused.value.checks] == ["cosmetic.no_consultation"]

    book(patient, doctor, reception, at(3, 11), "consultation")
    treatment = book(patient, doctor, reception, at(3, 12), "glabellar-treatment")
    with pytest.raises(services.BookingRefused) as refused:  # taken, and before the consultation
        services.appointment_move(appointment=treatment, starts_at=at(2, 9), moved_by=reception)
    assert [c.code for c in refused.value.checks] == ["cosmetic.no_consultation"]
    with pytest.raises(services.DoubleBooking):  # taken, after it: the clash, as before
        book(PatientFactory(), doctor, reception, at(3, 12))


def test_a_booking_before_the_eligible_date_is_flagged_with_that_date(patient, doctor, reception):
    migraine, botox = treated_for_migraine_30_days_ago(patient, doctor)
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, doctor, reception, at(10, 9), "migraine-treatment", product=botox)
    (check,) = flagged.value.checks
    assert check.code == "interval.too_soon"
    last = timezone.localdate() - timedelta(days=30)
    assert check.earliest_on == last + timedelta(days=migraine.min_interval_days)
    assert f"{check.earliest_on:%d/%m/%Y}" in check.message
    # The free times to offer instead start on that date (as a clash's do).
    assert flagged.value.eligible_on == check.earliest_on
    offered = [timezone.localdate(s.starts_at) for s in flagged.value.free]
    assert offered and min(offered) == check.earliest_on

    moved_on = (check.earliest_on - timezone.localdate()).days
    ok = book(patient, doctor, reception, at(moved_on, 9), "migraine-treatment", product=botox)
    assert ok.booking_flags == []
    flagged_anyway = book(
        patient, doctor, reception, at(10, 9), "migraine-treatment", product=botox,
        acknowledge_flags=True,
    )  # fmt: skip
    assert [f["code"] for f in flagged_anyway.booking_flags] == ["interval.too_soon"]


def test_a_booking_too_soon_cites_the_interval_as_the_engine_does(patient, doctor, reception):
    """The booking check cited "(rule 19)" only, where the session editor's engine cites
    the section and, when the dose guideline sets the interval (BOTOX for cervical
    dystonia: 10 weeks), that guideline's sources: the same words on both pages now."""
    from treatments import selectors as treatment_selectors

    dystonia, botox = treated_30_days_ago(patient, doctor, "cervical-dystonia")
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, doctor, reception, at(10, 9), "first-treatment", indication=dystonia,
             product=botox)  # fmt: skip
    (check,) = [c for c in flagged.value.checks if c.code == "interval.too_soon"]
    draft = TreatmentSessionFactory(
        patient=patient, practitioner=doctor, indication=dystonia, product=botox,
        performed_at=at(10, 9),
    )  # fmt: skip
    findings = treatment_selectors.safety_inputs_for_session(session=draft).evaluate()
    (engine,) = [f for f in findings if f.code == "interval.too_soon"]
    assert check.source == engine.source
    assert "S24" in check.source and "§3.2" in check.source  # the guideline's, the section


def test_a_bladder_treatment_without_a_pvr_asks_for_one(patient, doctor, reception):
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, doctor, reception, at(1, 9), "bladder-treatment")
    assert [c.code for c in flagged.value.checks] == ["bladder.pvr_missing"]


# The front desk and the treatment room --------------------------------------------------


def test_arrival_start_session_and_completion_on_signing(patient, doctor, reception):
    botox = Product.objects.get(slug="botox")
    appointment = book(patient, doctor, reception, at(0, 9), "dystonia-treatment", product=botox)
    steps.appointment_set_status(appointment=appointment, status="arrived", user=reception)
    steps.appointment_set_status(appointment=appointment, status="arrived", user=reception)
    appointment.refresh_from_db()
    assert appointment.status == "arrived" and appointment.arrived_at is not None

    session = steps.appointment_start_session(appointment=appointment, practitioner=doctor)
    again = steps.appointment_start_session(appointment=appointment, practitioner=doctor)
    assert again.pk == session.pk  # a double-click opens the same draft
    assert (session.indication.slug, session.product.slug) == ("cervical-dystonia", "botox")
    appointment.refresh_from_db()
    assert appointment.status == "in-treatment"

    from treatments.models import TreatmentSession
    from treatments.signals import session_signed

    version, rows = appointment.version, appointment.history.count()
    session.signed_by, session.signed_at = doctor, timezone.now()
    session_signed.send(sender=TreatmentSession, session=session)
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    # At a new version (a page opened before cannot act on it as it was), and in its
    # history: completed by whoever signed, when they signed.
    assert appointment.version == version + 1
    latest = appointment.history.order_by("-history_id").first()
    assert (latest.history_type, latest.status, latest.version) == ("~", "completed", version + 1)
    assert (latest.history_user, latest.history_date) == (doctor, session.signed_at)
    session_signed.send(sender=TreatmentSession, session=session)  # again: nothing to do
    assert appointment.history.count() == rows + 1


def test_signing_through_the_editor_completes_the_appointment_with_its_history(doctor, reception):
    """The editor's Sign completes the session's appointment in the signing's transaction
    (on PostgreSQL in the signed row's own statement: treatments.signals.session_signed's
    `also`): completed, at a new version, its history row by whoever signed, when they
    signed; another appointment of the patient is left as it was."""
    from tests.treatments.administration_flow import (
        administration_setup,
        post_form,
        sign_data,
        start_data,
    )
    from treatments.models import TreatmentSession

    flow = administration_setup(doctor)
    url, data = start_data(flow)
    assert post_form(flow.client, url, data).status_code == 302
    session = TreatmentSession.objects.get(patient=flow.patient)
    appointment = book(flow.patient, doctor, reception, at(0, 9), "migraine-treatment")
    other = book(flow.patient, doctor, reception, at(2, 9), "review")
    Appointment.objects.filter(pk=appointment.pk).update(session=session, status="arrived")
    appointment.refresh_from_db()
    version, rows = appointment.version, appointment.history.count()

    signed = post_form(
        flow.client, f"/sessions/{session.public_id}/edit/", sign_data(flow.client, session)
    )

    assert signed.status_code == 302
    session.refresh_from_db()
    assert session.is_signed
    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("completed", version + 1)
    assert appointment.history.count() == rows + 1
    latest = appointment.history.order_by("-history_id").first()
    assert (latest.history_type, latest.status, latest.version) == ("~", "completed", version + 1)
    assert (latest.history_user, latest.history_date) == (doctor, session.signed_at)
    assert appointment.updated_at == session.signed_at
    before = other.version
    other.refresh_from_db()
    assert (other.status, other.version) == ("booked", before)


def test_steps_that_make_no_sense_are_refused(patient, doctor, reception):
    later = book(patient, doctor, reception, at(3, 9))
    with pytest.raises(ValidationError):
        steps.appointment_set_status(appointment=later, status="dna", user=reception)
    with pytest.raises(ValidationError):
        steps.appointment_set_status(appointment=later, status="completed", user=reception)


def test_a_patients_cancellation_inside_48_hours_is_late(patient, doctor, reception):
    """Late: inside the window. Not when it comes within the grace after the booking (a
    booking undone at once was flagged "late": browser review 07/12/2026); booked yesterday
    for tomorrow and cancelled today still is."""
    soon = book(patient, doctor, reception, at(1, 9))
    later = book(patient, doctor, reception, at(5, 9))
    yesterday = book(patient, doctor, reception, at(1, 10))
    just_booked = book(patient, doctor, reception, at(1, 11))
    Appointment.objects.filter(pk__in=[soon.pk, later.pk]).update(
        created_at=timezone.now() - timedelta(days=6)
    )
    Appointment.objects.filter(pk=yesterday.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    cases = (soon, later, yesterday, just_booked)
    for appointment in cases:
        appointment.refresh_from_db()
        services.appointment_cancel(
            appointment=appointment, cancelled_by="patient", reason="Unwell", user=reception
        )
        appointment.refresh_from_db()
    assert [a.is_late_cancellation for a in cases] == [True, False, True, False]


def test_a_stale_move_is_refused(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 9))
    services.appointment_move(appointment=appointment, starts_at=at(1, 10), moved_by=reception)
    with pytest.raises(services.AppointmentConflict):
        services.appointment_move(
            appointment=appointment, starts_at=at(1, 11), moved_by=reception, expected_version=1
        )


def test_a_booking_too_soon_offers_free_times_from_the_eligible_date_that_keep_what_was_typed(
    patient, doctor, reception
):
    """Reception review (07/12/2026): the "too soon" check linked to the free-slot page, and
    a time picked there came back to an empty booking form: the notes, the product and
    the practitioner typed were gone. The free times from the eligible date are buttons of
    the booking form: a press books that time with everything typed."""
    from django.urls import reverse

    from tests.conftest import client_for

    migraine, botox = treated_for_migraine_30_days_ago(patient, doctor)
    eligible = timezone.localdate() - timedelta(days=30 - migraine.min_interval_days)
    typed = {
        "patient": str(patient.public_id),
        "appointment_type": kind("migraine-treatment").pk,
        "practitioner": doctor.pk,
        "day": timezone.localdate(at(3, 0)).strftime("%d/%m/%Y"),
        "start": "10:00",
        "product": botox.pk,
        "notes": "Prefers mornings; parking permit needed",
    }
    client = client_for(reception)
    page = client.post(reverse("diary:book"), typed).content.decode()
    assert not Appointment.objects.exists()
    flags = page.split('data-testid="booking-flags"', 1)[1].split("</ul>", 1)[0]
    assert f"Free times from {eligible:%d/%m/%Y}:" in flags
    slots = [part.split('"', 1)[0] for part in flags.split('name="slot" value="')[1:]]
    days = [date(*reversed([int(n) for n in slot.split("|")[1].split("/")])) for slot in slots]
    assert days and min(days) == eligible  # none before it
    assert 'href="/diary/free' not in flags  # no link away from what was typed

    response = client.post(reverse("diary:book"), {**typed, "slot": slots[0]})
    booked = Appointment.objects.get()
    assert response.status_code == 302
    assert timezone.localdate(booked.starts_at) == eligible
    assert (booked.notes, booked.product, booked.booking_flags) == (typed["notes"], botox, [])


def test_a_clash_offers_free_times_from_the_eligible_date_of_a_treatment_too_soon(
    patient, doctor, reception
):
    """Reception review, 07/12/2026: a clash on a treatment too soon after the last offered
    the next free times, days on, each then flagged too soon when picked. They start on
    the earliest eligible date, which the clash says; a clash on a visit not too soon
    offers the next free times as before. Moving there: the same."""
    migraine, botox = treated_for_migraine_30_days_ago(patient, doctor)
    eligible = timezone.localdate() - timedelta(days=30 - migraine.min_interval_days)
    book(PatientFactory(), doctor, reception, at(3, 10))  # a review, 10:00-10:15

    with pytest.raises(services.DoubleBooking) as refused:
        book(patient, doctor, reception, at(3, 10), "migraine-treatment", product=botox)
    assert refused.value.eligible_on == eligible
    offered = [timezone.localdate(s.starts_at) for s in refused.value.free]
    assert offered and min(offered) == eligible

    with pytest.raises(services.DoubleBooking) as not_a_treatment:
        book(patient, doctor, reception, at(3, 10))
    assert not_a_treatment.value.eligible_on is None
    assert timezone.localdate(not_a_treatment.value.free[0].starts_at) < eligible

    treatment = book(
        patient, doctor, reception, at(4, 9), "migraine-treatment", product=botox,
        acknowledge_flags=True,
    )  # fmt: skip
    with pytest.raises(services.DoubleBooking) as move_refused:
        services.appointment_move(appointment=treatment, starts_at=at(3, 10), moved_by=reception)
    assert move_refused.value.eligible_on == eligible
    assert min(timezone.localdate(s.starts_at) for s in move_refused.value.free) == eligible
