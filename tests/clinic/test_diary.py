"""The diary (issue 15): booking without double booking, the booking checks of rules 19,
26, 29 and 34, the front desk's steps, starting and completing the session, and the day
view's pinned query count."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.diary import grid, selectors, services
from clinic.diary.models import Appointment, AppointmentType, Room, WorkingException, WorkingPattern
from clinic.models import AccessEvent
from clinic.roles import Role
from clinic.staff.models import StaffProfile
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory, UserFactory
from treatments.models import Indication, Product
from treatments.services import rollups

pytestmark = pytest.mark.django_db


def working(user, *, starts=time(9), ends=time(17)):
    """Works every day of the week, so that tests do not depend on today's weekday."""
    for weekday in range(7):
        WorkingPattern.objects.create(practitioner=user, weekday=weekday, starts=starts, ends=ends)
    return user


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def kind(slug: str) -> AppointmentType:
    """A seeded appointment type; re-seeded when a transactional test's flush emptied the
    table (the seed migration's own function, so the rows are the same)."""
    if not AppointmentType.objects.exists():
        import importlib

        from django.apps import apps
        from django.db import transaction

        seed = importlib.import_module("clinic.diary.migrations.0003_seed_appointment_types")
        with transaction.atomic():  # all rows at once: a thread never sees half the seed
            seed.forward(apps, None)
    return AppointmentType.objects.get(slug=slug)


@pytest.fixture
def doctor(practitioner):
    return working(practitioner)


def book(patient, doctor, reception, starts_at, type_slug="review", **kwargs):
    return services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=kind(type_slug),
        starts_at=starts_at,
        booked_by=reception,
        **kwargs,
    )


# Double booking -----------------------------------------------------------------------


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
    slots = selectors.free_slots(minutes=30, after=at(1, 0), practitioner_id=doctor.pk, limit=3)
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
        barrier = threading.Barrier(2)
        results = [None, None]

        def attempt(index, starts_at=starts_at, barrier=barrier, results=results):
            try:
                barrier.wait()
                results[index] = book(patients[index], doctor, desks[index], starts_at)
            except Exception as exc:  # noqa: BLE001 - the test looks at what came back
                results[index] = exc
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=attempt, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive(), "a thread outlived its test (it would hold a connection)"
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


def test_a_booking_before_the_eligible_date_is_flagged_with_that_date(patient, doctor, reception):
    migraine = Indication.objects.get(slug="chronic-migraine")
    botox = Product.objects.get(slug="botox")
    TreatmentSessionFactory(
        patient=patient,
        practitioner=doctor,
        indication=migraine,
        product=botox,
        status="signed",
        signed_at=timezone.now() - timedelta(days=30),
        performed_at=timezone.now() - timedelta(days=30),
    )
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, doctor, reception, at(10, 9), "migraine-treatment", product=botox)
    (check,) = flagged.value.checks
    assert check.code == "interval.too_soon"
    last = timezone.localdate() - timedelta(days=30)
    assert check.earliest_on == last + timedelta(days=migraine.min_interval_days)
    assert f"{check.earliest_on:%d/%m/%Y}" in check.message

    moved_on = (check.earliest_on - timezone.localdate()).days
    ok = book(patient, doctor, reception, at(moved_on, 9), "migraine-treatment", product=botox)
    assert ok.booking_flags == []
    flagged_anyway = book(
        patient, doctor, reception, at(10, 9), "migraine-treatment", product=botox,
        acknowledge_flags=True,
    )  # fmt: skip
    assert [f["code"] for f in flagged_anyway.booking_flags] == ["interval.too_soon"]


def test_a_bladder_treatment_without_a_pvr_asks_for_one(patient, doctor, reception):
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, doctor, reception, at(1, 9), "bladder-treatment")
    assert [c.code for c in flagged.value.checks] == ["bladder.pvr_missing"]


# The front desk and the treatment room --------------------------------------------------


def test_arrival_start_session_and_completion_on_signing(patient, doctor, reception):
    botox = Product.objects.get(slug="botox")
    appointment = book(patient, doctor, reception, at(0, 9), "dystonia-treatment", product=botox)
    services.appointment_set_status(appointment=appointment, status="arrived", user=reception)
    services.appointment_set_status(appointment=appointment, status="arrived", user=reception)
    appointment.refresh_from_db()
    assert appointment.status == "arrived" and appointment.arrived_at is not None

    session = services.appointment_start_session(appointment=appointment, practitioner=doctor)
    again = services.appointment_start_session(appointment=appointment, practitioner=doctor)
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
        services.appointment_set_status(appointment=later, status="dna", user=reception)
    with pytest.raises(ValidationError):
        services.appointment_set_status(appointment=later, status="completed", user=reception)


def test_a_patients_cancellation_inside_48_hours_is_late(patient, doctor, reception):
    soon = book(patient, doctor, reception, at(1, 9))
    later = book(patient, doctor, reception, at(5, 9))
    for appointment in (soon, later):
        services.appointment_cancel(
            appointment=appointment, cancelled_by="patient", reason="Unwell", user=reception
        )
        appointment.refresh_from_db()
    assert (soon.is_late_cancellation, later.is_late_cancellation) == (True, False)


def test_a_stale_move_is_refused(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 9))
    services.appointment_move(appointment=appointment, starts_at=at(1, 10), moved_by=reception)
    with pytest.raises(services.AppointmentConflict):
        services.appointment_move(
            appointment=appointment, starts_at=at(1, 11), moved_by=reception, expected_version=1
        )


# Pages ----------------------------------------------------------------------------------


def test_reception_books_from_a_free_slot_and_marks_the_arrival(patient, doctor, reception):
    client = client_for(reception)
    page = client.get(reverse("diary:day"))
    assert page.status_code == 200
    assert 'Book<span class="visually-hidden"> 09:00 with' in page.content.decode()
    response = client.post(
        reverse("diary:book"),
        {
            "patient": patient.public_id,
            "appointment_type": kind("review").pk,
            "practitioner": doctor.pk,
            "day": timezone.localdate().strftime("%d/%m/%Y"),  # arrivals are for today
            "start": "09:00",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == appointment.get_absolute_url()
    client.post(
        reverse("diary:appointment_step", args=[appointment.public_id]),
        {"status": "arrived", "version": appointment.version},
    )
    appointment.refresh_from_db()
    assert appointment.status == "arrived"


def test_a_double_booking_on_the_page_offers_free_times(patient, doctor, reception):
    book(PatientFactory(), doctor, reception, at(1, 9))
    response = client_for(reception).post(
        reverse("diary:book"),
        {
            "patient": patient.public_id,
            "appointment_type": kind("review").pk,
            "practitioner": doctor.pk,
            "day": (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y"),
            "start": "09:00",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="free-slot"' in page
    # One message, one line: not a one-bullet list with a blank line under it.
    assert (
        '<div class="alert alert-danger" role="alert" data-testid="booking-error"><p class="mb-0">'
        "That time is already booked: choose one of the free times below.</p></div>"
    ) in page


def test_day_view_query_count_is_pinned(reception):
    """8 practitioners with 1, then 30 appointments each: the same queries. + 1
    practitioners + 1 weekly patterns + 1 exceptions + 1 appointments (with patient,
    type, room and practitioner, read as values) + the access event."""
    people = [working(UserFactory(username=f"dr{n}", role=Role.PRACTITIONER)) for n in range(8)]
    client = client_for(reception)

    def queries() -> int:
        url = reverse("diary:day") + f"?day={timezone.localdate():%Y-%m-%d}"
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for person in people:
        book(PatientFactory(), person, reception, at(0, 9))
    few = queries()
    assert few == BASE + 4 + ACCESS_LOG
    for person in people:
        for slot in range(1, 30):
            Appointment.objects.create(
                patient=PatientFactory(),
                practitioner=person,
                appointment_type=kind("phone-review"),
                starts_at=at(0, 9, 15) + timedelta(minutes=10 * (slot - 1)),
                ends_at=at(0, 9, 15) + timedelta(minutes=10 * slot),
                booked_by=reception,
            )
    assert queries() == few


def test_diary_pages_write_one_access_event(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(0, 9))
    client = client_for(reception)
    for url in (reverse("diary:day"), appointment.get_absolute_url()):
        before = AccessEvent.objects.count()
        client.get(url)
        assert AccessEvent.objects.count() == before + 1, url
    assert AccessEvent.objects.filter(action="diary.appointment", patient=patient).exists()


def test_the_practitioners_day_has_preflight_lines_and_a_pinned_query_count(doctor, reception):
    from tests.factories import QuestionnaireFactory

    client = client_for(doctor)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/")
        return len(ctx.captured_queries), response.content.decode()

    first = PatientFactory()
    QuestionnaireFactory(patient=first, entered_by=reception)  # not reviewed
    book(first, doctor, reception, at(0, 9))
    book(PatientFactory(), doctor, reception, at(0, 9, 30), "migraine-treatment")
    few, page = queries()
    assert 'data-testid="today-list"' in page and first.family_name.upper() in page.upper()
    # The text wraps before "Mark arrived" drops below it (app.css .today-visit; on an iPad
    # the button sat right on some rows and below on others).
    assert '<div class="today-visit">' in page
    assert "not reviewed yet" in page
    for hour in range(10, 16):
        book(PatientFactory(), doctor, reception, at(0, hour))
        book(PatientFactory(), doctor, reception, at(0, hour, 30), "migraine-treatment")
    many, page = queries()
    assert many == few
    assert page.count("No questionnaire on file") == 13
    assert page.count("Consent due for Chronic migraine prophylaxis: none recorded here yet.") == 7


def test_consent_due_on_the_practitioners_day(doctor, reception):
    """Issue 15.4: consent for the booked indication missing, or older than the clinic's
    consent validity (reference data, 365 days as seeded), shows "consent due"."""
    from treatments.models import SafetyParameter

    migraine = Indication.objects.get(slug="chronic-migraine")
    assert SafetyParameter.objects.get(key="consent_validity_days").value == 365

    def signed(patient, days_ago: int, consent_taken: bool = True):
        when = timezone.now() - timedelta(days=days_ago)
        TreatmentSessionFactory(
            patient=patient,
            practitioner=doctor,
            indication=migraine,
            status="signed",
            signed_at=when,
            performed_at=when,
            consent_taken=consent_taken,
        )

    never, lapsed, current, other = PatientFactory.create_batch(4)
    signed(lapsed, 400)
    signed(lapsed, 100, consent_taken=False)  # a session without consent does not count
    signed(current, 100)
    for hour, patient in zip((9, 10, 11), (never, lapsed, current), strict=True):
        book(patient, doctor, reception, at(0, hour), "migraine-treatment")
    book(other, doctor, reception, at(0, 12))  # a review: no consent line

    lines = {
        v.appointment.patient_id: v.lines
        for v in selectors.todays_visits(day=timezone.localdate(), clinical=True)
    }
    assert (
        "Consent due for Chronic migraine prophylaxis: none recorded here yet." in lines[never.pk]
    )
    taken = timezone.localdate(timezone.now() - timedelta(days=400))
    assert (
        "Consent due for Chronic migraine prophylaxis: "
        f"last taken {taken:%d/%m/%Y}, more than 365 days ago." in lines[lapsed.pk]
    )
    assert not [line for line in lines[current.pk] if "Consent" in line]
    assert not [line for line in lines[other.pk] if "Consent" in line]

    SafetyParameter.objects.filter(key="consent_validity_days").update(value=90)
    visits = selectors.todays_visits(day=timezone.localdate(), clinical=True)
    current_lines = next(v.lines for v in visits if v.appointment.patient_id == current.pk)
    assert any(
        line.startswith("Consent due for Chronic migraine prophylaxis: last taken")
        for line in current_lines
    )


def test_reception_marks_an_arrival_from_the_home_page(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(0, 9))
    client = client_for(reception)
    page = client.get("/").content.decode()
    assert 'data-testid="arrive"' in page
    # An action, not a state: a solid green "Arrived" on every row read as if everyone
    # had arrived (browser review 05/12).
    assert "btn-outline-success" in page and ">Arrived</button>" not in page
    assert f'<span class="visually-hidden">{escape(patient.display_name)} </span>arrived' in page
    assert "not reviewed" not in page and "side effect" not in page  # nothing clinical
    client.post(
        reverse("diary:appointment_step", args=[appointment.public_id]),
        {"status": "arrived", "next": "/", "version": appointment.version},
    )
    appointment.refresh_from_db()
    assert appointment.status == "arrived"


def test_reception_books_from_the_recall_list(patient, doctor, reception):
    """The recall list is the front desk's too (clinic-wide) and leads to free times
    from the eligible date, with the treatment's appointment type chosen."""
    migraine = Indication.objects.get(slug="chronic-migraine")
    botox = Product.objects.get(slug="botox")
    last = timezone.now() - timedelta(days=migraine.min_interval_days + 3)
    session = TreatmentSessionFactory(
        patient=patient,
        practitioner=doctor,
        indication=migraine,
        product=botox,
        status="signed",
        signed_at=last,
        performed_at=last,
    )
    rollups.record_signed_session(session)  # as signing does (the recall list reads it)
    client = client_for(reception)
    page = client.get(reverse("reports:recall")).content.decode()
    assert patient.record_number in page
    book_link = page.split(reverse("diary:free_slots") + "?", 1)[1].split('"', 1)[0]
    slots = client.get(reverse("diary:free_slots") + "?" + book_link.replace("&amp;", "&"))
    assert slots.status_code == 200
    html = slots.content.decode()
    assert 'data-testid="free-slots"' in html
    assert f"appointment_type={kind('migraine-treatment').pk}" in html
    assert client.get(reverse("reports:index")).status_code == 403  # nothing else in reports


# The private calendar feed ----------------------------------------------------------------


def test_the_calendar_feed_shows_initials_and_type_and_can_be_revoked(doctor, reception):
    patient = PatientFactory(given_names="Harriet", family_name="Quillfeather-Jones")
    book(patient, doctor, reception, at(1, 10), "migraine-treatment")
    client = client_for(doctor)
    client.post(reverse("diary:feed_settings"), {"action": "new"})
    url = doctor.calendar_feed and reverse("diary:feed", args=[doctor.calendar_feed.token])

    anonymous = client_for(None)
    response = anonymous.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:HQJ · Chronic migraine (PREEMPT)" in body
    assert "Quillfeather" not in body and "Harriet" not in body
    assert patient.record_number not in body

    client.post(reverse("diary:feed_settings"), {"action": "new"})  # a new secret
    assert anonymous.get(url).status_code == 404
    doctor.calendar_feed.refresh_from_db()
    fresh = reverse("diary:feed", args=[doctor.calendar_feed.token])
    assert anonymous.get(fresh).status_code == 200
    client.post(reverse("diary:feed_settings"), {"action": "revoke"})
    assert anonymous.get(fresh).status_code == 404


# Managers' view -------------------------------------------------------------------------


def test_attendance_figures_against_a_known_week(doctor, reception, manager):
    """Utilisation, DNA and late-cancellation rates computed by hand for one day."""
    from clinic.diary.attendance import attendance

    day = timezone.localdate() - timedelta(days=1)
    offset = -1
    came = book(PatientFactory(), doctor, reception, at(offset, 9), "migraine-treatment")
    Appointment.objects.filter(pk=came.pk).update(status="completed")
    missed = book(PatientFactory(), doctor, reception, at(offset, 10))
    Appointment.objects.filter(pk=missed.pk).update(status="dna")
    late = book(PatientFactory(), doctor, reception, at(offset, 11))
    Appointment.objects.filter(pk=late.pk).update(
        status="cancelled", cancelled_at=timezone.now(), cancelled_by="patient",
        is_late_cancellation=True,
    )  # fmt: skip
    figures = attendance(start=day, end=day)
    (line,) = figures.practitioners
    assert line.working_minutes == 8 * 60  # 09:00-17:00
    assert line.booked_minutes == 30  # the completed one; a DNA or cancellation frees it
    assert (line.appointments, line.attended, line.did_not_attend) == (3, 1, 1)
    assert line.dna_rate == 0.5 and line.late_cancellation_rate == 1 / 3
    page = client_for(manager).get(
        reverse("reports:diary-attendance") + f"?start={day:%d/%m/%Y}&end={day:%d/%m/%Y}"
    )
    assert page.status_code == 200 and "50%" in page.content.decode()
    assert client_for(reception).get(reverse("reports:diary-attendance")).status_code == 403


def test_the_day_grid_keeps_every_column_whole_with_odd_lengths(doctor, reception):
    """Back-to-back appointments of odd lengths: each is its own cell over exactly its
    rows of 5 minutes, and every row of the column is drawn once (no row pushed one cell
    wider, which shifted the whole column)."""
    book(PatientFactory(), doctor, reception, at(0, 10), minutes=20)
    book(PatientFactory(), doctor, reception, at(0, 10, 20), minutes=20)
    book(PatientFactory(), doctor, reception, at(0, 11), minutes=45)
    view = selectors.day_view(day=timezone.localdate())
    rows = grid.day_grid(view)
    column = 0
    remaining = 0
    for row in rows:
        cell = row.cells[column]
        if remaining:
            assert cell.kind == "covered"
            remaining -= 1
            continue
        assert cell.kind != "covered"
        remaining = cell.rows - 1
    drawn = [c for row in rows for c in row.drawn if c.kind == "appointment"]
    assert [len(c.appointments) for c in drawn] == [1, 1, 1]
    assert [c.rows for c in drawn] == [4, 4, 9]  # 20, 20 and 45 minutes in rows of 5


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_a_step_never_redirects_off_site(patient, doctor, reception, target):
    appointment = book(patient, doctor, reception, at(1, 9))
    response = client_for(reception).post(
        reverse("diary:appointment_step", args=[appointment.public_id]),
        {"status": "confirmed", "next": target, "version": appointment.version},
    )
    assert response["Location"] == appointment.get_absolute_url()
