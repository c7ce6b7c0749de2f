"""The diary's pages (issue 15): the day and the week, booking from the page and the
appointment's page, with their pinned query counts. The calendar feed, the managers' view
and the home page's steps have modules of their own (test_diary_feed, _attendance,
_home_steps)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.diary import grid, selectors
from clinic.diary.models import Appointment
from clinic.models import AccessEvent
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book, kind, post_step, working
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory, UserFactory
from treatments.models import Indication, Product

pytestmark = pytest.mark.django_db


# Pages ----------------------------------------------------------------------------------


def test_reception_books_from_a_free_slot_and_marks_the_arrival(patient, doctor, reception):
    client = client_for(reception)
    tomorrow = timezone.localdate() + timedelta(days=1)  # no time of it has passed
    page = client.get(reverse("diary:day"), {"day": tomorrow.isoformat()})
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
            # 09:00 may have passed by the time the test runs: a visit recorded.
            "acknowledge_flags": "on",
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


def test_the_diary_headers_book_opens_with_the_day_shown(reception):
    """Browser review (07/12/2026): the day view's Book opened with an empty date, on
    whatever day the diary showed; it now carries that day. A day the diary would not
    show is not taken (the date is left to type)."""
    client = client_for(reception)
    day = timezone.localdate() + timedelta(days=3)
    page = client.get(reverse("diary:day"), {"day": day.isoformat()}).content.decode()
    link = f"{reverse('diary:book')}?day={day.isoformat()}"
    assert f'href="{link}" data-testid="book-this-day"' in page
    form = client.get(link).content.decode()
    assert f'name="day" value="{day:%d/%m/%Y}"' in form
    for unusable in ("31/02/2026", "9999-01-01", "soon"):
        form = client.get(reverse("diary:book"), {"day": unusable})
        assert form.status_code == 200
        assert 'name="day" value=' not in form.content.decode()


def test_a_refused_bookings_sources_link_to_the_sources_page(patient, doctor, reception):
    """A cosmetic treatment without a consultation is refused with its sources ("DOMAIN §10
    rule 34; S72; S76"): each code links to its row on the sources page."""
    response = client_for(reception).post(
        reverse("diary:book"),
        {
            "patient": patient.public_id,
            "appointment_type": kind("glabellar-treatment").pk,
            "practitioner": doctor.pk,
            "day": (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y"),
            "start": "09:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Appointment.objects.exists()
    assert "(rule 34; " in html
    assert f'<a href="{reverse("treatments:sources")}#S72" target="_blank"' in html


def test_the_booking_page_says_a_refusal_before_a_taken_time(patient, doctor, reception):
    """Browser review (07/12/2026): the clash and its free times came first, and the free
    time clicked then said the booking could not be made at all (rule 34)."""
    book(PatientFactory(), doctor, reception, at(2, 9), "consultation")
    response = client_for(reception).post(
        reverse("diary:book"),
        {
            "patient": patient.public_id,
            "appointment_type": kind("glabellar-treatment").pk,
            "practitioner": doctor.pk,
            "day": f"{at(2, 9):%d/%m/%Y}",
            "start": "09:00",
        },
    )
    html = response.content.decode()
    assert 'data-testid="booking-refused"' in html and "consultation first" in html
    assert "already booked" not in html and 'data-testid="free-slot"' not in html
    assert Appointment.objects.count() == 1


def test_who_cancelled_is_a_bootstrap_radio_sized_for_a_finger(patient, doctor, reception):
    """Browser review (07/12/2026): "Who cancelled?" was a bare 13 px radio on an iPad."""
    appointment = book(patient, doctor, reception, at(2, 10))
    page = client_for(reception).get(appointment.get_absolute_url()).content.decode()
    options = [t for t in page.split("<input")[1:] if 'name="cancelled_by"' in t.split(">", 1)[0]]
    assert len(options) >= 2
    assert all('class="form-check-input"' in t.split(">", 1)[0] for t in options)


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
    assert 'data-testid="today-list"' in page and escape(first.family_name).upper() in page.upper()
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
            signed=True,
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


def test_reception_books_from_the_recall_list(patient, doctor, reception):
    """The recall list is the front desk's too (clinic-wide) and leads to free times
    from the eligible date, with the treatment's appointment type chosen."""
    migraine = Indication.objects.get(slug="chronic-migraine")
    botox = Product.objects.get(slug="botox")
    last = timezone.now() - timedelta(days=migraine.min_interval_days + 3)
    TreatmentSessionFactory(
        patient=patient,
        practitioner=doctor,
        indication=migraine,
        product=botox,
        signed=True,
        performed_at=last,
        summarised=True,  # as signing does (the recall list reads it)
    )
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
    # ...and the page offers no way there (review 07/12/2026: a breadcrumb led reception
    # to "Dashboard" and "Reports", both refused).
    assert f'href="{reverse("reports:index")}"' not in page
    assert f'href="{reverse("reports:dashboard")}"' not in page


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


def test_a_refused_page_says_whom_to_ask_by_the_askers_role(manager, reception):
    """Browser review (07/12/2026): a manager refused the outbox was told to "ask the
    practice manager". A manager is told to ask the system administrator; reception, the
    practice manager; both see their role named."""
    refused = client_for(manager).get(reverse("diary:outbox"))
    assert refused.status_code == 403
    why = refused.content.decode()
    assert "Your role (Manager) does not include it." in why
    assert "ask the system administrator" in why and "practice manager" not in why
    assert 'data-testid="forbidden-for">This page is for Reception.</p>' in why
    refused = client_for(reception).get(reverse("reports:index"))
    assert refused.status_code == 403
    why = refused.content.decode()
    assert "Your role (Reception) does not include it." in why
    assert "ask the practice manager" in why
    assert "This page is for Practitioner and Manager." in why


def test_a_refusal_about_the_record_says_why_not_that_the_role_lacks_the_page(practitioner):
    """A practitioner opening a colleague's draft holds the page's permission: the refusal
    is the record's ("Only the treating practitioner edits a draft."), not their role's."""
    from tests.factories import TreatmentSessionFactory

    draft = TreatmentSessionFactory()  # another practitioner's
    refused = client_for(practitioner).get(
        reverse("treatments:session_edit", args=[draft.public_id])
    )
    why = refused.content.decode()
    assert refused.status_code == 403
    assert 'data-testid="forbidden-reason">Only the treating practitioner edits a draft.' in why
    assert 'data-testid="forbidden-for"' not in why and "does not include it" not in why


def test_a_cancelled_appointment_offers_to_rebook_the_patient(patient, doctor, reception):
    """Browser review (07/12/2026): after the clinic cancelled ("Practitioner ill"), nothing
    led to rebooking the patient, nor said that no message tells them."""
    appointment = book(patient, doctor, reception, at(3, 10))
    client = client_for(reception)
    client.post(
        reverse("diary:appointment_cancel", args=[appointment.public_id]),
        {"cancelled_by": "clinic", "reason": "Practitioner ill", "version": appointment.version},
    )
    page = client.get(appointment.get_absolute_url()).content.decode()
    rebook = page.split('data-testid="rebook"', 1)[1].split("</section>", 1)[0]
    assert "Cancelled by the clinic: tell" in rebook and "no message goes by itself" in rebook
    link = (
        f"{reverse('diary:free_slots')}?patient={patient.public_id}"
        f"&amp;appointment_type={appointment.appointment_type_id}&amp;practitioner={doctor.pk}"
    )
    assert f'href="{link}"' in rebook
    slots = client.get(link.replace("&amp;", "&")).content.decode()
    assert f"patient={patient.public_id}" in slots and "diary/book/?practitioner=" in slots


def test_a_did_not_attend_is_not_undone_over_a_booking_made_since(patient, doctor, reception):
    """The review (07/12/2026): a missed appointment frees its slot; undoing it after
    someone else was booked into that time put two patients in one slot, silently."""
    from clinic.diary import steps

    missed = book(patient, doctor, reception, at(-1, 10))
    post_step(client_for(reception), missed, "dna")
    taken = book(PatientFactory(), doctor, reception, at(-1, 10))
    missed.refresh_from_db()
    with pytest.raises(steps.ValidationError, match="booked for someone else"):
        steps.appointment_set_status(appointment=missed, status="booked", user=reception)
    assert Appointment.objects.get(pk=missed.pk).status == "dna"
    assert Appointment.objects.get(pk=taken.pk).status == "booked"


def test_the_week_books_a_working_day_from_today_on(doctor, reception, manager):
    """Browser review 07/12/2026: the week showed free time and no way to book it. Each of
    the practitioner's working days from today gets a Book for that day and practitioner;
    a past day does not, nor a user who cannot book."""
    url = reverse("diary:week", args=[doctor.pk])
    page = client_for(reception).get(url).content.decode()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    expected = [monday + timedelta(days=n) for n in range(7) if monday + timedelta(days=n) >= today]
    assert page.count('data-testid="week-book"') == len(expected)  # they work every day
    assert f"?day={today:%Y-%m-%d}&amp;practitioner={doctor.pk}" in page
    if today.weekday():  # a day of this week is already past
        assert f"?day={monday:%Y-%m-%d}&amp;practitioner={doctor.pk}" not in page
    as_manager = client_for(manager).get(url)
    assert as_manager.status_code == 200  # managers read the diary; they do not book
    assert 'data-testid="week-book"' not in as_manager.content.decode()


def test_a_late_cancellation_is_said_as_such(patient, doctor, reception):
    """Reception review (07/12/2026): the reason and a bare "late" badge read as one
    sentence ("Cancelled ... by patient: Car broke down late")."""
    appointment = book(patient, doctor, reception, at(1, 9))
    Appointment.objects.filter(pk=appointment.pk).update(
        status="cancelled", cancelled_at=timezone.now(), cancelled_by="patient",
        cancel_reason="Car broke down", is_late_cancellation=True,
    )  # fmt: skip
    page = client_for(reception).get(appointment.get_absolute_url()).content.decode()
    assert 'Car broke down <span class="badge text-bg-warning">late cancellation</span>' in page


def test_a_missed_appointment_offers_to_rebook_the_patient(patient, doctor, reception):
    """Reception review (07/12/2026): a cancellation offered "Rebook", a did-not-attend
    nothing: reception went back to the diary to find a time."""
    appointment = book(patient, doctor, reception, at(-1, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status="dna")
    page = client_for(reception).get(appointment.get_absolute_url()).content.decode()
    rebook = page.split('data-testid="rebook"', 1)[1].split("</section>", 1)[0]
    assert f"Did not attend: contact {escape(patient.full_name)}" in rebook
    assert "Rebook: next free times" in rebook
