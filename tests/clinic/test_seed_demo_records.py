"""The demo seed's records (the 40-patient demo, seeded once for this module through the
services: tests/shared_rows.py): signed sessions whose vials reconcile, genuine findings,
follow-ups, today's draft, the stock in the fridge, and outcome scores from a baseline.

Every test here uses the shared demo: a test that seeds by itself belongs in
test_seed_demo.py (the shared rows would be in its database)."""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from patients.models import IntakeQuestionnaire, Patient
from patients.validators import is_valid_nhs_number
from tests.shared_rows import demo_seeded_once
from treatments import selectors, services
from treatments.choices import SafetyLevel, SafetyProfile, SessionStatus
from treatments.models import FollowUp, Product, Vial
from treatments.models import TreatmentSession as Session

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """A 40-patient demo, signed through services.session_sign, made once for the module;
    its output."""
    with demo_seeded_once(django_db_blocker, patients=40, seed=1) as output:
        yield output


@pytest.fixture
def demo(seeded_demo, db):
    return seeded_demo


def test_seed_creates_staff_and_patients(demo):
    users = get_user_model().objects
    assert users.get(username="reception").groups.get().name == "Reception"
    assert users.get(username="practitioner").groups.get().name == "Practitioner"
    assert users.get(username="nurse").groups.get().name == "Practitioner"
    assert users.get(username="manager").groups.get().name == "Manager"
    assert users.get(username="admin").is_superuser
    assert users.get(username="reception").check_password("clinic-demo-2026")
    assert Patient.objects.count() == 40
    assert IntakeQuestionnaire.objects.exists()
    numbers = [n for n in Patient.objects.values_list("nhs_number", flat=True) if n]
    assert numbers and all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)
    assert Patient.objects.first().history.exists()
    for patient in Patient.objects.all():
        assert timezone.localdate(patient.created_at) >= patient.date_of_birth
        assert patient.archived_at is None or patient.archived_at <= timezone.now()
    assert "40/40 patients" in demo and "password for all" in demo


def latest_questionnaire(patient, day):
    return (
        IntakeQuestionnaire.objects.filter(patient=patient, completed_on__lte=day)
        .order_by("-completed_on", "-id")
        .first()
    )


def test_signed_sessions_have_points_and_their_own_vial_which_reconciles(demo):
    signed = Session.objects.filter(status=SessionStatus.SIGNED).select_related("vial", "product")
    assert signed.count() >= 30
    for session in signed:
        points = list(session.points.all())
        vial = session.vial
        assert points and vial is not None and vial.product_id == session.product_id
        assert list(vial.sessions.all()) == [session]  # one vial, one session
        drawn = selectors.vial_units_drawn(vial)
        assert drawn == sum(p.units for p in points)
        assert vial.discard_reason == "End of session"
        assert drawn + vial.wasted_units == vial.presentation_units
        assert vial.presentation_units in session.product.presentations
        day = timezone.localdate(session.performed_at)
        assert 7 <= (day - vial.received_on).days <= 42
        assert 183 <= (vial.expiry - vial.received_on).days <= 731
        assert timezone.localdate(vial.reconstituted_at) == day
        assert vial.reconstituted_at < session.performed_at < session.signed_at < vial.discarded_at
        for point in points:  # volumes drawn at the vial's dilution
            assert abs(point.volume_ml * vial.units_per_ml - point.units) <= point.units / 20
        assert session.signed_by_id == session.practitioner_id
        assert session.practitioner.username in ("practitioner", "nurse")
    # Every discarded vial, wasted for other reasons too, balances.
    discarded = selectors.vial_list().filter(discarded_at__isnull=False)
    assert discarded.count() > signed.count()
    for vial in discarded:
        assert vial.drawn_units + vial.wasted_units == vial.presentation_units
    assert discarded.exclude(discard_reason="End of session").exists()


def test_sessions_follow_the_patients_questionnaires_ages_and_plans(demo):
    signed = Session.objects.filter(status=SessionStatus.SIGNED).select_related(
        "patient", "indication"
    )
    first = min(timezone.localdate(s.performed_at) for s in signed)
    assert first >= timezone.localdate() - timedelta(days=548)
    for session in signed:
        day = timezone.localdate(session.performed_at)
        assert latest_questionnaire(session.patient, day) is not None, session
        age = session.patient.age_on(day)
        if age < 18:  # children: paediatric spasticity only, dosed by a weight from today
            assert session.indication.slug.startswith("spasticity-paed")
            assert session.weight_kg and session.weight_measured_on == day
        else:
            assert not session.indication.slug.startswith("spasticity-paed")
        if session.indication.safety_profile == SafetyProfile.BLADDER:
            assert session.pvr_ml is not None and session.antibiotic_prophylaxis
            assert not session.performs_cic
    # The same patient is treated again after the indication's interval (or with a reason).
    patient = max(Patient.objects.all(), key=lambda p: p.treatment_sessions.count())
    assert patient.treatment_sessions.filter(status=SessionStatus.SIGNED).count() >= 3


def test_follow_ups_from_the_rules_some_done_some_open_and_some_by_hand(demo):
    today = timezone.localdate()
    rule_made = FollowUp.objects.exclude(rule_code="").select_related("session")
    assert rule_made.filter(rule_code="first.review-call").exists()
    for task in rule_made:
        assert task.session.status == SessionStatus.SIGNED
        assert task.created_at == task.session.signed_at
    done = FollowUp.objects.filter(done_at__isnull=False)
    assert done.exists() and FollowUp.objects.filter(done_at__isnull=True).exists()
    for task in done:
        assert task.done_by_id and task.outcome_note and task.done_at <= timezone.now()
        assert timezone.localdate(task.done_at) >= task.due_on
    # Nothing due in the future is done already.
    assert not done.filter(due_on__gt=today).exists()
    diary = FollowUp.objects.get(rule_code="", title="Call about headache diary")
    assert diary.done_at is None and today <= diary.due_on <= today + timedelta(days=7)


def test_a_draft_left_unsigned_for_12_days_is_in_the_patients_later_checks(demo):
    """Priya Shah's glabellar-lines session, started 12 days ago and never signed: on her
    unsigned sessions, and said by the checks of any later session for the patient."""
    forgotten = Session.objects.get(status=SessionStatus.DRAFT, practitioner__username="nurse")
    assert timezone.localdate(forgotten.performed_at) <= timezone.localdate() - timedelta(days=12)
    assert forgotten.indication.slug == "glabellar-lines"
    assert forgotten.points.exists()
    assert not Session.objects.filter(
        patient=forgotten.patient, performed_at__gt=forgotten.performed_at
    ).exists()
    assert selectors.safety_inputs_for_session(session=forgotten).history.unsigned == ()
    # A session started for the patient today is told of it.
    today = services.session_start(
        patient=forgotten.patient,
        practitioner=get_user_model().objects.get(username="practitioner"),
        indication=forgotten.indication,
        product=forgotten.product,
        other_drafts=[forgotten],
        acknowledge_drafts=True,
    )
    found = {f.code: f for f in selectors.safety_inputs_for_session(session=today).evaluate()}
    assert f"on {timezone.localtime(forgotten.performed_at):%d/%m/%Y} by Priya Shah" in (
        found["history.unsigned_session"].message
    )


def test_today_a_draft_and_the_fridge(demo):
    now, today = timezone.now(), timezone.localdate()
    draft = Session.objects.get(status=SessionStatus.DRAFT, practitioner__username="practitioner")
    assert timezone.localdate(draft.performed_at) == today
    assert draft.indication.slug == "chronic-migraine"
    assert draft.practitioner.username == "practitioner"
    assert draft.points.count() == 31  # the PREEMPT fixed sites
    live = selectors.safety_inputs_for_session(session=draft).evaluate()
    assert {f.code for f in live if f.level == SafetyLevel.BLOCK} == {"advice.spread_not_given"}
    # Injected, and the rest of the single-use vial discarded before signing (DOMAIN §1.3):
    # still the draft's vial, which signing asks to check (a warning, not a block).
    vial = selectors.vial_get(pk=draft.vial_id)
    assert draft.performed_at < vial.discarded_at <= now
    assert vial.discard_reason == "End of session" and vial.discarded_by == draft.practitioner
    assert vial.drawn_units == sum(p.units for p in draft.points.all())
    assert vial.drawn_units + vial.wasted_units == vial.presentation_units
    assert "vial.discarded_since" in {f.code for f in live if f.level == SafetyLevel.WARN}
    # Stock: unopened, in-date vials of every formulary product.
    for product in Product.objects.filter(on_formulary=True).exclude(presentations=[]):
        unopened = Vial.objects.filter(
            product=product, reconstituted_at__isnull=True, discarded_at__isnull=True
        )
        assert unopened.filter(expiry__gt=today).count() >= 2, product
    # A BOTOX 100 U reconstituted this morning is offered for any patient...
    botox = Product.objects.get(slug="botox")
    other = Patient.objects.exclude(pk=draft.patient_id).first()
    usable = selectors.vial_list_usable(product=botox, patient=other)
    fresh = [v for v in usable if v.presentation_units == 100]
    assert fresh and timezone.localdate(fresh[0].reconstituted_at) == today
    # ...but not the one reconstituted yesterday: past its 24 h use-by, not discarded.
    stale = Vial.objects.get(
        product=botox, discarded_at__isnull=True, reconstituted_at__isnull=False, use_by__lt=now
    )
    assert timezone.localdate(stale.reconstituted_at) == today - timedelta(days=1)
    for patient in (other, draft.patient):
        assert stale not in selectors.vial_list_usable(product=botox, patient=patient)
        # Nor the draft's discarded vial (its own editor keeps it: the form's known vials).
        assert draft.vial not in selectors.vial_list_usable(product=botox, patient=patient)


def test_a_draft_withdrawn_this_morning(demo):
    """`make run` shows a draft withdrawn (treatment not given) with its reason: in no
    draft list, its vial released."""
    withdrawn = Session.objects.get(status=SessionStatus.WITHDRAWN)
    assert withdrawn.indication.slug == "cervical-dystonia"
    assert timezone.localdate(withdrawn.performed_at) == timezone.localdate()
    assert withdrawn.withdrawal.withdrawn_by.username == "practitioner"
    assert withdrawn.withdrawal.why.startswith("Patient declined on the day: ")
    assert withdrawn.vial_id is None and not withdrawn.draws.exists()
    practitioner = withdrawn.practitioner
    assert withdrawn not in selectors.session_list_drafts(practitioner=practitioner)
    assert selectors.open_drafts(patient_id=withdrawn.patient_id) == []


def test_vials_come_in_deliveries_and_can_be_told_apart(demo):
    """Issue 13.13: every vial was booked in on a receipt (supplier, delivery note), the
    fridge's vials of each product came as one delivery of 2-4, and no two vials share a
    label."""
    from treatments.models import StockReceipt

    assert not Vial.objects.filter(receipt__isnull=True).exists()
    assert not StockReceipt.objects.filter(supplier="").exists()
    assert not StockReceipt.objects.filter(delivery_note="").exists()
    labels = [v.stock_label for v in Vial.objects.all()]
    assert len(labels) == len(set(labels))
    unopened = Vial.objects.filter(reconstituted_at__isnull=True, discarded_at__isnull=True)
    sizes = Counter(unopened.values_list("receipt_id", flat=True))
    assert sizes and all(2 <= n <= 4 for n in sizes.values()), sizes


def test_demo_outcome_scores_start_from_a_baseline_before_treatment(demo):
    from treatments.models import OutcomeAssessment

    scores = OutcomeAssessment.objects.select_related("instrument")
    assert scores.filter(is_baseline=True).exists() and scores.filter(is_baseline=False).exists()
    for score in scores.filter(is_baseline=True):
        first = (
            score.patient.treatment_sessions.filter(indication=score.indication, status="signed")
            .order_by("performed_at")
            .first()
        )
        assert score.assessed_on < timezone.localdate(first.performed_at)
    for score in scores:
        instrument = score.instrument
        assert instrument.min_value is None or score.value >= instrument.min_value
        assert instrument.max_value is None or score.value <= instrument.max_value


def test_the_waiting_list_has_a_slot_filled_one_offered_and_one_waiting(demo):
    """What `make run` shows reception on the waiting list: a cancellation already filled
    from it, a second one offered this morning and not yet answered (its offer sent, or
    skipped on a channel the patient did not agree to), and a patient still waiting."""
    from clinic.diary.messaging.models import PatientMessage
    from clinic.diary.waiting_list.models import WaitingListEntry

    by_status = Counter(WaitingListEntry.objects.values_list("status", flat=True))
    assert by_status == {"booked": 1, "offered": 1, "waiting": 1}
    offered = WaitingListEntry.objects.select_related("offered_appointment").get(status="offered")
    slot = offered.offered_appointment
    assert slot.status == "cancelled" and slot.starts_at > timezone.now()
    assert slot.patient_id != offered.patient_id
    assert slot.cancelled_at < offered.offered_at < timezone.now()
    sent = PatientMessage.objects.filter(waiting_entry=offered, kind="waiting-offer")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert {m.status for m in sent} <= {"sent", "skipped"} and any(m.status == "sent" for m in sent)


def test_the_waiting_list_says_when_patients_can_come_and_the_offer_fits(demo):
    """Front-desk review: "Mornings only" lived in the notes. The demo's patient offered the
    open slot can come at its time of day on two weekdays, one of them the slot's; the one
    still waiting only at the other time of day, so the matching would not offer it them."""
    from clinic.diary.waiting_list.models import WaitingListEntry
    from clinic.diary.waiting_list.services import matching_entries

    offered = WaitingListEntry.objects.select_related("offered_appointment").get(status="offered")
    waiting = WaitingListEntry.objects.get(status="waiting")
    assert offered.availability_limited and waiting.availability_limited
    assert offered.time_of_day != waiting.time_of_day
    assert bin(offered.weekdays).count("1") == 2 and bin(waiting.weekdays).count("1") == 3
    WaitingListEntry.objects.filter(pk=offered.pk).update(status="waiting")
    try:
        matched = set(matching_entries(appointment=offered.offered_appointment))
        assert offered in matched and waiting not in matched
    finally:
        WaitingListEntry.objects.filter(pk=offered.pk).update(status="offered")


def test_no_patient_is_booked_twice_at_once(demo):
    """Browser review (07/12/2026): the demo diary had a patient booked with two
    practitioners at overlapping times, which the booking page now flags."""
    from clinic.diary.models import Appointment, AppointmentStatus

    held = list(
        Appointment.objects.filter(status__in=AppointmentStatus.occupying())
        .order_by("patient_id", "starts_at")
        .values_list("patient_id", "starts_at", "ends_at")
    )
    assert len(held) > 20
    overlapping = [(a, b) for a, b in itertools.pairwise(held) if a[0] == b[0] and b[1] < a[2]]
    assert not overlapping


def test_nobody_is_booked_with_a_practitioner_on_leave(demo):
    """Reception review (07/12/2026): the week view said "Not working" for Priya Shah's
    annual leave over 13 bookings."""
    from clinic.diary.models import Appointment, AppointmentStatus, WorkingException

    leave = list(WorkingException.objects.filter(kind="leave"))
    assert leave
    for day_off in leave:
        booked = [
            a
            for a in Appointment.objects.filter(
                practitioner=day_off.practitioner, status__in=AppointmentStatus.occupying()
            )
            if timezone.localdate(a.starts_at) == day_off.on
        ]
        assert not booked, (day_off.on, len(booked))


def test_no_archived_record_has_a_visit_after_it_was_archived(demo):
    """Review (07/12/2026): a record archived in February ("Moved away from London") was
    seen in December and booked for next week; the booking checks now refuse that."""
    from clinic.diary.models import Appointment

    assert Patient.objects.filter(status="archived").exists()
    late = Appointment.objects.filter(
        patient__status="archived", starts_at__gte=F("patient__archived_at")
    )
    assert not late.exists(), list(late.values_list("patient__record_number", "starts_at"))


@pytest.mark.django_db
def test_the_seed_refuses_under_production_settings(settings):
    """docs/security.md V6.3.2: seed_demo's logins have a published password, so it does
    not run where production settings say so (DEMO_SEED_ALLOWED off), and writes nothing."""
    from django.core.management import CommandError, call_command

    settings.DEMO_SEED_ALLOWED = False
    before = (get_user_model().objects.count(), Patient.objects.count())
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", "--patients", "1")
    assert (get_user_model().objects.count(), Patient.objects.count()) == before


def test_production_settings_turn_the_demo_seed_off():
    """The production module's default, read as Django would (a child process: the settings
    module needs its secrets from the environment)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "clinic.example",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # read, never connected to
    }
    env.pop("DEMO_SEED_ALLOWED", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DEMO_SEED_ALLOWED)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def test_two_practitioners_share_a_room_and_no_room_is_booked_twice_at_once(demo):
    """The demo shows a room two practitioners' hours share (Wednesday afternoons, the
    nurse in treatment room 1: the day view offers a time there only when the room is free
    too), the nurse booked there in the practitioner's gaps, and, as PostgreSQL's exclusion
    constraint requires, no room holding two bookings at once."""
    from clinic.diary.models import Appointment, AppointmentStatus, WorkingPattern

    wednesday = {
        (p.practitioner.username, p.room.name, f"{p.starts:%H:%M}")
        for p in WorkingPattern.objects.filter(weekday=2).select_related("practitioner", "room")
    }
    assert ("practitioner", "Treatment room 1", "09:00") in wednesday
    assert ("nurse", "Treatment room 1", "13:00") in wednesday
    held = list(
        Appointment.objects.filter(status__in=AppointmentStatus.occupying(), room__isnull=False)
        .order_by("room_id", "starts_at")
        .values_list("room_id", "starts_at", "ends_at")
    )
    overlapping = [(a, b) for a, b in itertools.pairwise(held) if a[0] == b[0] and b[1] < a[2]]
    assert not overlapping
    afternoons = [
        room
        for room, starts_at in Appointment.objects.filter(
            practitioner__username="nurse"
        ).values_list("room__name", "starts_at")
        if timezone.localtime(starts_at).weekday() == 2 and timezone.localtime(starts_at).hour >= 13
    ]
    assert afternoons and set(afternoons) == {"Treatment room 1"}


def test_a_blood_thinner_among_the_medicines_is_question_7s_yes(demo):
    """Practitioner review (07/12/2026): "Aspirin 75 mg daily" among a patient's medicines
    and "No screening concerns" on the banner."""
    on_thinners = IntakeQuestionnaire.objects.filter(
        current_medications__regex=r"^(Apixaban|Aspirin)"
    )
    assert on_thinners.exists()
    assert not on_thinners.filter(bleeding_risk=False).exists()


def test_the_practitioner_s_calendar_link_has_been_read_by_her_phone(demo):
    """The demo shows the calendar link's last read on its settings page (made a week ago,
    read every few hours since from one address), with the secret nowhere in the log."""
    from django.urls import reverse

    from clinic.diary.models import CalendarFeed
    from clinic.models import AccessEvent
    from tests.conftest import client_for

    feed = CalendarFeed.objects.get(practitioner__username="practitioner", revoked_at=None)
    reads = AccessEvent.objects.filter(action="diary.feed", user=feed.practitioner)
    assert reads.count() >= 20 and len(set(reads.values_list("ip_address", flat=True))) == 1
    assert not reads.filter(path__contains=feed.token).exists()
    page = client_for(feed.practitioner).get(reverse("diary:feed_settings")).content.decode()
    last = timezone.localtime(reads.latest("occurred_at").occurred_at)
    assert f"Last read by a calendar on {last:%d/%m/%Y at %H:%M}" in page
