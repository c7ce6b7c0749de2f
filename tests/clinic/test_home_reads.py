"""The home page's reads, compiled to SQL once per process (clinic.prepared; the capped
cards through clinic.listing.CappedRead): each call answers for its own values, never the
values its SQL was first compiled with, and the capped cards still say how many there
are in all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.diary import selectors as diary_selectors
from tests.clinic.diary_helpers import at, book, working
from tests.factories import (
    FollowUpFactory,
    PatientFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
)
from treatments import selectors

pytestmark = pytest.mark.django_db


def test_each_practitioner_gets_their_own_drafts_and_due_tasks():
    amelia, bilal = UserFactory.create_batch(2)
    today = timezone.localdate()
    older = TreatmentSessionFactory(
        practitioner=amelia, performed_at=timezone.now() - timedelta(days=2)
    )
    newer = TreatmentSessionFactory(practitioner=amelia)
    TreatmentSessionFactory(practitioner=amelia, signed=True)  # signed: not a draft
    theirs = TreatmentSessionFactory(practitioner=bilal)

    overdue = FollowUpFactory(assigned_to=amelia, due_on=today - timedelta(days=3))
    unassigned = FollowUpFactory(assigned_to=None, due_on=today)
    FollowUpFactory(assigned_to=amelia, due_on=today + timedelta(days=1))  # not due yet
    FollowUpFactory(assigned_to=amelia, done_at=timezone.now())  # done
    bilals = FollowUpFactory(assigned_to=bilal)

    for _ in range(2):  # the second time from the compiled SQL
        assert selectors.session_list_drafts(practitioner=amelia) == [older, newer]
        assert selectors.session_list_drafts(practitioner=bilal) == [theirs]
        assert selectors.followup_list_due(user=amelia) == [overdue, unassigned]
        assert selectors.followup_list_due(user=bilal) == [unassigned, bilals]
        # Another day: what is due by then.
        assert selectors.followup_list_due(user=amelia, today=today - timedelta(days=1)) == [
            overdue
        ]


def test_the_capped_cards_list_the_oldest_and_count_them_all():
    serious = [
        SideEffectFactory(is_serious=True, onset_date=timezone.localdate() - timedelta(days=d))
        for d in (1, 5, 3, 2)
    ]
    SideEffectFactory(is_serious=False)
    oldest_first = sorted(serious, key=lambda effect: effect.onset_date)
    for limit in (3, 2, 3):
        card = selectors.side_effect_serious_undecided(limit=limit)
        assert card.rows == oldest_first[:limit]
        assert (card.total, card.more) == (4, 4 - limit)
    card = selectors.side_effect_serious_undecided(limit=8)
    assert (card.rows, card.total, card.more) == (oldest_first, 4, 0)


def test_each_practitioners_day_and_the_front_desks(reception):
    amelia, bilal = working(UserFactory()), working(UserFactory())
    first, second, tomorrows = PatientFactory.create_batch(3)
    at_nine = book(first, amelia, reception, at(0, 9))
    at_ten = book(second, bilal, reception, at(0, 10))
    book(tomorrows, amelia, reception, at(1, 9))
    today = timezone.localdate()
    for _ in range(2):
        mine = diary_selectors.todays_visits(day=today, practitioner=amelia)
        assert [v.appointment for v in mine] == [at_nine]
        mine = diary_selectors.todays_visits(day=today, practitioner=bilal)
        assert [v.appointment for v in mine] == [at_ten]
        everyone = diary_selectors.todays_visits(day=today)
        assert [v.appointment for v in everyone] == [at_nine, at_ten]
        tomorrow = diary_selectors.todays_visits(day=today + timedelta(days=1))
        assert [v.appointment.patient for v in tomorrow] == [tomorrows]


def test_each_practitioners_next_patient_is_marked(reception):
    """Practitioner review (07/12/2026): the day's list did not say who was next. Each
    practitioner's next is the first patient who has arrived and waits, else the first
    booking not yet over; none when their day is done."""
    from clinic.diary.models import Appointment

    amelia, bilal = working(UserFactory()), working(UserFactory())
    patients = PatientFactory.create_batch(4)
    nine = book(patients[0], amelia, reception, at(0, 9))
    ten = book(patients[1], amelia, reception, at(0, 10))
    eleven = book(patients[2], amelia, reception, at(0, 11))
    bilals = book(patients[3], bilal, reception, at(0, 10))
    today = timezone.localdate()

    def marked(now) -> set:
        visits = diary_selectors.todays_visits(day=today, now=now)
        return {v.appointment for v in visits if v.is_next}

    assert marked(at(0, 8)) == {nine, bilals}
    assert marked(at(0, 9, 50)) == {ten, bilals}  # nine is over: the next booking
    Appointment.objects.filter(pk=eleven.pk).update(status="arrived")  # in early
    assert marked(at(0, 9, 50)) == {eleven, bilals}  # who waits comes first
    mine = diary_selectors.todays_visits(day=today, practitioner=amelia, now=at(0, 8))
    assert [v.is_next for v in mine] == [False, False, True]
    Appointment.objects.filter(pk__in=[nine.pk, ten.pk, eleven.pk]).update(status="completed")
    assert marked(at(0, 12)) == set()  # amelia's day is done; bilal's 10:00 is over


def test_the_home_page_says_who_is_next(reception, reception_client):
    from clinic.diary.models import Appointment

    doctor = working(UserFactory(first_name="Amelia", last_name="Hart"))
    waiting = book(PatientFactory(family_name="Ashdown"), doctor, reception, at(0, 9))
    Appointment.objects.filter(pk=waiting.pk).update(status="arrived")
    page = reception_client.get("/").content.decode()
    row = page.split(f'id="visit-{waiting.public_id}"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="next-visit">Next<span class="visually-hidden"> for Amelia Hart' in row


def test_a_session_left_unsigned_from_an_earlier_day_says_so(practitioner, practitioner_client):
    """Records are made at the time: a draft from an earlier day is marked on the home page
    with what to do; today's is not (07/12/2026: the demo's forgotten draft read like any
    other)."""
    earlier = timezone.now() - timedelta(days=12)
    TreatmentSessionFactory(practitioner=practitioner, performed_at=earlier, created_at=earlier)
    TreatmentSessionFactory(practitioner=practitioner)
    # Typed today of an earlier treatment: not a forgotten draft (review 07/12/2026).
    TreatmentSessionFactory(practitioner=practitioner, performed_at=earlier)
    page = practitioner_client.get("/").content.decode()
    assert page.count('data-testid="unsigned-since"') == 1
    assert f"not signed since {timezone.localtime(earlier):%d/%m}: sign it, or withdraw it" in page
