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
