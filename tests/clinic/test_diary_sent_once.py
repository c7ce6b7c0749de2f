"""Regression tests from the review (A5-A7): the same form or button sent twice adds one
waiting-list entry and queues each message once (one-time submission tokens, and the
services' own check for a message already queued)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.messaging.choices import MessageKind
from clinic.diary.messaging.models import PatientMessage
from clinic.diary.models import AppointmentType
from clinic.diary.waiting_list.models import WaitingListEntry
from tests.clinic.diary_helpers import offered_entry
from tests.clinic.messaging_helpers import signed_session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')
BOTH = {"consent_contact_email": True, "consent_contact_sms": True}


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def said(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


# A6: aftercare advice --------------------------------------------------------------------


def test_aftercare_sent_twice_with_the_pages_token_queues_once(practitioner_client, practitioner):
    patient = PatientFactory(**BOTH)
    session = signed_session(patient, practitioner)
    page = practitioner_client.get(reverse("treatments:session_detail", args=[session.public_id]))
    url = reverse("diary:aftercare_send", args=[session.public_id])
    html = page.content.decode()
    token = tokens(html[html.index(url) :])[0]  # the aftercare form's (the addendum has one)
    first = practitioner_client.post(url, {"submission_token": token})
    second = practitioner_client.post(url, {"submission_token": token})
    assert first.status_code == second.status_code == 302
    rows = PatientMessage.objects.filter(patient=patient, kind=MessageKind.AFTERCARE)
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "queued"),
        ("sms", "queued"),
    ]
    assert "already been sent" in said(second)


def test_aftercare_asked_again_while_queued_is_not_queued_twice(practitioner_client, practitioner):
    """Without a token (two people, or two tabs): the service finds it queued already."""
    patient = PatientFactory(**BOTH)
    session = signed_session(patient, practitioner)
    url = reverse("diary:aftercare_send", args=[session.public_id])
    practitioner_client.post(url)
    second = practitioner_client.post(url)
    assert PatientMessage.objects.filter(patient=patient, kind=MessageKind.AFTERCARE).count() == 2
    assert "already queued" in said(second)


# A7: the waiting-list offer --------------------------------------------------------------


def test_an_offer_sent_twice_with_the_pages_token_queues_once(
    reception_client, reception, practitioner
):
    waiting = PatientFactory(**BOTH)
    entry = offered_entry(reception, practitioner, waiting)
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    offer_form = html[html.index(reverse("diary:waiting_list_send_offer")) :]
    token = tokens(offer_form)[0]
    assert len(set(tokens(html))) == len(tokens(html))  # each form its own token
    url = reverse("diary:waiting_list_send_offer")
    reception_client.post(url, {"entry": entry.pk, "submission_token": token})
    second = reception_client.post(url, {"entry": entry.pk, "submission_token": token})
    rows = PatientMessage.objects.filter(patient=waiting, kind=MessageKind.WAITING_LIST_OFFER)
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "queued"),
        ("sms", "queued"),
    ]
    assert "already been sent" in said(second)


def test_an_offer_asked_again_while_queued_is_not_queued_twice(
    reception_client, reception, practitioner
):
    waiting = PatientFactory(**BOTH)
    entry = offered_entry(reception, practitioner, waiting)
    url = reverse("diary:waiting_list_send_offer")
    reception_client.post(url, {"entry": entry.pk})
    second = reception_client.post(url, {"entry": entry.pk})
    assert (
        PatientMessage.objects.filter(patient=waiting, kind=MessageKind.WAITING_LIST_OFFER).count()
        == 2
    )
    assert "already queued" in said(second)


# A5: adding to the waiting list --------------------------------------------------------


def test_the_waiting_list_form_sent_twice_adds_one_entry(reception_client):
    patient = PatientFactory()
    page = reception_client.get(reverse("diary:waiting_list"), {"patient": patient.public_id})
    html = page.content.decode()
    form_html = html[html.index('data-testid="waiting-list-add"') :]
    [token] = tokens(form_html)
    data = {
        "submission_token": token,
        "patient": patient.public_id,
        "appointment_type": AppointmentType.objects.get(slug="review").pk,
        "from_date": timezone.localdate().strftime("%d/%m/%Y"),
        "time_of_day": "any",
        "weekdays": [str(day) for day in range(7)],
    }
    first = reception_client.post(reverse("diary:waiting_list"), data)
    second = reception_client.post(reverse("diary:waiting_list"), data)
    assert first.status_code == second.status_code == 302
    assert WaitingListEntry.objects.filter(patient=patient).count() == 1
    assert "already been sent" in said(second)


def test_the_waiting_list_form_keeps_its_token_when_shown_again(reception_client):
    patient = PatientFactory()
    data = {
        "submission_token": "7d5b8c3e-0d0f-4c55-9f3e-2a0a4b1c9d11",
        "patient": patient.public_id,
    }
    page = reception_client.post(reverse("diary:waiting_list"), data)  # no type: an error
    assert page.status_code == 200
    assert data["submission_token"] in tokens(page.content.decode())


# Browser review: a second press (a new page, so a new token) queued no second email but
# wrote a second "SMS skipped" row; and the row gave no sign that the offer had been sent.


def test_an_offer_asked_again_writes_no_second_skipped_row(
    reception_client, reception, practitioner
):
    waiting = PatientFactory(consent_contact_email=True, consent_contact_sms=False)
    entry = offered_entry(reception, practitioner, waiting)
    url = reverse("diary:waiting_list_send_offer")
    reception_client.post(url, {"entry": entry.pk})
    second = reception_client.post(url, {"entry": entry.pk})
    rows = PatientMessage.objects.filter(patient=waiting, kind=MessageKind.WAITING_LIST_OFFER)
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "queued"),
        ("sms", "skipped"),
    ]
    assert "already queued" in said(second) and "SMS skipped (No consent" in said(second)

    # Consent given since: the SMS goes this time (the old reason no longer holds).
    waiting.consent_contact_sms = True
    waiting.phone = waiting.phone or "07700900123"
    waiting.save()
    reception_client.post(url, {"entry": entry.pk})
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "queued"),
        ("sms", "queued"),
        ("sms", "skipped"),
    ]


def test_the_waiting_list_row_says_the_offer_was_sent(reception_client, reception, practitioner):
    waiting = PatientFactory(consent_contact_email=True, consent_contact_sms=False)
    entry = offered_entry(reception, practitioner, waiting)
    page = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert 'data-testid="offer-not-sent"' in page and ">Send offer</button>" in page
    assert 'data-testid="offer-sent"' not in page

    reception_client.post(reverse("diary:waiting_list_send_offer"), {"entry": entry.pk})
    sent = PatientMessage.objects.filter(waiting_entry=entry).earliest("created_at").created_at
    page = reception_client.get(reverse("diary:waiting_list")).content.decode()
    when = timezone.localtime(sent)
    said_on_row = re.search(r'data-testid="offer-sent">([^<]*)<', page).group(1)
    assert said_on_row == (
        f"Offer of this slot not sent yet (asked {when:%a %d/%m} at {when:%H:%M}): "
        "email waiting to send · SMS skipped"
    )
    assert "Send the offer again</button>" in page and 'data-testid="offer-not-sent"' not in page


def test_an_offer_skipped_on_every_channel_is_not_called_sent(
    reception_client, reception, practitioner
):
    waiting = PatientFactory(consent_contact_email=False, consent_contact_sms=False)
    entry = offered_entry(reception, practitioner, waiting)
    reception_client.post(reverse("diary:waiting_list_send_offer"), {"entry": entry.pk})
    page = reception_client.get(reverse("diary:waiting_list")).content.decode()
    said_on_row = re.search(r'data-testid="offer-sent">([^<]*)<', page).group(1)
    assert said_on_row.startswith("Offer of this slot not sent ")
    assert said_on_row.endswith(": email skipped · SMS skipped")


@pytest.mark.parametrize(
    ("email", "sms", "head", "tail"),
    [
        ("sent", "skipped", "Offer of this slot sent Mon", "email sent · SMS skipped"),
        (
            "queued",
            None,
            "Offer of this slot not sent yet (asked Mon",
            "email waiting to send · SMS not tried",
        ),
        ("failed", "skipped", "Offer of this slot not sent Mon", "email failed · SMS skipped"),
    ],
)
def test_an_offer_is_said_sent_only_once_a_channel_sent_it(email, sms, head, tail):
    """The review (07/12/2026): a queued offer (the worker stopped, say) was said "sent"."""
    from types import SimpleNamespace

    from clinic.diary.waiting_list.selectors import offer_said

    asked = datetime(2026, 12, 7, 9, 5, tzinfo=ZoneInfo("Europe/London"))
    said = offer_said(SimpleNamespace(offer_sent_at=asked, offer_email=email, offer_sms=sms))
    assert said.startswith(head) and said.endswith(tail) and "07/12 at 09:05" in said
